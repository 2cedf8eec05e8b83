package dev.skein.simulations;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A stopping node's goodbye reaches every member even when its first copies to one of them are lost, so that
 * member drops it at once instead of by failure detection. Real membership control planes on the in-memory
 * gossip network (no root, no sockets); the fabric loses the goodbyes.
 */
class GoodbyeTest {
    /** The wire name of a goodbye (Gossip.LEAVE); the test checks that its drops really happened. */
    private static final String GOODBYE = "skein-leave";
    /** MemberTable.SILENCE: failure detection removes a member only after this long without a word from it. */
    private static final Duration SILENCE = Duration.ofSeconds(2);

    @Test
    void aGoodbyeLostOnTheWayIsHandedOverAgainAndEveryMemberDropsTheLeaverAtOnce() throws Exception {
        try (Cluster c = new Cluster(true)) {
            twoConverged(c); // with more nodes, the others pass the leaving record on, hiding a lost goodbye
            SimNode leaver = c.nodes().get(1);
            SimNode unlucky = c.nodes().get(0);
            // Nothing but the goodbye gets from the leaver to the unlucky one (as when the leaver's gossip layer
            // does not list a member that restarted moments ago), and its first two goodbyes to it are lost.
            c.fabric.dropNext(type -> !type.equals(GOODBYE), leaver, unlucky, Integer.MAX_VALUE);
            AtomicInteger undropped = c.fabric.dropNext(GOODBYE::equals, leaver, unlucky, 2);
            long stopped = System.nanoTime();
            leaver.stop();

            List<SimNode> others = List.of(unlucky);
            double gone = Cluster.await(() -> others.stream().noneMatch(o -> o.peers().hasRoute(leaver.name())),
                    stopped, Duration.ofSeconds(15));
            assertTrue(gone >= 0, "the leaver still has a route somewhere 15 s after it stopped");
            for (SimNode o : others) {
                long removed = c.fabric.events().removedAt(o.name(), leaver.name(), stopped).orElseThrow();
                long silent = removed - o.transport().lastHeard(leaver.address());
                // Failure detection waits for SILENCE after the last word; a goodbye is that last word.
                assertTrue(silent < SILENCE.toNanos(), o.name() + " dropped the leaver " + silent / 1e9
                        + " s after it last heard from it: by failure detection, not by its goodbye");
            }
            assertTrue(undropped.get() < 0, "the fabric did not lose two goodbyes and pass a third: "
                    + undropped.get());
        }
    }

    /**
     * A member that refuses the goodbye at once (its gossip layer is gone: the whole mesh is stopping) is asked a
     * few times, not every {@code GOODBYE_RETRY_PAUSE} for a whole second.
     */
    @Test
    void aGoodbyeRefusedAtOnceIsTriedAFewTimesOnly() throws Exception {
        try (Cluster c = new Cluster(true)) {
            twoConverged(c);
            SimNode leaver = c.nodes().get(1);
            AtomicInteger left = c.fabric.refuseNext(GOODBYE::equals, leaver, c.nodes().get(0), 100);
            leaver.stop();
            int attempts = 100 - left.get();
            assertTrue(attempts >= 1 && attempts <= 3, attempts + " goodbyes sent to one member");
        }
    }

    private static void twoConverged(Cluster c) throws Exception {
        for (int i = 0; i < 2; i++) {
            c.create(i).start();
        }
        assertTrue(Cluster.await(c::converged, System.nanoTime(), Duration.ofSeconds(60)) >= 0,
                "2 nodes did not converge in 60 s");
    }
}
