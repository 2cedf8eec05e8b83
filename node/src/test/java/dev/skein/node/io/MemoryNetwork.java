package dev.skein.node.io;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An underlay in memory that whole data planes talk through, as Nebula's e2e router does: sockets by address,
 * NAT routers in front of some of them ({@link Nat}), and faults on every datagram (loss, duplication, delay
 * with jitter, which reorders), links that can be cut ({@link #block}), and {@link #inject} for an attacker's
 * datagrams. Faults draw from one seeded random source, so a failing run can be repeated.
 */
public final class MemoryNetwork implements AutoCloseable {
    public record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] bytes) {}

    private final Map<InetSocketAddress, MemorySocket> sockets = new ConcurrentHashMap<>();
    private final List<Nat> nats = new CopyOnWriteArrayList<>();
    private final Set<Set<InetAddress>> blocked = ConcurrentHashMap.newKeySet();
    private final Random random;
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "memory-network");
        t.setDaemon(true);
        return t;
    });
    /** Sees every datagram before its faults: returns true to swallow it (tests capture and drop with it). */
    private volatile java.util.function.Predicate<Datagram> intercept = d -> false;
    private volatile double loss;
    private volatile double duplication;
    private volatile long delayMillis;
    private volatile long jitterMillis;
    public final AtomicLong delivered = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();

    public MemoryNetwork(long seed) {
        this.random = new Random(seed);
    }

    public static InetSocketAddress endpoint(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(dev.skein.protocol.addr.IpPrefix.parseAddress(ip)), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public MemorySocket bind(String ip, int port) {
        InetSocketAddress a = endpoint(ip, port);
        MemorySocket s = new MemorySocket(this, a);
        if (sockets.putIfAbsent(a, s) != null) {
            throw new IllegalStateException(a + " is in use");
        }
        return s;
    }

    void unbind(MemorySocket s) {
        sockets.remove(s.address(), s);
    }

    /** A NAT router with {@code publicIp} in front of every address that starts with {@code insidePrefix}. */
    public Nat nat(String publicIp, String insidePrefix, Nat.Mapping mapping) {
        Nat n = new Nat(endpoint(publicIp, 0).getAddress(), insidePrefix, mapping, random);
        nats.add(n);
        return n;
    }

    /** Every datagram from now on: lost with {@code loss}, sent twice with {@code duplication}, delayed. */
    public void faults(double loss, double duplication, long delayMillis, long jitterMillis) {
        this.loss = loss;
        this.duplication = duplication;
        this.delayMillis = delayMillis;
        this.jitterMillis = jitterMillis;
    }

    public void intercept(java.util.function.Predicate<Datagram> filter) {
        this.intercept = filter;
    }

    /** Cuts (or with {@code cut} false, restores) the path between two public addresses, both ways. */
    public void block(String a, String b, boolean cut) {
        Set<InetAddress> pair = Set.of(endpoint(a, 0).getAddress(), endpoint(b, 0).getAddress());
        if (cut) {
            blocked.add(pair);
        } else {
            blocked.remove(pair);
        }
    }

    private final Map<List<InetAddress>, Long> slowLegs = new ConcurrentHashMap<>();

    /**
     * Datagrams from {@code from} to {@code to} (addresses as they cross the internet: a router's public one for
     * a site) take {@code extraMillis} longer than the rest, in that direction only.
     */
    public void slowLeg(String from, String to, long extraMillis) {
        slowLegs.put(List.of(endpoint(from, 0).getAddress(), endpoint(to, 0).getAddress()), extraMillis);
    }

    /** A datagram from anyone (an attacker need not own a socket): routed like any other. */
    public void inject(InetSocketAddress from, InetSocketAddress to, byte[] bytes) {
        send(from, to, bytes.clone(), 0);
    }

    /** IP packets on every path are at most this long (UDP and IPv4 headers counted, 28 bytes); -1: no limit. */
    private volatile int mtu = -1;

    /** Every path's MTU from now on: longer datagrams are dropped, as a router drops them under DF. */
    public void mtu(int bytes) {
        mtu = bytes;
    }

    int mtu() {
        return mtu;
    }

    /**
     * Routes a datagram; {@code hops} is its hop limit (0: the default, enough for anywhere). Leaving a site counts
     * one hop (its router) and crossing the internet another, so a limit of 2 or less never reaches another site:
     * the sender's router translates it (and keeps the mapping) and the internet drops it.
     */
    void send(InetSocketAddress from, InetSocketAddress to, byte[] bytes, int hops) {
        if (mtu > 0 && bytes.length + 28 > mtu) {
            dropped.incrementAndGet(); // too big for the path: a router answers ICMP, a host learns the MTU
            return;
        }
        Nat fromNat = inside(from.getAddress());
        Nat toNat = inside(to.getAddress());
        boolean crossing = fromNat == null || fromNat != toNat; // within one site, no translation
        if (crossing && toNat != null) {
            dropped.incrementAndGet(); // an inside address is not routed from outside its site
            return;
        }
        if (crossing && fromNat != null) {
            from = fromNat.outbound(from, to); // the sender's router translates when the datagram leaves
        }
        if (crossing && hops > 0 && hops <= 2) {
            dropped.incrementAndGet(); // its time to live ran out on the way
            return;
        }
        int copies = 1;
        long delay;
        synchronized (random) {
            if (loss > 0 && random.nextDouble() < loss) {
                dropped.incrementAndGet();
                return;
            }
            if (duplication > 0 && random.nextDouble() < duplication) {
                copies = 2;
            }
            delay = delayMillis + (jitterMillis > 0 ? (long) (random.nextDouble() * jitterMillis) : 0);
        }
        delay += slowLegs.getOrDefault(List.of(from.getAddress(), to.getAddress()), 0L);
        InetSocketAddress source = from;
        for (int i = 0; i < copies; i++) {
            if (delay == 0) {
                arrive(source, to, bytes, crossing);
            } else {
                // the far router sees it only when it gets there: what its host sent meanwhile counts
                later.schedule(() -> arrive(source, to, bytes, crossing), delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** A datagram reaches the far end of the underlay: its router (if any), the cut links, the tap, the socket. */
    private void arrive(InetSocketAddress from, InetSocketAddress to, byte[] bytes, boolean crossing) {
        if (crossing) {
            for (Nat n : nats) {
                if (n.publicAddress.equals(to.getAddress())) {
                    to = n.inbound(to.getPort(), from);
                    if (to == null) {
                        dropped.incrementAndGet(); // no mapping, or filtered
                        return;
                    }
                    break;
                }
            }
            if (blocked.contains(Set.of(from.getAddress(), publicOf(to)))) {
                dropped.incrementAndGet();
                return;
            }
        }
        Datagram d = new Datagram(from, to, bytes);
        if (!intercept.test(d)) {
            deliver(d);
        }
    }

    /** The address the outside sees for {@code to}: its NAT's public one when it is inside a site. */
    private InetAddress publicOf(InetSocketAddress to) {
        Nat n = inside(to.getAddress());
        return n == null ? to.getAddress() : n.publicAddress;
    }

    private void deliver(Datagram d) {
        MemorySocket s = sockets.get(d.to());
        if (s != null && s.arrive(d)) {
            delivered.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    private Nat inside(InetAddress a) {
        for (Nat n : nats) {
            if (a.getHostAddress().startsWith(n.insidePrefix)) {
                return n;
            }
        }
        return null;
    }

    @Override
    public void close() {
        later.shutdownNow();
    }

    /**
     * A NAT router as homes have them: it lets in only what comes from an address and port the inside sent to
     * (address- and port-dependent filtering). {@link Mapping#PORT_PRESERVING} keeps the inside port and one
     * mapping for all destinations (holes can be punched); {@link Mapping#RANDOM_PORT} takes a new random port
     * for every destination (a symmetric NAT: only a relay gets through). {@link Mapping#BARE_MASQUERADE} is a
     * Linux router with nothing but masquerade and forwarding for established flows, as conntrack makes it: one
     * mapping per destination, keeping the inside port when it can; a datagram nothing inside asked for is taken
     * by the router itself, and the entry that leaves (kept {@link #UNREPLIED_MILLIS}, refreshed by each further
     * one) makes the next mapping toward that sender from that port take another port, which the sender's own
     * router does not let in.
     */
    public static final class Nat {
        public enum Mapping { PORT_PRESERVING, RANDOM_PORT, BARE_MASQUERADE }

        /** As Linux's nf_conntrack_udp_timeout. */
        public static final long UNREPLIED_MILLIS = 30_000;
        /** BARE_MASQUERADE: entries the router took for itself, (sender, our port), and when each was last hit. */
        private final Map<List<Object>, Long> taken = new HashMap<>();
        /** BARE_MASQUERADE: (destination, our port) of every mapping, to find the inside an answer belongs to. */
        private final Map<List<Object>, InetSocketAddress> replies = new HashMap<>();

        private final InetAddress publicAddress;
        private final String insidePrefix;
        private final Mapping mapping;
        private final Random random;
        private final Map<List<InetSocketAddress>, Integer> ports = new HashMap<>();
        private final Map<Integer, InetSocketAddress> insideByPort = new HashMap<>();
        private final Map<Integer, Set<InetSocketAddress>> contacted = new HashMap<>();
        /** After {@link #rebind()}: new mappings take random ports, so the inside really appears elsewhere. */
        private boolean rebound;

        Nat(InetAddress publicAddress, String insidePrefix, Mapping mapping, Random random) {
            this.publicAddress = publicAddress;
            this.insidePrefix = insidePrefix;
            this.mapping = mapping;
            this.random = random;
        }

        synchronized InetSocketAddress outbound(InetSocketAddress inside, InetSocketAddress to) {
            if (mapping == Mapping.BARE_MASQUERADE) {
                return bareOutbound(inside, to);
            }
            List<InetSocketAddress> key = mapping == Mapping.PORT_PRESERVING ? List.of(inside) : List.of(inside, to);
            Integer port = ports.get(key);
            if (port == null) {
                port = mapping == Mapping.PORT_PRESERVING && !rebound && !insideByPort.containsKey(inside.getPort())
                        ? inside.getPort() : freePort();
                ports.put(key, port);
                insideByPort.put(port, inside);
            }
            contacted.computeIfAbsent(port, p -> new HashSet<>()).add(to);
            return new InetSocketAddress(publicAddress, port);
        }

        synchronized InetSocketAddress inbound(int port, InetSocketAddress from) {
            if (mapping == Mapping.BARE_MASQUERADE) {
                InetSocketAddress inside = replies.get(List.of(from, port));
                if (inside == null) {
                    taken.put(List.of(from, port), System.nanoTime()); // delivered to the router itself
                }
                return inside;
            }
            Set<InetSocketAddress> allowed = contacted.get(port);
            return allowed != null && allowed.contains(from) ? insideByPort.get(port) : null;
        }

        private InetSocketAddress bareOutbound(InetSocketAddress inside, InetSocketAddress to) {
            List<InetSocketAddress> key = List.of(inside, to);
            Integer port = ports.get(key);
            if (port == null) {
                port = rebound || inUse(to, inside.getPort()) ? freePort() : inside.getPort();
                ports.put(key, port);
                replies.put(List.of(to, port), inside);
            }
            return new InetSocketAddress(publicAddress, port);
        }

        /** Whether an answer from {@code to} to our {@code port} would already belong elsewhere. */
        private boolean inUse(InetSocketAddress to, int port) {
            Long hit = taken.get(List.of(to, port));
            if (hit != null && System.nanoTime() - hit < UNREPLIED_MILLIS * 1_000_000) {
                return true;
            }
            return replies.containsKey(List.of(to, port));
        }

        private int freePort() {
            int p;
            synchronized (random) {
                do {
                    p = 20000 + random.nextInt(40000);
                } while (insideByPort.containsKey(p));
            }
            return p;
        }

        /** Forgets every mapping, as a router that restarted: the inside gets new public ports (roaming). */
        public synchronized void rebind() {
            rebound = true;
            ports.clear();
            insideByPort.clear();
            contacted.clear();
            taken.clear();
            replies.clear();
        }
    }
}
