package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a person uses it: real `skein` processes asking real nodes (in namespaces this test
 * creates) over their control sockets. Checks what a person reads: columns, values, and the error lines.
 */
class CliTest {
    @TempDir
    Path dir;
    /** The test's namespaces and processes, removed after each test. */
    @RegisterExtension
    final Netns netns = new Netns();

    /** Two nodes on a veth link: n1 the seed, n2 routing 100.96.2.0/24; returns when each has the other. */
    private void twoNodes() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        String a = netns.add("c1");
        String b = netns.add("c2");
        netns.link(a, "u0", "198.18.0.1/24", b, "u0", "198.18.0.2/24");
        TestPki pki = new TestPki(dir);
        Instant now = Instant.now();
        for (int i = 1; i <= 2; i++) {
            pki.issue(pki.ca, "n" + i, "100.64.0." + i + "/16", i == 2 ? List.of("100.96.2.0/24") : List.of(),
                    now.minusSeconds(60), now.plus(Duration.ofDays(25))); // past the 14-day warning, within the CA
            Files.writeString(dir.resolve("n" + i + ".yaml"), "name: n" + i + "\ninterface: skein0\n"
                    + "listen-port: 51820\nseeds: " + (i == 1 ? "[]" : "[198.18.0.1:51820]") + "\n"
                    + "pki: {ca: ca.crt, cert: n" + i + ".crt, key: n" + i + ".key}\n"
                    + "control-socket: " + dir.resolve("n" + i + ".sock") + "\n");
        }
        SkeinProcess n1 = SkeinProcess.up(netns, a, dir.resolve("n1.yaml"));
        SkeinProcess n2 = SkeinProcess.up(netns, b, dir.resolve("n2.yaml"));
        n1.awaitLog("n2 added", 30);
        n2.awaitLog("n1 added", 30);
        n1.awaitLog("session with n2", 30);
    }

    private String socket(int i) {
        return dir.resolve("n" + i + ".sock").toString();
    }

    @Test
    void peersStatusRoutesAndPingShowTheMeshAtAGlance() throws Exception {
        twoNodes();
        Netns.Result ping = SkeinProcess.cli("ping", "n2", "--socket", socket(1), "-c", "2", "-i", "0.2");
        assertEquals(0, ping.exit(), ping.output());
        assertTrue(ping.output().startsWith("PING n2 (100.64.0.2) via direct"), ping.output());
        assertTrue(ping.output().contains("reply from n2: seq=2 path=direct time="), ping.output());
        assertTrue(ping.output().contains("--- n2: 2 sent, 2 received, 0% loss, rtt min/avg/max"), ping.output());

        Netns.Result peers = SkeinProcess.cli("peers", "--socket", socket(1));
        assertEquals(0, peers.exit(), peers.output());
        List<String> lines = peers.output().lines().toList();
        assertEquals(2, lines.size(), peers.output());
        String header = lines.get(0);
        String row = lines.get(1);
        assertTrue(header.matches("NAME +ADDRESS +SUBNETS +ENDPOINT +PATH +HANDSHAKE +RX +TX +RTT"), header);
        // Every value starts in its column: a person reads the table straight down.
        assertColumn(header, row, "ADDRESS", "100.64.0.2");
        assertColumn(header, row, "SUBNETS", "100.96.2.0/24");
        assertColumn(header, row, "ENDPOINT", "198.18.0.2:51820");
        assertColumn(header, row, "PATH", "direct");
        assertTrue(row.substring(header.indexOf("HANDSHAKE")).matches("\\d+s ago .*"),
                "the handshake age starts in its column: " + row);
        assertTrue(row.matches(".*\\d+(\\.\\d)? (B|KiB|MiB) +\\d+(\\.\\d)? (B|KiB|MiB) +\\d+(\\.\\d+)? ms$"), row);
        assertTrue(row.startsWith("n2 "), row);

        Netns.Result json = SkeinProcess.cli("peers", "--json", "--socket", socket(2));
        assertEquals(0, json.exit(), json.output());
        assertTrue(json.output().contains("\"name\": \"n1\"") && json.output().contains("\"path\": \"direct\""),
                json.output());

        Netns.Result status = SkeinProcess.cli("status", "--socket", socket(2));
        assertEquals(0, status.exit(), status.output());
        String s = status.output();
        assertTrue(s.contains("node         n2\n"), s);
        assertTrue(s.contains("address      100.64.0.2/16 on skein0\n"), s);
        assertTrue(s.contains("subnets      100.96.2.0/24\n"), s);
        assertTrue(s.contains("public       198.18.0.2:51820\n"), s); // as the seed saw it
        assertTrue(s.contains("mesh         2 nodes\n"), s);
        assertTrue(s.contains("warnings     none\n"), s);

        Netns.Result routes = SkeinProcess.cli("routes", "--socket", socket(1));
        assertTrue(routes.output().matches("(?s)PREFIX +VIA\n.*100\\.64\\.0\\.1/32 +local\n.*"), routes.output());
        assertTrue(routes.output().matches("(?s).*100\\.96\\.2\\.0/24 +n2\n.*"), routes.output());

        Netns.Result unknown = SkeinProcess.cli("ping", "nosuch", "--socket", socket(1));
        assertEquals(1, unknown.exit());
        assertEquals("skein: 'nosuch' is neither a member's name nor an address\n", unknown.output());
        Netns.Result noRoute = SkeinProcess.cli("ping", "100.64.9.9", "--socket", socket(1), "-c", "1");
        assertEquals("skein: no route to 100.64.9.9: no member owns that address\n", noRoute.output());
    }

    @Test
    void errorsAreOneClearLineWithANonZeroExit() throws Exception {
        Path missing = dir.resolve("nothing-here.sock");
        for (String cmd : List.of("status", "peers", "routes")) {
            Netns.Result r = SkeinProcess.cli(cmd, "--socket", missing.toString());
            assertEquals(1, r.exit(), r.output());
            assertEquals("skein: cannot reach the node: is `skein up` running? socket: " + missing + "\n", r.output());
        }
        Netns.Result noConfig = SkeinProcess.cli("peers", "--config", dir.resolve("absent.yaml").toString());
        assertEquals(1, noConfig.exit(), noConfig.output());
        assertEquals(1, noConfig.output().lines().count(), noConfig.output());
        assertTrue(noConfig.output().contains("absent.yaml"), noConfig.output());

        Netns.Result badCount = SkeinProcess.cli("ping", "n2", "-c", "0", "--socket", missing.toString());
        assertEquals("skein: --count must be 1..100, not 0\n", badCount.output());
        Netns.Result usage = SkeinProcess.cli("ping");
        assertEquals(2, usage.exit(), usage.output());
        assertTrue(usage.output().contains("Missing required parameter: 'NAME|ADDRESS'"), usage.output());
        for (String cmd : List.of("status", "peers", "routes", "ping", "demo", "up")) {
            Netns.Result help = SkeinProcess.cli(cmd, "--help");
            assertEquals(0, help.exit(), help.output());
            assertTrue(help.output().contains("Example:"), cmd + " --help has no example:\n" + help.output());
        }
    }

    @Test
    void demoBuildsAMeshPingsAcrossAndLeavesNothingBehind() {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        Netns.Result demo = SkeinProcess.cli("demo");
        assertEquals(0, demo.exit(), demo.output());
        String out = demo.output();
        assertTrue(out.contains("reply from office: seq=3 path=direct"), out);
        assertTrue(out.contains("--- office: 2 sent, 2 received, 0% loss"), out); // the host on the office LAN
        assertTrue(out.matches("(?s).*== 5\\. skein peers, on home\nNAME .*\noffice +100\\.64\\.0\\.3 +100\\.96\\.1\\.0/24 "
                + "+198\\.18\\.0\\.3:51820 +direct .*\nseed +100\\.64\\.0\\.1 .*"), out);
        assertTrue(out.contains("mesh         3 nodes"), out);
        assertFalse(Netns.run("ip netns list", 10).output().contains("skein-demo-"), "namespaces left behind");
    }

    private static void assertColumn(String header, String row, String column, String value) {
        assertEquals(header.indexOf(column), row.indexOf(value), column + " column:\n" + header + "\n" + row);
    }
}
