package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `metrics:` endpoint of a running node, scraped as Prometheus would: the exposition passes Prometheus's own
 * checker (promtool, from Debian's prometheus package), and its values agree with `skein peers --json`.
 */
class MetricsTest {
    @TempDir
    Path dir;
    /** The test's namespaces and processes, removed after each test. */
    @RegisterExtension
    final Netns netns = new Netns();

    private static String scrape(String ns) {
        Netns.Result r = Netns.exec(ns, "curl -sS --max-time 5 http://127.0.0.1:9586/metrics", 10);
        assertEquals(0, r.exit(), r.output());
        return r.output();
    }

    private static long value(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), regex + " not in:\n" + text);
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void aScrapeIsValidExpositionAndAgreesWithSkeinPeers() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        assertEquals(0, Netns.run("command -v promtool", 5).exit(),
                "promtool is missing: install Debian's prometheus package (as .ci/run does)");
        String a = netns.add("m1");
        String b = netns.add("m2");
        netns.link(a, "u0", "198.18.0.1/24", b, "u0", "198.18.0.2/24");
        TestPki pki = new TestPki(dir);
        pki.issue("n1", "100.64.0.1/16", java.util.List.of("ops"));
        pki.issue("n2", "100.64.0.2/16", java.util.List.of());
        SkeinProcess n1 = SkeinProcess.up(netns, a, pki.config("n1", "[]", "ca.crt", "metrics: 127.0.0.1:9586\n"));
        SkeinProcess.up(netns, b, pki.config("n2", "[198.18.0.1:51820]", "ca.crt", ""));
        n1.awaitLog("metrics: http://127.0.0.1:9586/metrics", 10);
        n1.awaitLog("session with n2", 30);
        assertTrue(Netns.reaches(a, "100.64.0.2"));

        String before = scrape(a);
        Path file = dir.resolve("scrape.txt");
        Files.writeString(file, before);
        Netns.Result check = Netns.run("promtool check metrics < " + file, 20);
        assertEquals(0, check.exit(), "promtool:\n" + check.output() + "\n" + before);

        assertEquals(2, value(before, "^skein_mesh_members (\\S+)$"));
        assertTrue(value(before, "^skein_sessions_established_total (\\S+)$") >= 1);
        assertEquals(1, value(before, "^skein_members_added_total (\\S+)$"));
        assertEquals(0, value(before, "^skein_peer_relayed\\{peer=\"n2\",via=\"\"\\} (\\S+)$"), "direct");
        assertTrue(value(before, "^skein_peer_last_handshake_timestamp_seconds\\{peer=\"n2\"\\} (\\S+)$")
                > System.currentTimeMillis() / 1000 - 120);
        assertTrue(value(before, "^skein_certificate_expiry_timestamp_seconds\\{member=\"n2\"\\} (\\S+)$")
                > System.currentTimeMillis() / 1000);
        assertTrue(value(before, "^skein_gossip_messages_sent_total (\\S+)$") > 0);
        assertTrue(before.contains("skein_dropped_packets_total{reason=\"bad-mac\"} 0"), before);

        // Gossip flows through the tunnel all the while, so the counters move: skein peers reads between two scrapes.
        String json = SkeinProcess.cli("peers", "--json", "--socket", pki.socket("n1").toString()).output();
        String after = scrape(a);
        long rxBefore = value(before, "^skein_peer_receive_bytes_total\\{peer=\"n2\"\\} (\\S+)$");
        long rxPeers = value(json, "\"rxBytes\": \"?(\\d+)");
        long rxAfter = value(after, "^skein_peer_receive_bytes_total\\{peer=\"n2\"\\} (\\S+)$");
        assertTrue(rxBefore > 0 && rxBefore <= rxPeers && rxPeers <= rxAfter, rxBefore + " " + rxPeers + " " + rxAfter);
        long txPeers = value(json, "\"txBytes\": \"?(\\d+)");
        long txAfter = value(after, "^skein_peer_transmit_bytes_total\\{peer=\"n2\"\\} (\\S+)$");
        assertTrue(txPeers > 0 && txPeers <= txAfter, txPeers + " " + txAfter);

        // Only where the configuration says: not on the overlay address, so no member can scrape it.
        assertTrue(Netns.exec(b, "curl -sS --max-time 2 http://100.64.0.1:9586/metrics", 5).exit() != 0);
    }

    @Test
    void anAddressThatCannotBeBoundStopsTheStartWithOneLineAndLeavesNothingBehind() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        String c = netns.add("m3");
        TestPki pki = new TestPki(dir);
        pki.issue("n3", "100.64.0.3/16", java.util.List.of());
        Path config = pki.config("n3", "[]", "ca.crt", "metrics: 198.18.0.99:9586\n"); // no interface has it
        Netns.Result r = SkeinProcess.cliIn(c, "up", "--config", config.toString());
        assertTrue(r.exit() != 0, r.output());
        assertTrue(r.output().contains("metrics: cannot listen on /198.18.0.99:9586"), r.output());
        assertTrue(Netns.exec(c, "ip link show skein0", 5).exit() != 0, "the TUN device is gone again");
    }
}
