package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.cluster.messaging.MessagingConfig;
import io.atomix.cluster.messaging.impl.NettyMessagingService;
import io.atomix.cluster.messaging.impl.NettyUnicastService;
import io.atomix.utils.net.Address;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SWIM's probes as datagrams, between Atomix's real TCP messaging and UDP unicast services on loopback (no root):
 * a probe is answered by datagram and never opens a connection, not even to a member that listens on TCP only; a
 * forged reply does not make a silent member look alive; a lost datagram is asked again by datagram.
 */
class DatagramProbesTest {
    /**
     * SWIM's. A first probe to a member waits {@link ProbeTimeout#MAX_MULTIPLIER} times as long (4 s): long enough
     * that a first datagram on a cold JVM (Netty's classes still loading, a loaded CI machine) is answered before
     * half of it, when the probe would be asked again and the counts below would differ.
     */
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private final List<Runnable> stops = new ArrayList<>();

    @AfterEach
    void stop() {
        stops.forEach(Runnable::run);
    }

    /** One member's gossip transports: Atomix's real services, started, stopped after the test. */
    private record Member(Address address, ManagedMessagingService tcp, ManagedUnicastService udp,
                          DatagramProbes probes) {}

    private Member member(boolean datagrams) throws Exception {
        Address at = Address.from("127.0.0.1", LoopbackPorts.freeForTcpAndUdp());
        ManagedMessagingService tcp = new NettyMessagingService("probes", at, new MessagingConfig());
        ManagedUnicastService udp = new NettyUnicastService(at, new MessagingConfig());
        tcp.start().get(10, TimeUnit.SECONDS);
        udp.start().get(10, TimeUnit.SECONDS);
        stops.add(() -> {
            tcp.stop().join();
            udp.stop().join();
        });
        return new Member(at, tcp, udp, datagrams ? new DatagramProbes(tcp, udp) : null);
    }

    /** Registers SWIM-like handlers on {@code m}: a probe is answered with "alive:" + its payload. */
    private static AtomicInteger answerProbes(Member m, AtomicInteger overTcp) {
        AtomicInteger answered = new AtomicInteger();
        java.util.function.BiFunction<io.atomix.utils.net.Address, byte[], byte[]> handler = (from, payload) -> {
            answered.incrementAndGet();
            return ("alive:" + new String(payload)).getBytes();
        };
        if (m.probes() != null) {
            m.probes().registerHandler(DatagramProbes.PROBE, handler, Runnable::run);
        }
        // Over TCP too (an older member registers only this; a newer one gets both from the call above).
        m.tcp().unregisterHandler(DatagramProbes.PROBE);
        m.tcp().registerHandler(DatagramProbes.PROBE, (java.util.function.BiFunction<Address, byte[], byte[]>) (from, p) -> {
            overTcp.incrementAndGet();
            return handler.apply(from, p);
        }, Runnable::run);
        return answered;
    }

