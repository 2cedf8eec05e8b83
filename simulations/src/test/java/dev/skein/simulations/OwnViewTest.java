package dev.skein.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * `skein status` shows our public endpoint as soon as the mesh confirms a new one (after a NAT reboot or a move),
 * not at the next change of the member list, which at rest may be minutes away: a clean-clone CI run saw a node
 * that had moved still show its old address 10 s after a seed had told it the new one. Real membership on the
 * in-memory gossip network; a node alone, so that no member's change refreshes the view by chance.
 */
class OwnViewTest {
    @Test
    void aNewPublicEndpointConfirmedByTwoMembersShowsAtOnceWhileTheMemberListStaysTheSame() throws Exception {
        try (Cluster c = new Cluster(true)) {
            SimNode node = c.create(0);
            node.start();
            Thread.sleep(1000); // started and settled: nothing makes membership apply its member list again
            InetSocketAddress moved = new InetSocketAddress("198.18.0.12", 51820);
            long reported = System.nanoTime();
            node.observedBy(moved, "a"); // one member's word is not enough (ObservedEndpoints)
            node.observedBy(moved, "b");
            double shown = Cluster.await(() -> node.shownPublic().contains(moved), reported, Duration.ofSeconds(5));
            assertTrue(shown >= 0, "5 s after two members confirmed it, status shows " + node.shownPublic());
            assertEquals(moved, node.shownPublic().get(0), "the newest endpoint goes first");
        }
    }
}
