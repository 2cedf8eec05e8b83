package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `skein up` as a unit of Type=notify runs it: with systemd's NOTIFY_SOCKET and WATCHDOG_USEC (a socket of the
 * test's standing in for systemd), READY=1 comes once the node is up and answers pings, watchdog pings follow at
 * half the interval, and SIGTERM brings STOPPING=1. The node logs as JSON (log-format: json), as a journal shipper
 * would read it.
 */
class SystemdServiceTest {
    @TempDir
    Path dir;
    /** The test's namespaces and processes, removed after each test. */
    @RegisterExtension
    final Netns netns = new Netns();

    @Test
    void readyOnlyOnceTheNodeAnswersThenWatchdogPingsThenStopping() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        String a = netns.add("sd1");
        String b = netns.add("sd2");
        netns.link(a, "u0", "198.18.0.1/24", b, "u0", "198.18.0.2/24");
        TestPki pki = new TestPki(dir);
        pki.issue("n1", "100.64.0.1/16", List.of());
        pki.issue("n2", "100.64.0.2/16", List.of());
        SkeinProcess.up(netns, a, pki.config("n1", "[]", "ca.crt", ""));

        try (NotifyReceiver systemd = new NotifyReceiver(dir.resolve("notify.sock"))) {
            List<String> command = new ArrayList<>(List.of("env", "NOTIFY_SOCKET=" + systemd.path,
                    "WATCHDOG_USEC=1000000"));
            command.addAll(SkeinProcess.command("up", "--config",
                    pki.config("n2", "[198.18.0.1:51820]", "ca.crt", "log-format: json\n").toString()));
            Path log = dir.resolve("n2.log");
            Process n2 = netns.start(b, command, log);

            String ready = systemd.next(30_000);
            assertNotNull(ready, "no notification within 30 s:\n" + Files.readString(log));
            // What a unit ordered After= this one may do at once: reach the node's overlay address.
            assertTrue(Netns.pingsOnce(b, "100.64.0.2"), "READY=1 before the node answers pings");
            assertTrue(ready.startsWith("READY=1\nSTATUS=n2 up: 100.64.0.2/16 on skein0"), ready);
            assertTrue(Files.readString(log).contains("n2 up: "), "READY=1 before the node said it is up");

            List<String> pings = new ArrayList<>();
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline) {
                String next = systemd.next(1_000);
                if (next != null) {
                    pings.add(next);
                }
            }
            assertTrue(pings.size() >= 3 && pings.stream().allMatch("WATCHDOG=1"::equals),
                    "a watchdog ping every 0.5 s for WATCHDOG_USEC=1000000: " + pings);

            n2.destroy(); // SIGTERM, as systemctl stop
            String stopping = null;
            for (int i = 0; i < 20 && (stopping == null || stopping.equals("WATCHDOG=1")); i++) {
                stopping = systemd.next(1_000);
            }
            assertEquals("STOPPING=1", stopping, Files.readString(log));
            // log-format: json, as a journal shipper reads it: the node's lines are JSON objects, one per line.
            List<String> json = Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).toList();
            assertTrue(json.size() >= 3, Files.readString(log));
            for (String line : json) {
                com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
                assertTrue(o.has("level") && o.has("loggerName") && o.has("formattedMessage"), line);
            }
            assertTrue(json.stream().anyMatch(l -> com.google.gson.JsonParser.parseString(l).getAsJsonObject()
                    .get("formattedMessage").getAsString().startsWith("n2 up: 100.64.0.2/16")), json.toString());
        }
    }
}
