package dev.skein.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sixteen real membership control planes (the simulation harness, in a network namespace this test creates
 * and deletes) converge, and then, with 5% of all gossip messages dropped for 30 s, no node ever loses the
 * route to a live one: a false suspicion must not remove anybody.
 */
class MembershipUnderLossTest {
    private static final String NS = "skt" + ProcessHandle.current().pid() + "-sim";

    @Test
    void sixteenNodesConvergeAndFivePercentLossRemovesNobody() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        run("ip", "netns", "del", NS);
        assertEquals(0, run("ip", "netns", "add", NS).exitValue());
        try {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", NS,
                    ProcessHandle.current().info().command().orElse("java"), "-Xmx2g",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Scale.class.getName(),
                    "--loss-check", "16", "30", "0.05"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            boolean done = p.waitFor(180, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(done, "the simulation did not finish in 180 s:\n" + out);
            assertTrue(out.contains("converged: yes"), out);
            assertTrue(out.contains("loss 5% for 30 s: 0 false removals, lowest routed fraction 1.0000"), out);
            assertEquals(0, p.exitValue(), out);
        } finally {
            run("sh", "-c", "ip netns pids " + NS + " | xargs -r kill -9; ip netns del " + NS);
        }
    }

    private static Process run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        return p;
    }
}
