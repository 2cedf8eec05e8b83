package dev.skein.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.simulations.clock.VirtualRun;
import org.junit.jupiter.api.Test;

/**
 * The scale harness on the virtual clock: 32 nodes of the real membership and Atomix SWIM, gossip in memory with
 * 2 ms per message, form a mesh, take joins and removals, and go through 30 s of 10% churn, all in simulated
 * time. The figures are the protocol's, whatever the host's speed: a join is routed within a few gossip rounds,
 * a dead member is removed everywhere within issue 24's 3 s (and no sooner than the 2 s of silence Skein
 * requires), and at least 99% of live pairs keep their routes under churn.
 */
class VirtualClockScaleTest {
    @Test
    void thirtyTwoNodesOnSimulatedTimeJoinRemoveAndRideOutChurn() throws Exception {
        String table = (String) VirtualRun.run(Scale.class.getName(), new String[] {"--sizes", "32", "--reps", "2",
            "--churn-seconds", "30", "--latency-ms", "2", "--on-virtual-clock"});
        System.out.println(table);
        String row = table.lines().filter(l -> l.startsWith("| 32 |")).findFirst().orElseThrow();
        String[] cells = row.split("\\|");
        assertEquals("memory, virtual clock, 2 ms latency", cells[2].trim());
        double formed = Double.parseDouble(cells[3].trim());
        double join = Double.parseDouble(cells[4].trim().split(" ")[0]);
        double removal = Double.parseDouble(cells[5].trim().split(" ")[0]);
        double churn = Double.parseDouble(cells[11].trim().replace("%", ""));
        assertTrue(formed >= 0 && formed < 5, "all routed " + formed + " s after the last start");
        assertTrue(join >= 0 && join < 1, "a join took " + join + " s (10 gossip rounds is 1 s)");
        assertTrue(removal >= 2 && removal <= 3, "a dead member was removed everywhere after " + removal + " s");
        assertTrue(churn >= 99, "under 10% churn, live pairs were routed " + churn + "% of the time");
    }
}
