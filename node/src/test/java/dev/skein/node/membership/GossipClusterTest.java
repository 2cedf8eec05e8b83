package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.utils.net.Address;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gossip layers on loopback (Atomix's real services, no root): they find each other and carry record sets,
 * and Atomix's cluster event service, which Skein does not use, sends nothing (it used to open a TCP connection
 * to a random member every second on every node).
 */
class GossipClusterTest {
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        executor.shutdownNow();
    }

    /**
     * Counts, per subject, what a gossip layer sends over its TCP messaging; the first {@code unconnectable}
     * record sets fail as Atomix fails a connection it could not open in time (as to a member whose WireGuard
     * session is still being made).
     */
    private static final class CountingTransport implements GossipTransport {
        final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
        final AtomicInteger unconnectable = new AtomicInteger();

        @Override
        public ManagedMessagingService messaging(ManagedMessagingService real) {
            return new ForwardingMessaging(real) {
                @Override
                protected void sending(String type) {
                    sent.computeIfAbsent(type, t -> new AtomicInteger()).incrementAndGet();
                }

                @Override
                public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
                    if (type.equals(Gossip.RECORDS) && unconnectable.getAndDecrement() > 0) {
                        sending(type);
                        return CompletableFuture.failedFuture(
                                new ConnectException("connection timed out after 1000 ms: " + to));
                    }
                    return super.sendAsync(to, type, payload, keepAlive);
                }
            };
        }

        @Override
        public ManagedUnicastService unicast(ManagedUnicastService real) {
            return real;
        }
    }

    private record Layer(Gossip gossip, MeshDiscovery discovery, int port, CountingTransport transport,
                         LinkedBlockingQueue<byte[]> records) {}

    private Layer layer(String name) throws Exception {
        int port = LoopbackPorts.freeForTcpAndUdp();
        MeshDiscovery discovery = new MeshDiscovery();
        CountingTransport transport = new CountingTransport();
        Gossip g = new Gossip("skein-test", name, "127.0.0.1", port, discovery, "record-of-" + name, () -> { },
                transport, Pace.REAL);
        LinkedBlockingQueue<byte[]> records = new LinkedBlockingQueue<>();
        g.start(bye -> { }, records::add, executor);
        closing.add(g);
        return new Layer(g, discovery, port, transport, records);
    }

    private static boolean lists(Layer l, String name) {
        return l.gossip().members().stream().anyMatch(m -> m.name().equals(name) && m.record().equals("record-of-" + name));
    }

    /** Two layers, a and b, told of each other, once each lists the other (at most 20 s). */
    private Layer[] pair() throws Exception {
        Layer a = layer("a");
        Layer b = layer("b");
        a.discovery().offer("b", "127.0.0.1", b.port());
        b.discovery().offer("a", "127.0.0.1", a.port());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(lists(a, "b") && lists(b, "a")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return new Layer[] {a, b};
    }

    @Test
    void membersFindEachOtherCarryRecordSetsAndTheEventServiceStaysSilent() throws Exception {
        Layer[] ab = pair();
        Layer a = ab[0];
        Layer b = ab[1];
        assertTrue(lists(a, "b") && lists(b, "a"), "each lists the other with its record");
        assertTrue(a.gossip().paced() && b.gossip().paced(), "SWIM's probe rounds are paced (ProbePacing)");
        long probed = a.gossip().messagesSent();

        byte[] set = {1, 2, 3};
        a.gossip().push("b", set);
        assertArrayEquals(set, b.records().poll(10, TimeUnit.SECONDS), "a record set pushed reaches the member");

        // Atomix's event service gossiped every second: three seconds of it would have sent about six.
        Thread.sleep(3000);
        for (Layer l : List.of(a, b)) {
            assertFalse(l.transport().sent.containsKey("ClusterEventingService-update"),
                    "the event service sent " + l.transport().sent);
        }
        assertEquals(1, a.transport().sent.get(Gossip.RECORDS).get());
        assertTrue(a.gossip().messagesSent() > probed + 3, "a still probes b under ProbePacing's rounds");
    }

    /**
     * A member that lists only one other probes it every {@link Gossip#FULL_PACE_MEMBERS} intervals, not every
     * interval: in a mass start every newcomer lists only the seed, and the seed had to answer all of them eight
     * times a second. An upper bound only (a slow machine probes less often, never more), with room for every
     * probe asked twice; at the full pace a would send about four times as many.
     */
    @Test
    void aMemberThatListsOnlyOneOtherProbesItAtAQuarterOfThePace() throws Exception {
        assertEquals(4.0, Gossip.fewMembersFactor(0));
        assertEquals(4.0, Gossip.fewMembersFactor(1));
        assertEquals(2.0, Gossip.fewMembersFactor(2));
        assertEquals(1.0, Gossip.fewMembersFactor(Gossip.FULL_PACE_MEMBERS));
        assertEquals(1.0, Gossip.fewMembersFactor(1000));

        Layer a = pair()[0];
        assertTrue(lists(a, "b"), "a lists b, and only b");
        long start = System.nanoTime();
        long before = a.gossip().messagesSent();
        Thread.sleep(3000);
        long sent = a.gossip().messagesSent() - before;
        double paced = (System.nanoTime() - start) / (double) Gossip.PROBE_INTERVAL.toNanos()
                / Gossip.FULL_PACE_MEMBERS;
        assertTrue(sent >= 1 && sent <= 2 * (paced + 1),
                "a sent " + sent + " probes in the time of " + paced + " rounds at a quarter of the pace");
    }

    @Test
    void aRecordSetIsOfferedAgainWhileItsConnectionCannotBeOpened() throws Exception {
        Layer[] ab = pair();
        Layer a = ab[0];
        Layer b = ab[1];
        assertTrue(lists(a, "b"), "a lists b");
        a.transport().unconnectable.set(2);

        byte[] set = {4, 5, 6};
        CompletableFuture<Boolean> pushed = a.gossip().push("b", set);
        assertArrayEquals(set, b.records().poll(15, TimeUnit.SECONDS), "the third offer reaches the member");
        assertTrue(pushed.get(5, TimeUnit.SECONDS), "the push says it was delivered");
        assertEquals(3, a.transport().sent.get(Gossip.RECORDS).get(), "two failed offers, then the one that went");

        a.transport().unconnectable.set(Gossip.PUSH_ATTEMPTS);
        assertFalse(a.gossip().push("b", set).get(Gossip.PUSH_ATTEMPTS * 3L, TimeUnit.SECONDS),
                "a push whose every connection fails says so, after its last attempt");
        assertEquals(3 + Gossip.PUSH_ATTEMPTS, a.transport().sent.get(Gossip.RECORDS).get(), "and tries no more");
        assertEquals(null, b.records().poll(), "nothing arrived from the failed offers");
    }
}
