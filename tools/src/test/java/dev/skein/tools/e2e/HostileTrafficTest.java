package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.node.pki.PkiFiles;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.crypto.Curve25519;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A mesh under attack from the underlay, and a node whose TUN device is deleted under it. n1 is the seed, n2 a
 * member, n3 a newcomer, x a stranger host on the same segment that floods the seed.
 *
 * <pre>
 *   [n1] 198.18.0.1  --+
 *   [n2] 198.18.0.2  --+-- br0 [bridge]       overlay 100.64.0.N/16 for node nN
 *   [n3] 198.18.0.3  --+
 *   [x]  198.18.0.99 --+   (no certificate: only the seed's public key, which certificates publish)
 * </pre>
 */
class HostileTrafficTest extends BridgeTest {
    /** The flood: at least 5,000 datagrams a second (the issue's bar), for long enough to cover every check. */
    private static final int FLOOD_RATE = 6000;
    private static final int FLOOD_SECONDS = 24;
    /**
     * The measured stream is capped below what the machine carries, so it measures starvation, not the host
     * (-Dskein.test.streamRate=0 for an uncapped run, a measurement rather than a test).
     */
    private static final String STREAM_RATE = System.getProperty("skein.test.streamRate", "600M");


    private String host(String name, String address) {
        String ns = netns.add(name);
        netns.plug(ns, bridge, "p" + name, address + "/24");
        return ns;
    }

    private SkeinProcess node(String ns, int i, String seeds) throws Exception {
        pki.issue("n" + i, "100.64.0." + i + "/16");
        return SkeinProcess.up(netns, ns, pki.config("n" + i, seeds, "ca.crt", ""));
    }

    private static long lines(SkeinProcess p) {
        return p.log().lines().count();
    }

    /** iperf3 TCP from {@code client} to {@code address} for 3 s at {@link #STREAM_RATE}; bits per second received. */
    private double stream(String server, String client, String address) throws Exception {
        Path log = dir.resolve("iperf-" + System.nanoTime() + ".log");
        netns.iperf3Server(server, address, log);
        Netns.Result r = Netns.exec(client, "timeout 30 iperf3 -c " + address + " -t 3 -b " + STREAM_RATE + " -J", 40);
        assertEquals(0, r.exit(), r.output());
        Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*\"bits_per_second\":\\s*([\\d.e+]+)")
                .matcher(r.output());
        assertTrue(m.find(), r.output());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aStrangersFloodNeitherStopsJoinsNorStarvesTrafficNorFloodsTheLog() throws Exception {
        String n1 = host("n1", "198.18.0.1");
        String n2 = host("n2", "198.18.0.2");
        String n3 = host("n3", "198.18.0.3");
        String x = host("x", "198.18.0.99");
        SkeinProcess seed = node(n1, 1, "[]");
        Certificate seedCert = PkiFiles.readCertificate(dir.resolve("n1.crt"));
        SkeinProcess member = node(n2, 2, "[198.18.0.1:51820]");
        seed.awaitLog("n2 added", 30);
        member.awaitLog("n1 added", 30);
        double calm = stream(n1, n2, "100.64.0.1");

        long before = lines(seed);
        List<String> flood = SkeinProcess.command();
        flood.set(flood.size() - 1, Flood.class.getName());
        Path floodLog = dir.resolve("flood.log");
        Process flooding = netns.start(x, concat(flood, "198.18.0.1", "51820", String.valueOf(FLOOD_RATE),
                String.valueOf(FLOOD_SECONDS), Curve25519.encodeBase64(seedCert.x25519PublicKey())), floodLog);
        Thread.sleep(2000); // the flood is on

        // (b) a TCP stream through the flooded seed keeps at least 70% of its calm throughput.
        double flooded = stream(n1, n2, "100.64.0.1");

        // (a) a newcomer joins through the flooded seed within 10 s of coming up.
        long start = System.nanoTime();
        SkeinProcess newcomer = node(n3, 3, "[198.18.0.1:51820]");
        long up = System.nanoTime();
        newcomer.awaitLog("n1 added", 10);
        // Joined means traffic flows: the first ping may wait for the handshake behind it.
        boolean reached = false;
        while (!reached && System.nanoTime() - up < 10_000_000_000L) {
            reached = Netns.exec(n3, "ping -c 1 -W 1 100.64.0.1", 5).exit() == 0;
        }
        double joinSeconds = (System.nanoTime() - up) / 1e9;
        assertTrue(reached, "n3 cannot reach the seed within 10 s:\n" + newcomer.log() + "\nseed:\n" + seed.log());
        assertTrue(flooding.isAlive(), "the flood ended before the measurements: " + Files.readString(floodLog));

        // (c) the seed's log grew by a bounded number of lines (n3's arrival, a line per kind of refusal).
        long grown = lines(seed) - before;
        String status = SkeinProcess.statusJson(n1, pki.socket("n1"));
        assertTrue(flooding.waitFor(FLOOD_SECONDS + 10, TimeUnit.SECONDS), "the flood did not stop");
        String sent = Files.readString(floodLog);

        System.out.printf("flood %s; join %.2f s (from start %.2f s); stream calm %.0f, flooded %.0f Mbit/s "
                        + "(%.0f%%); seed log +%d lines; seed counters %s%n", sent.trim(), joinSeconds,
                (up - start) / 1e9, calm / 1e6, flooded / 1e6, 100 * flooded / calm, grown, status.replace('\n', ' '));
        assertTrue(flooded >= 0.7 * calm, "flooded " + flooded + " against calm " + calm);
        assertTrue(grown <= 40, "the seed logged " + grown + " lines during the flood:\n" + seed.log());
        // Every way a check ends a flood datagram: a valid-MAC1 initiation met under load gets a cookie reply, not
        // a refusal (left out of this sum, a run where the seed was under load from the start counted 29,989 of
        // 30,000: its 9,968 initiations were 137 refusals and 9,831 cookie replies).
        long dropped = 0;
        for (String reason : List.of("garbage", "bad-mac", "rate-limited", "refused-join", "refused-handshake",
                "cookie-replies")) {
            dropped += SkeinProcess.counter(status, reason);
        }
        assertTrue(dropped > FLOOD_RATE * 5L, "the flood did not reach the seed's checks: " + status);
        // The flood's valid-MAC1 initiations beyond the stranger's budget were asked for a cookie, not computed:
        // the Diffie-Hellman work it caused is bounded by its two buckets (20 a second each) over the flood.
        assertTrue(SkeinProcess.counter(status, "cookie-replies") > FLOOD_RATE, "no cookie was asked: " + status);
        assertTrue(SkeinProcess.counter(status, "refused-handshake") <= 2 * 20 * (FLOOD_SECONDS + 5),
                "the flood cost more Diffie-Hellman work than its budget: " + status);
        assertTrue(seed.alive() && member.alive() && newcomer.alive());
        assertFalse(seed.log().contains("Exception"), seed.log());
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new java.util.ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    @Test
    void aDeletedTunDeviceEndsTheNodeCleanlyAndNonZero() throws Exception {
        String n1 = host("n1", "198.18.0.1");
        SkeinProcess node = node(n1, 1, "[]");
        assertTrue(Netns.sh("ip netns exec " + n1 + " nft list tables").contains("skein_skein0"));
        long deleted = System.nanoTime();
        Netns.sh("ip -n " + n1 + " link del skein0");
        int code = node.awaitExit(5);
        double seconds = (System.nanoTime() - deleted) / 1e9;
        System.out.printf("TUN deleted: node exited %d after %.2f s%n", code, seconds);
        assertTrue(seconds < 2, "the node took " + seconds + " s to exit:\n" + node.log());
        assertEquals(1, code, node.log());
        assertTrue(node.log().contains("TUN device skein0 is gone"), node.log());
        assertFalse(Netns.sh("ip netns exec " + n1 + " nft list tables").contains("skein_skein0"),
                "the overlay filter was left behind");
        assertTrue(node.log().contains("n1 down"), "no normal cleanup:\n" + node.log());
    }

    @Test
    void withoutNftablesTheNodeRefusesToStartUnlessTheConfigurationSaysSo() throws Exception {
        String n1 = host("n1", "198.18.0.1");
        pki.issue("n1", "100.64.0.1/16");
        // No nft on the PATH: the overlay filter cannot be installed, so the node must not run unprotected.
        String noNft = "env PATH=/nonexistent " + String.join(" ", SkeinProcess.command("up", "--config",
                pki.config("n1", "[]", "ca.crt", "").toString()));
        Netns.Result refused = Netns.exec(n1, noNft, 30);
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("set 'overlay-filter: false' to run unprotected"), refused.output());
        assertFalse(Netns.sh("ip -n " + n1 + " link").contains("skein0"), "the TUN device was left behind");

        Path unprotected = pki.config("n1", "[]", "ca.crt", "overlay-filter: false\n");
        Path log = dir.resolve("unprotected.log");
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "PATH=/nonexistent"));
        cmd.addAll(SkeinProcess.command("up", "--config", unprotected.toString()));
        Process p = netns.start(n1, cmd, log);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.readString(log).contains(" up: ") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String out = Files.readString(log);
        assertTrue(out.contains(" up: ") && out.contains("overlay-filter: false"), out);
    }
}
