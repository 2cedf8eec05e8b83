package dev.skein.simulations;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two members cut off from each other long enough that each removes the other: once the cut heals neither holds
 * a peer for the other, so, as on a real node, no gossip passes between them (the fabric carries gossip only
 * between members that hold each other as peers: a session needs a peer at both ends), and their gossip layers
 * cannot find each other again by themselves. Each must still be back at the other, by a join exchange outside
 * the overlay: here the non-seed's join through its seed (the test passes with the greeting of session 28
 * disabled too), elsewhere the greeting sent to a believed member's endpoints, or the handshake of a member that
 * still holds us. The simulation carried gossip between any two nodes before session 29, so it could not show
 * such a pair at all.
 */
class CutOffPairTest {
    @Test
    void twoMembersThatRemovedEachOtherWhileCutOffAreBackAtEachOtherOnceTheCutHeals() throws Exception {
        try (Cluster c = new Cluster(true)) {
            for (int i = 0; i < 2; i++) {
                c.create(i).start();
            }
            assertTrue(Cluster.await(c::converged, System.nanoTime(), Duration.ofSeconds(60)) >= 0,
                    "2 nodes did not converge in 60 s");
            SimNode a = c.nodes().get(0);
            SimNode b = c.nodes().get(1);
            assertTrue(c.fabric.carries(a.address(), b.address()), "a formed pair's gossip passes");

            c.fabric.partition(Set.of(a.address()), Set.of(b.address()));
            double apart = Cluster.await(() -> !a.peers().hasRoute(b.name()) && !b.peers().hasRoute(a.name()),
                    System.nanoTime(), Duration.ofSeconds(20));
            assertTrue(apart >= 0, "the cut-off pair did not remove each other in 20 s");
            c.fabric.heal();
            assertFalse(c.fabric.carries(a.address(), b.address()), "no peer at either end: no gossip passes");

            long healed = System.nanoTime();
            double back = Cluster.await(() -> a.peers().hasRoute(b.name()) && b.peers().hasRoute(a.name()),
                    healed, Duration.ofSeconds(45));
            System.out.printf("a pair that removed each other while cut off was back %.1f s after the cut healed%n", back);
            assertTrue(back >= 0, "still apart 45 s after the cut healed");
            assertTrue(Cluster.await(() -> c.fabric.carries(a.address(), b.address()), healed,
                    Duration.ofSeconds(5)) >= 0, "peers at both ends again, yet no gossip passes");
            List<String> refusals = a.refusals();
            assertTrue(refusals.isEmpty() || refusals.stream().noneMatch(r -> r.contains(b.name())),
                    "a refused b on the way back: " + refusals);
        }
    }
}
