package dev.skein.simulations;

import dev.skein.node.membership.Pace;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * N simulated nodes of one mesh, with one CA, in the current network namespace (which the caller created:
 * see simulations/scripts/scale.sh). Node i gets an overlay address 100.64.x.y of its own on the loopback
 * device, where its gossip binds, and a made-up underlay endpoint 198.18.x.y:51820 that only the in-memory
 * {@link Fabric} uses; node 0 is the seed everybody joins through.
 */
final class Cluster implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    final Fabric fabric = new Fabric();
    /** The in-memory gossip network, or null when the gossip goes over loopback TCP and UDP. */
    private final MemoryNetwork network;
    private final Pace pace;
    private final CertificateAuthority ca;
    private final List<SimNode> nodes = new ArrayList<>();
    /** Each cluster of a run takes fresh addresses: sockets of the previous one may linger a moment. */
    private static int nextBase;
    private final int base;
    /** Stopping a node may wait for its goodbye: done off the caller's thread, like a process dying. */
    private final ExecutorService stopper = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sim-stopper");
        t.setDaemon(true);
        return t;
    });

    Cluster(boolean inMemory) throws Exception {
        this(inMemory, Pace.REAL);
    }

    /** With a {@code pace} slower than real, every node's membership runs that much slower (see {@link Pace}). */
    Cluster(boolean inMemory, Pace pace) throws Exception {
        this(inMemory, pace, Duration.ZERO);
    }

    /** In memory, each gossip message arrives {@code latency} after it was sent. */
    Cluster(boolean inMemory, Pace pace, Duration latency) throws Exception {
        this.pace = pace;
        network = inMemory ? new MemoryNetwork(latency) : null;
        Instant now = Instant.now();
        ca = CertificateAuthority.create("sim", IpPrefix.parse("100.64.0.0/10"), now.minusSeconds(3600),
                now.plus(Duration.ofDays(60)), RANDOM);
        synchronized (Cluster.class) {
            base = nextBase;
            nextBase += 1000;
        }
        if (network == null) {
            Fabric.run("", "ip", "link", "set", "lo", "up"); // in memory, no socket is bound: no root needed
        }
        fabric.heal();
    }

    static String address(int k) {
        return "100.64." + (1 + k / 250) + "." + (1 + k % 250);
    }

    private static InetSocketAddress endpoint(int k) {
        return new InetSocketAddress("198.18." + (k / 250) + "." + (1 + k % 250), 51820);
    }

    /** Creates node i (not started): certificate, keys, its address on the loopback device. */
    SimNode create(int i) throws Exception {
        String address = address(base + i);
        if (network == null) {
            Fabric.run("", "ip", "addr", "replace", address + "/32", "dev", "lo");
        }
        byte[] x = Curve25519.generatePrivateKey(RANDOM);
        byte[] ed = Ed25519Keys.generatePrivateKey(RANDOM);
        Instant now = Instant.now();
        Certificate cert = ca.sign(new CertificateRequest("s" + i, IpPrefix.parse(address + "/10"), List.of(),
                List.of(), Curve25519.publicKey(x), Ed25519Keys.publicKey(ed), now.minusSeconds(60),
                now.plus(Duration.ofDays(30)))); // far from expiry: no node warns that it should renew
        // Each node its own verifier, as each real node has: it remembers the certificates it has checked.
        SimNode node = new SimNode(cert, ed, endpoint(base + i), new CertificateVerifier(ca.certificate()),
                List.of(endpoint(base)), fabric, network, pace);
        fabric.add(node);
        nodes.add(node);
        return node;
    }

    /** How the gossip travels, as the report names it. */
    String transport() {
        return network == null ? "loopback" : "memory";
    }

    /**
     * {bytes, packets} of gossip so far: on loopback, the device's counters (TCP and UDP with their headers);
     * in memory, each message's payload and type, one "packet" per message.
     */
    long[] traffic() throws IOException {
        return network == null ? Loopback.counters() : network.counters();
    }

    List<SimNode> nodes() {
        return nodes;
    }

    /** The nodes that run and are not cut off: the ones every other live node should have a route to. */
    List<SimNode> live() {
        List<SimNode> out = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.running() && !fabric.blocked(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** True when every live node has a route to every other live node. */
    boolean converged() {
        List<SimNode> live = live();
        for (SimNode a : live) {
            for (SimNode b : live) {
                if (a != b && !a.peers().hasRoute(b.name())) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * What stands between a slow formation and convergence: how many ordered live pairs lack a route, the nodes
     * that lack most (with their latest refusals) and the nodes most lacked. For the log of a long wait.
     */
    String unrouted() {
        List<SimNode> live = live();
        java.util.Map<String, Integer> lacks = new java.util.TreeMap<>();
        java.util.Map<String, Integer> lacked = new java.util.TreeMap<>();
        long missing = 0;
        for (SimNode a : live) {
            for (SimNode b : live) {
                if (a != b && !a.peers().hasRoute(b.name())) {
                    missing++;
                    lacks.merge(a.name(), 1, Integer::sum);
                    lacked.merge(b.name(), 1, Integer::sum);
                }
            }
        }
        StringBuilder out = new StringBuilder(missing + " of " + (long) live.size() * (live.size() - 1)
                + " ordered pairs unrouted; " + lacks.size() + " nodes lack a route, " + lacked.size() + " lacked");
        lacks.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(3).forEach(e -> {
            SimNode n = live.stream().filter(x -> x.name().equals(e.getKey())).findFirst().orElseThrow();
            out.append("; ").append(e.getKey()).append(" lacks ").append(e.getValue()).append(" (refusals: ")
                    .append(n.refusals()).append(')');
        });
        lacked.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(3)
                .forEach(e -> out.append("; ").append(e.getKey()).append(" lacked by ").append(e.getValue()));
        return out.toString();
    }

    /** Fraction of ordered live pairs (a, b) where a has a route to b; 1 with fewer than two live nodes. */
    double routedFraction() {
        List<SimNode> live = live();
        long pairs = 0;
        long routed = 0;
        for (SimNode a : live) {
            for (SimNode b : live) {
                if (a != b) {
                    pairs++;
                    if (a.peers().hasRoute(b.name())) {
                        routed++;
                    }
                }
            }
        }
        return pairs == 0 ? 1 : (double) routed / pairs;
    }

    /** {@link #await(java.util.function.BooleanSupplier, long, Duration, Duration)}, looking every 20 ms. */
    static double await(java.util.function.BooleanSupplier done, long since, Duration limit)
            throws InterruptedException {
        return await(done, since, limit, Duration.ofMillis(20));
    }

    /**
     * Waits (bounded) until {@code done} holds, looking every {@code poll}; returns the seconds since
     * {@code since}, or -1 on timeout.
     */
    static double await(java.util.function.BooleanSupplier done, long since, Duration limit, Duration poll)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return (System.nanoTime() - since) / 1e9;
            }
            Thread.sleep(poll.toMillis());
        }
        return -1;
    }

    /** Kills a node: its messages stop at once, then its membership stops, with no goodbye. */
    void kill(SimNode n) {
        fabric.block(n);
        stopper.execute(n::kill);
    }

    /** Brings a killed node back as a new run (a new incarnation), on the same address and certificate. */
    void restart(SimNode n) throws IOException {
        long limit = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (n.running()) {
            if (System.nanoTime() > limit) {
                throw new IOException(n.name() + " was still stopping 30 s after it was killed");
            }
            Thread.onSpinWait(); // the stopper has not finished yet (on the virtual clock: runs the next task)
        }
        fabric.unblock(n);
        n.start();
    }

    @Override
    public void close() {
        stopper.shutdown(); // let the kills under way finish: a node must not be stopped twice at once
        try {
            stopper.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Every node stops at once, as a whole mesh shutting down would (on the virtual clock, as its tasks).
        ExecutorService closer = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sim-closer");
            t.setDaemon(true);
            return t;
        });
        List<java.util.concurrent.Future<?>> stops = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.running()) {
                stops.add(closer.submit(n::stop));
            }
        }
        for (java.util.concurrent.Future<?> stop : stops) {
            try {
                stop.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // a node that did not stop in time is left to the process's end
            }
        }
        closer.shutdown();
        fabric.close();
        if (network != null) {
            System.err.print("gossip by message type:\n" + network.breakdown());
            network.close();
        }
        for (SimNode n : network == null ? nodes : List.<SimNode>of()) {
            try {
                Fabric.run("", "ip", "addr", "del", n.address() + "/32", "dev", "lo");
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