    /** A thread of its own for a handler that takes its time, so that the gossip layer's threads do not wait. */
    private static java.util.concurrent.Executor handlerThread(String name) {
        return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private static byte[] probe(Member from, Member to) throws Exception {
        return from.probes().sendAndReceive(to.address(), DatagramProbes.PROBE, "n1".getBytes(), false, TIMEOUT)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aProbeIsAnsweredByDatagramWithoutAConnection() throws Exception {
        Member a = member(true);
        Member b = member(true);
        AtomicInteger overTcp = new AtomicInteger();
        AtomicInteger answered = answerProbes(b, overTcp);
        answerProbes(a, new AtomicInteger());
        for (int i = 0; i < 20; i++) {
            assertArrayEquals("alive:n1".getBytes(), probe(a, b));
        }
        assertEquals(20, answered.get());
        assertEquals(0, overTcp.get(), "no probe went over TCP");
        assertEquals(20, a.probes().answeredByDatagram());
    }

    /**
     * Not even to a member that has never answered a datagram: on a saturated host that was nearly every member,
     * and a TCP connection per probe kept the host saturated. A member that listens on TCP only (nodes before
     * datagram probes) goes unanswered, asked twice by datagram.
     */
    @Test
    void aProbeIsNeverAskedOverTcp() throws Exception {
        Member a = member(true);
        Member old = member(false); // probes on TCP only, nothing on the datagram subject
        AtomicInteger overTcp = new AtomicInteger();
        answerProbes(old, overTcp);
        Duration shortWait = Duration.ofMillis(600);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> a.probes()
                .sendAndReceive(old.address(), DatagramProbes.PROBE, "n1".getBytes(), false, shortWait)
                .get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failed.getCause());
        assertEquals(0, overTcp.get(), "no probe went over TCP");
        assertEquals(2, a.probes().sentByDatagram(), "asked by datagram, then once more at half the wait");
    }

    @Test
    void aForgedReplyDoesNotAnswerForASilentMember() throws Exception {
        Member a = member(true);
        Member forger = member(true);
        Address silent = Address.from("127.0.0.1", LoopbackPorts.freeForTcpAndUdp()); // nobody listens there
        // The forger sees no request (they go to the silent address), so it tries every id it might guess and
        // also replays the reply shape with ids 0..999, from its own address and claiming to be the silent one.
        CompletableFuture<byte[]> probe =
                a.probes().sendAndReceive(silent, DatagramProbes.PROBE, "n1".getBytes(), false, TIMEOUT);
        for (long id = 0; id < 1000; id++) {
            byte[] reply = ByteBuffer.allocate(8 + 5).putLong(id).put("alive".getBytes()).array();
            forger.udp().unicast(a.address(), DatagramProbes.REPLY_SUBJECT, reply);
        }
        ExecutionException failed = assertThrows(ExecutionException.class, () -> probe.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failed.getCause());
        assertTrue(a.probes().refusedReplies() > 0, "the forged replies were seen and refused");
    }

    @Test
    void aReplyFromAnotherMemberIsRefusedEvenWithTheRightId() throws Exception {
        Member a = member(true);
        Member b = member(true);
        Member other = member(true);
        // b hands the request's id to another member, which answers in b's place: refused, b's own answer taken.
        b.probes().registerHandler(DatagramProbes.PROBE, (java.util.function.BiFunction<Address, byte[], byte[]>) (f, p) -> "alive:b".getBytes(), Runnable::run);
        b.udp().addListener(DatagramProbes.REQUEST_SUBJECT, (from, datagram) -> {
            long id = ByteBuffer.wrap(datagram).getLong();
            other.udp().unicast(a.address(), DatagramProbes.REPLY_SUBJECT,
                    ByteBuffer.allocate(8 + 7).putLong(id).put("alive:x".getBytes()).array());
        }, Runnable::run);
        byte[] reply = probe(a, b);
        // Both replies race; whichever came first, the one from the other member must never be the answer.
        assertArrayEquals("alive:b".getBytes(), reply);
    }

    @Test
    void aLostDatagramIsAskedAgainByDatagram() throws Exception {
        Member a = member(true);
        AtomicInteger seen = new AtomicInteger();
        Member lossy = member(true);
        AtomicInteger lossyTcp = new AtomicInteger();
        lossy.probes().registerHandler(DatagramProbes.PROBE, (java.util.function.BiFunction<Address, byte[], byte[]>) (f, p) -> {
            if (seen.getAndIncrement() == 0) {
                throw new IllegalStateException("lost"); // the first request is lost
            }
            return "alive:lossy".getBytes();
        }, Runnable::run);
        lossy.tcp().unregisterHandler(DatagramProbes.PROBE);
        lossy.tcp().registerHandler(DatagramProbes.PROBE, (java.util.function.BiFunction<Address, byte[], byte[]>) (f, p) -> {
            lossyTcp.incrementAndGet();
            return "alive:tcp".getBytes();
        }, Runnable::run);
        assertArrayEquals("alive:lossy".getBytes(), probe(a, lossy)); // first datagram lost, the second answered
        assertEquals(0, lossyTcp.get(), "asked again by datagram, not over TCP");
        assertEquals(2, seen.get());
        assertEquals(2, a.probes().sentByDatagram());
    }

    /** A handler that answers "alive:" + {@code tag}, each call after the delay {@code delays} gives it. */
    private static java.util.function.BiFunction<Address, byte[], byte[]> answering(String tag,
            java.util.function.IntToLongFunction delays) {
        AtomicInteger calls = new AtomicInteger();
        return (f, p) -> {
            try {
                Thread.sleep(delays.applyAsLong(calls.getAndIncrement()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ("alive:" + tag).getBytes();
        };
    }

    /** A member answering probes by datagram only, "alive:" + {@code tag}, each after the delay {@code delays} sets. */
    private Member answeringLate(String tag, java.util.function.IntToLongFunction delays) throws Exception {
        Member m = member(true);
        m.probes().registerHandler(DatagramProbes.PROBE, answering(tag, delays), handlerThread(tag + "-probe-handler"));
        m.tcp().unregisterHandler(DatagramProbes.PROBE);
        return m;
    }

    @Test
    void aLateAnswerLengthensTheNextProbesWaitAndASilentMemberDoesNot() throws Exception {
        Member a = member(true);
        // Answers the first probe at once, then every one 700 ms late, as a node on a saturated host would.
        Member starved = answeringLate("late", call -> call == 0 ? 0 : 700);
        Duration configured = Duration.ofMillis(500);
        Address silent = Address.from("127.0.0.1", LoopbackPorts.freeForTcpAndUdp()); // nobody listens there
        ExecutionException gone = assertThrows(ExecutionException.class, () -> a.probes()
                .sendAndReceive(silent, DatagramProbes.PROBE, "n1".getBytes(), false, configured).get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, gone.getCause());
        assertEquals(configured.multipliedBy(ProbeTimeout.MAX_MULTIPLIER),
                a.probes().timeoutFor(DatagramProbes.PROBE, silent, configured),
                "a member never heard from waits the longest (its first datagram may wait for a handshake)");
        assertArrayEquals("alive:late".getBytes(), a.probes()
                .sendAndReceive(starved.address(), DatagramProbes.PROBE, "n1".getBytes(), false, configured)
                .get(10, TimeUnit.SECONDS));
        assertEquals(configured, a.probes().timeoutFor(DatagramProbes.PROBE, starved.address(), configured),
                "a member that answers nothing does not lengthen the wait, nor one that answers at once");

        ExecutionException late = assertThrows(ExecutionException.class, () -> a.probes()
                .sendAndReceive(starved.address(), DatagramProbes.PROBE, "n1".getBytes(), false, configured)
                .get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, late.getCause(), "700 ms is past SWIM's 500");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.probes().lateByDatagram() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, a.probes().lateByDatagram(), "the answer after the timeout was still timed");
        Duration stretched = a.probes().timeoutFor(DatagramProbes.PROBE, starved.address(), configured);
        assertTrue(stretched.compareTo(Duration.ofMillis(1400)) >= 0, "twice the late round trip: " + stretched);
        assertEquals(stretched.multipliedBy(2),
                a.probes().timeoutFor(DatagramProbes.PROBE_REQUEST, starved.address(), configured),
                "a probe request waits for the other member's probe too");
        // The same starved member is now found alive instead of suspected.
        assertArrayEquals("alive:late".getBytes(), a.probes()
                .sendAndReceive(starved.address(), DatagramProbes.PROBE, "n1".getBytes(), false, configured)
                .get(10, TimeUnit.SECONDS));
        assertEquals(2, a.probes().timedOut(), "the silent member's probe and the first late one");
    }

    @Test
    void aFirstProbeWaitsForTheHandshakeItsDatagramNeedsAndALaterOneDoesNot() throws Exception {
        Member a = member(true);
        // Its first answer takes 1.2 s, as the first datagram to a member does while a WireGuard session to it is
        // made on a busy host; every later one 700 ms.
        Member fresh = answeringLate("fresh", call -> call == 0 ? 1200 : 700);
        Duration configured = Duration.ofMillis(500);
        assertArrayEquals("alive:fresh".getBytes(), a.probes()
                .sendAndReceive(fresh.address(), DatagramProbes.PROBE, "n1".getBytes(), false, configured)
                .get(10, TimeUnit.SECONDS), "found alive, not suspected");
        assertEquals(0, a.probes().timedOut());
        // In contact now: its wait follows the recent round trips (twice the first one's 1.2 s), not the longest.
        assertTrue(a.probes().timeoutFor(DatagramProbes.PROBE, fresh.address(), configured)
                .compareTo(configured.multipliedBy(ProbeTimeout.MAX_MULTIPLIER)) < 0);
    }
}
