package dev.skein.simulations;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.membership.Pace;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A mesh whose membership runs at a slowed {@link Pace} behaves as the real one, only slower on the host's clock:
 * it converges, and a killed member is removed, but no sooner than the slowed silence after its last word
 * allows. (With the pace ignored anywhere that decides a removal, the member would go after about 2 s of host
 * time.)
 */
class SlowPaceTest {
    private static final int SLOWDOWN = 3;
    /** MemberTable.SILENCE: a member is removed only after this long (protocol time) without a word from it. */
    private static final Duration SILENCE = Duration.ofSeconds(2);

    @Test
    void aSlowedMeshConvergesAndRemovesAKilledMemberNoSoonerThanItsSlowedSilence() throws Exception {
        try (Cluster c = new Cluster(true, new Pace(SLOWDOWN))) {
            for (int i = 0; i < 4; i++) {
                c.create(i).start();
            }
            assertTrue(Cluster.await(c::converged, System.nanoTime(), Duration.ofSeconds(90)) >= 0,
                    "4 slowed nodes did not converge in 90 s");
            SimNode victim = c.nodes().get(2);
            long killed = System.nanoTime();
            c.kill(victim);
            double hostSeconds = Cluster.await(() -> c.live().stream().noneMatch(n -> n.peers().hasRoute(victim.name())),
                    killed, Duration.ofSeconds(90));
            assertTrue(hostSeconds >= 0, "the killed member was still routed 90 s later");
            // The silence runs from the last word each node heard from the victim, which may come before the kill
            // by up to a gossip round: measured from the kill, a removal 5.95 s later was right (CI, session 29).
            for (SimNode n : c.live()) {
                long removed = c.fabric.events().removedAt(n.name(), victim.name(), killed).orElseThrow();
                double silent = (removed - n.transport().lastHeard(victim.address())) / 1e9;
                assertTrue(silent >= SLOWDOWN * SILENCE.toSeconds(), n.name() + " removed the victim " + silent
                        + " s of host time after it last heard from it: sooner than the slowed silence ("
                        + SLOWDOWN * SILENCE.toSeconds() + " s)");
            }
            System.out.printf("at %dx slower: removed after %.2f s of host time, %.2f s of protocol time%n", SLOWDOWN,
                    hostSeconds, hostSeconds / SLOWDOWN);
        }
    }
}
