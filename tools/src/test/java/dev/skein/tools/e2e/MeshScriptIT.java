package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code simulations/scripts/mesh.sh} as a user runs it, through the packaged launcher (hence an IT: after the
 * jar is built), at a size CI can afford: four real nodes in namespaces find each other through one seed, every
 * pair pings, no node logs a warning while the mesh forms, a killed node is removed and a leaving one says
 * goodbye; the script reports each node's memory and CPU seconds.
 */
class MeshScriptIT {
    @Test
    void fourNodesFormAMeshWithoutAWarningAndEveryPairPings() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        Path script = Path.of("..", "simulations", "scripts", "mesh.sh").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(script), script + " missing");
        Netns.Result r = Netns.run("N=4 FORM_LIMIT=90 LOGS= " + script, 300);
        System.out.println(r.output());
        assertEquals(0, r.exit(), "mesh.sh failed:\n" + r.output());
        assertTrue(r.output().contains("all 4 nodes have routes to each other"), r.output());
        assertTrue(r.output().contains("warnings-during-formation: 0"), r.output());
        assertFalse(r.output().contains("FAIL"), r.output());
        Matcher memory = Pattern.compile("memory: mean ([0-9.]+) MiB per node").matcher(r.output());
        assertTrue(memory.find(), r.output());
        assertTrue(Double.parseDouble(memory.group(1)) > 0, "no resident memory read: " + memory.group(1));
        Matcher detected = Pattern.compile("failure-detection \\(kill -9 n4\\): max ([0-9.]+) s").matcher(r.output());
        assertTrue(detected.find(), r.output());
    }
}
