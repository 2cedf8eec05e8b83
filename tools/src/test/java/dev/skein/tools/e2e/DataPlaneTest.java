package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skein.protocol.crypto.Curve25519;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane end to end: real `skein up` processes, real TUN devices and UDP sockets, stock wireguard-go,
 * in network namespaces this test creates and deletes.
 *
 * <pre>
 *   [a] vA 198.18.0.1/24 ------- 198.18.0.2/24 vB [b]        overlay 100.64.0.1 (a), 100.64.0.2 (b)
 *   [a] vC 198.18.1.1/24 ------- 198.18.1.2/24 vD [c]        overlay 100.64.0.3 (c), when used
 * </pre>
 */
class DataPlaneTest {
    @TempDir
    Path dir;
    private Netns netns;
    private TestPki pki;
    private String a;
    private String b;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        netns = new Netns();
        a = netns.add("a");
        b = netns.add("b");
        netns.link(a, "vA", "198.18.0.1/24", b, "vB", "198.18.0.2/24");
        pki = new TestPki(dir);
    }

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    /** Issues NAME.crt/NAME.key; returns the node's X25519 public key. */
    private byte[] identity(String name, String address) throws Exception {
        return pki.issue(name, address, List.of()).x25519PublicKey();
    }

    private Path config(String name, String peers, String extra) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "name: " + name + "\ninterface: sk-" + name + "\nlisten-port: 51820\n"
                + "pki: {ca: ca.crt, cert: " + name + ".crt, key: " + name + ".key}\n"
                + "control-socket: " + dir.resolve(name + ".sock") + "\n" + extra
                + "wireguard-peers:\n" + peers);
        return file;
    }

    private static String peer(byte[] publicKey, String endpoint, String allowed) {
        return "  - public-key: " + Curve25519.encodeBase64(publicKey) + "\n"
                + (endpoint == null ? "" : "    endpoint: " + endpoint + "\n")
                + "    allowed-ips: [" + allowed + "]\n";
    }

    /** Starts wireguard-go in {@code ns} as device {@code dev} with a fresh key; returns its private key (base64). */
    private String wireguardGo(String ns, String dev, byte[] peerPublic, String peerEndpoint, String peerAllowed,
                               String address) throws Exception {
        String key = Netns.sh("wg genkey").trim();
        Path keyFile = dir.resolve(dev + ".key");
        Files.writeString(keyFile, key + "\n");
        netns.start(ns, List.of("env", "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1", "wireguard-go", "-f", dev),
                dir.resolve(dev + ".log"));
        for (int i = 0; i < 50 && Netns.exec(ns, "ip link show " + dev, 5).exit() != 0; i++) {
            Thread.sleep(100);
        }
        Netns.sh("ip netns exec " + ns + " wg set " + dev + " private-key " + keyFile + " listen-port 51820 peer "
                + Curve25519.encodeBase64(peerPublic) + " endpoint " + peerEndpoint + " allowed-ips " + peerAllowed);
        Netns.sh("ip -n " + ns + " addr add " + address + " dev " + dev);
        Netns.sh("ip -n " + ns + " link set " + dev + " up");
        return key;
    }

    private static String last(Matcher m) {
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return found;
    }

    private static void assertPing(String ns, String address) {
        Netns.Result r = Netns.exec(ns, "ping -c 3 -i 0.2 -W 3 " + address, 20);
        assertEquals(0, r.exit(), "ping " + address + " from " + ns + ":\n" + r.output());
    }

    private void assertTcpTransfer(String fromNs, String toNs, String address, long bytes) throws Exception {
        TcpCheck.assertTransfer(netns, dir, fromNs, toNs, address, bytes);
    }

    @Test
    void skeinAndWireGuardGoHandshakeEitherWayAndCarryTcp() throws Exception {
        byte[] skeinKey = identity("a", "100.64.0.1/16");
        // wireguard-go's key is only known after it starts: start it first, then configure Skein with it.
        String wgPrivate = wireguardGo(b, "wgb", skeinKey, "198.18.0.1:51820", "100.64.0.1/32", "100.64.0.2/16");
        byte[] wgPublic = Curve25519.publicKey(Curve25519.decodeBase64(wgPrivate));
        Path cfg = config("a", peer(wgPublic, "198.18.0.2:51820", "100.64.0.2/32"), "");

        // 1. wireguard-go initiates.
        SkeinProcess skein = SkeinProcess.up(netns, a, cfg);
        assertPing(b, "100.64.0.1");
        assertPing(a, "100.64.0.2");
        assertTcpTransfer(a, b, "100.64.0.2", 4 << 20);
        assertTcpTransfer(b, a, "100.64.0.1", 4 << 20);
        assertEquals(0, skein.stop());
        assertNotEquals(0, Netns.exec(a, "ip link show sk-a", 5).exit(), "SIGTERM must remove the TUN device");

        // 2. Skein initiates: a restarted node has no session, so its first packet starts the handshake.
        skein = SkeinProcess.up(netns, a, cfg);
        assertPing(a, "100.64.0.2");
        assertTrue(skein.log().contains("session with"), skein.log());
        assertTcpTransfer(b, a, "100.64.0.1", 4 << 20);
    }

    @Test
    void twoSkeinNodesCarryPingAndTcpBothWays() throws Exception {
        byte[] keyA = identity("a", "100.64.0.1/16");
        byte[] keyB = identity("b", "100.64.0.2/16");
        SkeinProcess.up(netns, a, config("a", peer(keyB, "198.18.0.2:51820", "100.64.0.2/32"), ""));
        SkeinProcess.up(netns, b, config("b", peer(keyA, "198.18.0.1:51820", "100.64.0.1/32"), ""));
        assertPing(a, "100.64.0.2");
        assertPing(b, "100.64.0.1");
        assertTcpTransfer(a, b, "100.64.0.2", 8 << 20);
        assertTcpTransfer(b, a, "100.64.0.1", 8 << 20);
        // UDP leaves the TUN device with its checksum left for the sender to finish: the receiving kernel drops
        // any datagram whose checksum is wrong, so datagrams arriving prove it is finished right.
        Path server = dir.resolve("udp-server.log");
        netns.iperf3Server(b, "100.64.0.2", server);
        Netns.Result udp = Netns.exec(a, "timeout 30 iperf3 -u -c 100.64.0.2 -b 50M -l 1200 -t 2 -J", 40);
        assertEquals(0, udp.exit(), udp.output());
        // The last of each is the run's sum, as the receiver counted.
        String lost = last(Pattern.compile("\"lost_percent\":\\s*([\\d.]+)").matcher(udp.output()));
        String packets = last(Pattern.compile("\"packets\":\\s*(\\d+)").matcher(udp.output()));
        assertTrue(lost != null && packets != null, udp.output());
        assertTrue(Integer.parseInt(packets) > 1000 && Double.parseDouble(lost) < 5,
                "UDP over the tunnel: " + packets + " datagrams, " + lost + "% lost");
        // No peer owns 100.64.0.9: the sender hears "unreachable" at once instead of waiting.
        Netns.Result r = Netns.exec(a, "ping -c 1 -W 2 100.64.0.9", 10);
        assertTrue(r.output().contains("From 100.64.0.9") && r.output().contains("Unreachable"), r.output());
    }

    /**
     * Offloads are each node's own business: a node cutting TCP super-packets and sending with GSO talks to one
     * that moves packets one by one, both ways, and what arrives is what was sent.
     */
    @Test
    void aNodeWithOffloadsAndOneWithoutCarryTcpBothWays() throws Exception {
        byte[] keyA = identity("a", "100.64.0.1/16");
        byte[] keyB = identity("b", "100.64.0.2/16");
        SkeinProcess withOffloads = SkeinProcess.up(netns, a,
                config("a", peer(keyB, "198.18.0.2:51820", "100.64.0.2/32"), ""));
        SkeinProcess without = SkeinProcess.up(netns, b,
                config("b", peer(keyA, "198.18.0.1:51820", "100.64.0.1/32"), ""), List.of("-Dskein.offload=false"));
        assertTrue(withOffloads.log().contains("data plane: TUN TSO, UDP GSO/GRO"), withOffloads.log());
        assertTrue(without.log().contains("data plane: TUN off"), without.log());
        assertTcpTransfer(a, b, "100.64.0.2", 16 << 20);
        assertTcpTransfer(b, a, "100.64.0.1", 16 << 20);
        assertPing(a, "100.64.0.2");
    }

    /**
     * Sealing a super-packet's segments and opening a GRO receive on several lanes at once (the default on
     * machines of four cores or more) keeps every byte and its order, both ways: TCP would stall on reordering.
     */
    @Test
    void nodesSealingAndOpeningOnThreeLanesCarryTcpBothWays() throws Exception {
        byte[] keyA = identity("a", "100.64.0.1/16");
        byte[] keyB = identity("b", "100.64.0.2/16");
        List<String> lanes = List.of("-Dskein.cipher-workers=3");
        SkeinProcess nodeA = SkeinProcess.up(netns, a,
                config("a", peer(keyB, "198.18.0.2:51820", "100.64.0.2/32"), ""), lanes);
        SkeinProcess.up(netns, b, config("b", peer(keyA, "198.18.0.1:51820", "100.64.0.1/32"), ""), lanes);
        assertTrue(nodeA.log().contains("3 per direction"), nodeA.log());
        assertTcpTransfer(a, b, "100.64.0.2", 32 << 20);
        assertTcpTransfer(b, a, "100.64.0.1", 32 << 20);
        assertPing(a, "100.64.0.2");
    }

    @Test
    void wrongKeyGetsNothingAndGarbageIsDroppedWhileOthersKeepWorking() throws Exception {
        String c = netns.add("c");
        netns.link(a, "vC", "198.18.1.1/24", c, "vD", "198.18.1.2/24");
        byte[] keyA = identity("a", "100.64.0.1/16");
        byte[] keyB = identity("b", "100.64.0.2/16");
        byte[] keyC = identity("c", "100.64.0.3/16");
        byte[] keyCExpected = identity("c-old", "100.64.0.4/16"); // a expects another key for c
        SkeinProcess nodeA = SkeinProcess.up(netns, a, config("a", peer(keyB, "198.18.0.2:51820", "100.64.0.2/32")
                + peer(keyCExpected, "198.18.1.2:51820", "100.64.0.3/32"), ""));
        SkeinProcess.up(netns, b, config("b", peer(keyA, "198.18.0.1:51820", "100.64.0.1/32"), ""));
        SkeinProcess nodeC = SkeinProcess.up(netns, c, config("c", peer(keyA, "198.18.1.1:51820", "100.64.0.1/32"), ""));
        assertPing(a, "100.64.0.2");

        assertNotEquals(0, Netns.exec(c, "ping -c 2 -W 2 100.64.0.1", 15).exit(), "c's wrong key got through");
        nodeA.awaitLog("is not one of our peers", 10);
        assertEquals(1, nodeA.count("is not one of our peers"), "one log line, not one per attempt:\n" + nodeA.log());
        assertTrue(nodeC.alive());

        List<String> garbage = SkeinProcess.command();
        garbage.set(garbage.size() - 1, UdpGarbage.class.getName());
        Netns.Result sent = Netns.exec(b, String.join(" ", garbage) + " 198.18.0.1 51820", 60);
        assertEquals(0, sent.exit(), sent.output());
        assertTrue(nodeA.alive(), nodeA.log());
        assertPing(a, "100.64.0.2");
        assertPing(b, "100.64.0.1");
        assertFalse(nodeA.log().contains("Exception"), nodeA.log());
        assertEquals(0, nodeA.stop());
        assertTrue(nodeA.log().contains("dropped packets"), nodeA.log());
        // Of the 3002 datagrams, those with a plausible type and size reach the checks behind it and are counted there.
        long dropped = counter(nodeA, "garbage") + counter(nodeA, "bad-mac") + counter(nodeA, "unknown-index")
                + counter(nodeA, "replayed") + counter(nodeA, "refused-handshake") + counter(nodeA, "refused-join")
                + counter(nodeA, "rate-limited");
        assertTrue(dropped >= 2900, "only " + dropped + " of 3002 garbage datagrams counted:\n" + nodeA.log());
    }

    /** A drop counter from the line a node logs when it stops ("dropped packets: {garbage=N, ...}"). */
    private static long counter(SkeinProcess node, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(name + "=(\\d+)").matcher(node.log());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void roamingPeerIsFollowedMidTransfer() throws Exception {
        byte[] keyA = identity("a", "100.64.0.1/16");
        byte[] keyB = identity("b", "100.64.0.2/16");
        SkeinProcess nodeA = SkeinProcess.up(netns, a, config("a", peer(keyB, "198.18.0.2:51820", "100.64.0.2/32"), ""));
        SkeinProcess.up(netns, b, config("b", peer(keyA, "198.18.0.1:51820", "100.64.0.1/32"), ""));
        assertPing(b, "100.64.0.1");
        // Keep the new (secondary) address when the old primary goes, as a laptop changing networks would.
        Netns.sh("ip netns exec " + b + " sysctl -qw net.ipv4.conf.vB.promote_secondaries=1");
        Thread mover = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            Netns.sh("ip -n " + b + " addr add 198.18.0.3/24 dev vB && ip -n " + b + " addr del 198.18.0.2/24 dev vB");
        });
        mover.start();
        assertTcpTransfer(b, a, "100.64.0.1", 256L << 20);
        mover.join();
        assertTrue(nodeA.log().contains("moved to /198.18.0.3:51820"), nodeA.log());
        assertPing(a, "100.64.0.2");
    }

    @Test
    void sessionsRollOverDuringATransfer() throws Exception {
        byte[] keyA = identity("a", "100.64.0.1/16");
        byte[] keyB = identity("b", "100.64.0.2/16");
        String fast = "tuning: {rekey-after-time: 1s, reject-after-time: 3s, rekey-timeout: 500ms, keepalive-timeout: 1s}\n";
        SkeinProcess nodeA = SkeinProcess.up(netns, a, config("a", peer(keyB, "198.18.0.2:51820", "100.64.0.2/32"), fast));
        SkeinProcess nodeB = SkeinProcess.up(netns, b, config("b", peer(keyA, "198.18.0.1:51820", "100.64.0.1/32"), fast));
        assertPing(a, "100.64.0.2");
        long start = System.nanoTime();
        assertTcpTransfer(a, b, "100.64.0.2", 384L << 20);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        int sessions = nodeA.count("established") + nodeB.count("established");
        assertTrue(seconds < 2 || sessions >= 3, "only " + sessions + " sessions in " + seconds + " s:\n" + nodeA.log());
        assertTrue(sessions >= 2, nodeA.log() + nodeB.log());
    }
}
