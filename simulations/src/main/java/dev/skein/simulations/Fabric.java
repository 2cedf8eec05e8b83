package dev.skein.simulations;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The simulated network and its faults. Join datagrams (the data plane's only membership traffic) are handed
 * from node to node in memory; the gossip itself is Atomix's own messages, over the loopback device of the
 * simulation's network namespace or through the {@link MemoryNetwork}, passed through each node's
 * {@link FaultyTransport}, which asks {@link #passes} about every message:
 * <ul>
 *   <li><b>block</b> a node: every message from or to it is dropped (killed, paused, cut off);</li>
 *   <li><b>loss</b>: a fraction of all messages is dropped at random;</li>
 *   <li><b>partition</b>: messages between two groups of nodes are dropped.</li>
 * </ul>
 * The same rules apply to the in-memory join datagrams. (Packet filters cannot do this on one loopback device:
 * a TCP client there takes its server's address as its source, so a message's sender is invisible to them.)
 */
final class Fabric {
    private final Map<InetSocketAddress, SimNode> byEndpoint = new ConcurrentHashMap<>();
    private final Map<String, SimNode> byName = new ConcurrentHashMap<>();
    private final Map<String, SimNode> byAddress = new ConcurrentHashMap<>();
    private final Events events = new Events();
    private final Random random = new Random();
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();
    private volatile Set<String> sideA = Set.of();
    private volatile Set<String> sideB = Set.of();
    private volatile int lossPerMille;
    /** Gossip messages of some types from one node to another to drop, and how many more: see {@link #dropNext}. */
    private record Drop(String from, String to, Predicate<String> types, AtomicInteger left, boolean refuse) {}

    private final List<Drop> drops = new CopyOnWriteArrayList<>();

    Events events() {
        return events;
    }

    void add(SimNode node) {
        byEndpoint.put(node.endpoint(), node);
        byName.put(node.name(), node);
        byAddress.put(node.address(), node);
    }

    /**
     * Whether the overlay carries a gossip message from the node at address {@code a} to the one at {@code b}:
     * only while each holds a peer for the other, as a real node's gossip needs a session, and a session needs a
     * peer at both ends.
     */
    boolean carries(String a, String b) {
        SimNode from = byAddress.get(a);
        SimNode to = byAddress.get(b);
        if (from == null || to == null) {
            return true; // not a simulated node's address
        }
        return from.peers().hasRoute(to.name()) && to.peers().hasRoute(from.name());
    }

    /**
     * A gossip message from {@code a} to {@code b} found no session. If {@code a} holds a peer for {@code b}, its
     * data plane tries a handshake now and then ({@link SimPeers#initiationDue}), and {@code b} may take it as
     * proof that a member it removed is alive.
     */
    void noSession(String a, String b) {
        SimNode from = byAddress.get(a);
        SimNode to = byAddress.get(b);
        if (from != null && to != null && from.peers().hasRoute(to.name()) && from.peers().initiationDue(to.name())) {
            to.initiationFrom(from);
        }
    }

    Collection<SimNode> nodes() {
        return byName.values();
    }

    boolean deliver(SimNode from, byte[] datagram, InetSocketAddress to) {
        SimNode target = byEndpoint.get(to);
        if (target == null || !passes(from.address(), target.address())) {
            return false;
        }
        target.receive(datagram, from.endpoint());
        return true;
    }

    boolean deliver(SimNode from, byte[] datagram, String member) {
        SimNode target = byName.get(member);
        return target != null && deliver(from, datagram, target.endpoint());
    }

    /** Whether a message from address {@code a} to address {@code b} gets through now. */
    boolean passes(String a, String b) {
        if (blocked.contains(a) || blocked.contains(b)) {
            return false;
        }
        if ((sideA.contains(a) && sideB.contains(b)) || (sideB.contains(a) && sideA.contains(b))) {
            return false;
        }
        return lossPerMille == 0 || random.nextInt(1000) >= lossPerMille;
    }

    /**
     * Whether a gossip message of {@code type} from address {@code a} to address {@code b} gets through now: as
     * {@link #passes(String, String)}, once the drops {@link #dropNext} asked for are done.
     */
    boolean passes(String a, String b, String type) {
        return !takes(a, b, type, false) && passes(a, b);
    }

    /** Whether a request of {@code type} from {@code a} to {@code b} is refused at once: see {@link #refuseNext}. */
    boolean refuses(String a, String b, String type) {
        return takes(a, b, type, true);
    }

    /**
     * Refuses the next {@code count} requests whose type passes {@code types} from one node to another at once,
     * as a host refuses a connection to a port nobody listens on. Returns the count that is left.
     */
    AtomicInteger refuseNext(Predicate<String> types, SimNode from, SimNode to, int count) {
        Drop d = new Drop(from.address(), to.address(), types, new AtomicInteger(count), true);
        drops.add(d);
        return d.left;
    }

    /** Whether a drop (or with {@code refusal}, a refusal) asked for takes this message, counting it if so. */
    private boolean takes(String a, String b, String type, boolean refusal) {
        for (Drop d : drops) {
            if (d.refuse == refusal && d.from.equals(a) && d.to.equals(b) && d.types.test(type)
                    && d.left.getAndDecrement() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Drops the next {@code count} gossip messages whose type passes {@code types} from one node to another
     * (lost messages; answers count as messages from the node that answers). Returns the count that is left: it
     * goes below zero as such messages pass after the drops.
     */
    AtomicInteger dropNext(Predicate<String> types, SimNode from, SimNode to, int count) {
        Drop d = new Drop(from.address(), to.address(), types, new AtomicInteger(count), false);
        drops.add(d);
        return d.left;
    }

    /** The overlay address of the node named {@code name}, or null. */
    String addressOf(String name) {
        SimNode n = byName.get(name);
        return n == null ? null : n.address();
    }

    boolean blocked(SimNode node) {
        return blocked.contains(node.address());
    }

    void block(SimNode node) {
        blocked.add(node.address());
    }

    void unblock(SimNode node) {
        blocked.remove(node.address());
    }

    void loss(double fraction) {
        lossPerMille = (int) Math.round(fraction * 1000);
    }

    void partition(Set<String> a, Set<String> b) {
        sideA = Set.copyOf(a);
        sideB = Set.copyOf(b);
    }

    void heal() {
        sideA = Set.of();
        sideB = Set.of();
        blocked.clear();
        lossPerMille = 0;
        drops.clear();
    }

    /** Removes the simulation's state (nothing outside this process holds any). */
    void close() {
        heal();
    }

    /** Runs a command with {@code input} on its standard input; fails with its output if it fails. */
    static String run(String input, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
        return out;
    }

    static Set<String> names(Collection<SimNode> nodes) {
        Set<String> out = new LinkedHashSet<>();
        nodes.forEach(n -> out.add(n.address()));
        return out;
    }
}
