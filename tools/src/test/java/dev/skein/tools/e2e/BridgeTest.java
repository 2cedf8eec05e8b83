package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the tests whose nodes share one underlay segment: a bridge namespace, a test CA in a temporary
 * directory, and {@link #host} to plug node nI in at 198.18.0.I/24. Everything is deleted after each test, also
 * when it failed.
 */
abstract class BridgeTest {
    @TempDir
    Path dir;
    Netns netns;
    TestPki pki;
    String bridge;

    @BeforeEach
    void createBridge() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        netns = new Netns();
        bridge = netns.bridge("br");
        pki = new TestPki(dir);
    }

    @AfterEach
    void deleteNamespaces() {
        if (netns != null) {
            netns.close();
        }
    }

    /** Namespace nI, on the bridge at 198.18.0.I/24. */
    String host(int i) {
        String ns = netns.add("n" + i);
        netns.plug(ns, bridge, "p" + i, "198.18.0." + i + "/24");
        return ns;
    }
}
