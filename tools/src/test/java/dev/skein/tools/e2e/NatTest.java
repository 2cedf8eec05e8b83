package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Home and office behind NAT routers built from nftables, a seed with a public address that is also a relay
 * (the same topology as simulations/scripts/nat.sh):
 *
 * <pre>
 *   [seed 198.18.0.1, relay: true]
 *            |
 *   ===== "internet" bridge 198.18.0.0/24 =====
 *            |                         |
 *   [home-gw 198.18.0.2]       [office-gw 198.18.0.3]     masquerade; new connections from the internet
 *      198.19.1.1                 198.19.2.1              are dropped, as home routers do
 *            |                         |
 *   [home 198.19.1.2]          [office 198.19.2.2]        overlay: seed .1, home .2, office .3 in 100.64/16
 *   ([den 198.19.1.3] in one test: a second machine on the home LAN, overlay .4)
 *
 * Each LAN is a bridge in its router's namespace.
 * </pre>
 */
class NatTest {
    /** Documented in docs/PERFORMANCE.md: after home's public address changes, traffic flows again within this. */
    private static final double ROAM_BOUND_SECONDS = 8;

    @TempDir
    Path dir;
    private Netns netns;
    private TestPki pki;
    private String inet;
    private final Map<String, String> ns = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        netns = new Netns();
        pki = new TestPki(dir);
    }

    /** The nodes {@link #startNodes} started, in that order. */
    private final List<SkeinProcess> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    // ---- the topology

    private void topology(boolean randomPorts) throws Exception {
        inet = netns.bridge("inet");
        ns.put("seed", netns.add("seed"));
        netns.plug(ns.get("seed"), inet, "i-seed", "198.18.0.1/24");
        site("home", 1, "198.18.0.2", randomPorts);
        site("office", 2, "198.18.0.3", randomPorts);
    }

    /** A NAT router (WAN u0 at {@code publicAddress}) and the LAN 198.19.N.0/24 behind it with one host at .2. */
    private void site(String name, int n, String publicAddress, boolean randomPorts) throws Exception {
        String gw = netns.add(name + "-gw");
        ns.put(name + "-gw", gw);
        netns.plug(gw, inet, "i-" + name, publicAddress + "/24");
        // the LAN: a bridge in the router, with the router at .1 and hosts plugged in from .2
        Netns.sh("ip -n " + gw + " link add br0 type bridge");
        Netns.sh("ip -n " + gw + " addr add 198.19." + n + ".1/24 dev br0");
        Netns.sh("ip -n " + gw + " link set br0 up");
        lanHost(name, name, n, 2);
        // promote_secondaries: when the public address changes, the new one must survive the old one's removal
        Netns.sh("ip netns exec " + gw + " sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.promote_secondaries=1"
                + " net.ipv4.conf.u0.promote_secondaries=1");
        Path rules = dir.resolve(name + "-gw.nft");
        Files.writeString(rules, """
                table ip nat {
                  chain postrouting { type nat hook postrouting priority srcnat; oifname "u0" masquerade%s; }
                }
                table ip firewall {
                  chain input { type filter hook input priority filter; iifname "u0" ct state new drop; }
                  chain forward { type filter hook forward priority filter; iifname "u0" ct state new drop; }
                }
                """.formatted(randomPorts ? " random" : ""));
        Netns.sh("ip netns exec " + gw + " nft -f " + rules);
    }

    /** A host namespace {@code host} on site {@code site}'s LAN 198.19.N.0/24, at .{@code octet}. */
    private void lanHost(String site, String host, int n, int octet) {
        String ns = netns.add(host);
        this.ns.put(host, ns);
        netns.plug(ns, this.ns.get(site + "-gw"), "l-" + host, "198.19." + n + "." + octet + "/24");
        Netns.sh("ip -n " + ns + " route add 198.18.0.0/24 via 198.19." + n + ".1");
    }

    /** Starts a further node {@code name} (overlay 100.64.0.{@code i}) joining through the seed. */
    private SkeinProcess startNode(String name, int i) throws Exception {
        pki.issue(name, "100.64.0." + i + "/16");
        return SkeinProcess.up(netns, ns.get(name), pki.config(name, "[198.18.0.1:51820]", "ca.crt", ""));
    }

    private void startNodes() throws Exception {
        int i = 0;
        List<SkeinProcess> started = new ArrayList<>();
        for (String name : List.of("seed", "home", "office")) {
            i++;
            pki.issue(name, "100.64.0." + i + "/16");
            boolean seed = name.equals("seed");
            Path cfg = pki.config(name, seed ? "[]" : "[198.18.0.1:51820]", "ca.crt", "relay: " + seed + "\n");
            started.add(SkeinProcess.up(netns, ns.get(name), cfg));
        }
        nodes.addAll(started);
        started.get(1).awaitLog("office added", 30);
        started.get(2).awaitLog("home added", 30);
    }

    // ---- asking the nodes

    /** The PATH column of {@code peer}'s line in `skein peers` on {@code node}. */
    private String path(String node, String peer) {
        Netns.Result r = SkeinProcess.cli("peers", "--socket", pki.socket(node).toString());
        for (String line : r.output().lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length > 4 && cols[0].equals(peer)) {
                return cols[4];
            }
        }
        return "(" + peer + " not listed: " + r.output().trim() + ")";
    }

    private void awaitPath(String node, String peer, String expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = path(node, peer);
            if (last.equals(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        fail(node + "'s path to " + peer + " is " + last + ", not " + expected + " after " + seconds + " s");
    }

    /** Datagrams the seed has forwarded as a relay. */
    /** The seed's relayed-packet count; fails unless its status parses (JSON leaves a zero count out). */
    private long relayed() throws Exception {
        Netns.Result r = SkeinProcess.cli("status", "--json", "--socket", pki.socket("seed").toString());
        assertEquals(0, r.exit(), r.output());
        dev.skein.protocol.proto.Status.Builder status = dev.skein.protocol.proto.Status.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(r.output(), status);
        assertEquals("seed", status.getName(), r.output());
        return status.getRelayedPackets();
    }

    /** The topology and the three nodes, once home and office reach each other by {@code path} both ways. */
    private void meshBehindNats(boolean randomPorts, String path) throws Exception {
        topology(randomPorts);
        startNodes();
        awaitPath("home", "office", path, 15);
        awaitPath("office", "home", path, 15);
    }

    /** `skein ping PEER` on {@code node} gets replies and says they took {@code path}. */
    private void assertSkeinPing(String node, String peer, String path) {
        Netns.Result r = SkeinProcess.cli("ping", peer, "-c", "2", "-i", "0.2", "--socket", pki.socket(node).toString());
        assertTrue(r.output().contains("path=" + path), r.output());
    }

    private void assertPing(String from, String address) {
        Netns.Result r = Netns.exec(ns.get(from), "ping -c 3 -i 0.2 -W 2 " + address, 20);
        assertEquals(0, r.exit(), () -> "ping " + address + " from " + from + ":\n" + r.output() + logs());
    }

    /** Every node's log (seed, home, office), for the reader of a failure. */
    private String logs() {
        StringBuilder all = new StringBuilder();
        for (SkeinProcess n : nodes) {
            all.append("\n==== node log\n").append(n.log());
        }
        return all.toString();
    }

    // ---- the tests

    @Test
    void behindPortPreservingNatsHomeAndOfficeConnectDirectlyAndTheRelayCarriesNothing() throws Exception {
        meshBehindNats(false, "direct");
        long before = relayed();
        assertPing("home", "100.64.0.3");
        assertPing("office", "100.64.0.2");
        TcpCheck.assertTransfer(netns, dir, ns.get("home"), ns.get("office"), "100.64.0.3", 8 << 20);
        assertSkeinPing("home", "office", "direct");
        assertEquals(before, relayed(), "the relay forwarded some of home's and office's traffic");
        assertEquals("direct", path("home", "office"));
    }

    @Test
    void behindRandomPortNatsTrafficGoesThroughTheRelayAndPeersSaysSo() throws Exception {
        meshBehindNats(true, "relay:seed");
        assertPing("home", "100.64.0.3");
        long before = relayed();
        TcpCheck.assertTransfer(netns, dir, ns.get("office"), ns.get("home"), "100.64.0.2", 8 << 20);
        long forwarded = relayed() - before;
        assertTrue(forwarded > (8 << 20) / 1500, "the relay forwarded only " + forwarded + " datagrams");
        assertSkeinPing("office", "home", "relay:seed");
        // Hole punching kept trying all along, and could not succeed through these NATs.
        assertEquals("relay:seed", path("home", "office"));
    }

    @Test
    void twoMachinesBehindTheSameNatReachEachOtherDirectlyOverTheirLan() throws Exception {
        meshBehindNats(false, "direct");
        lanHost("home", "den", 1, 3);
        SkeinProcess den = startNode("den", 4);
        den.awaitLog("home added", 30);
        awaitPath("home", "den", "direct", 15);
        awaitPath("den", "home", "direct", 15);
        assertPing("home", "100.64.0.4");
        Netns.Result peers = SkeinProcess.cli("peers", "--socket", pki.socket("home").toString());
        assertTrue(peers.output().lines().anyMatch(l -> l.startsWith("den") && l.contains("198.19.1.3:51820")),
                "home should reach den at its LAN address:\n" + peers.output());
        awaitPath("den", "office", "direct", 15); // and den, like home, reaches office through the NATs
    }

    @Test
    void aDirectPathThatBreaksFallsBackToTheRelayAndComesBackWhenItWorksAgain() throws Exception {
        meshBehindNats(false, "direct");
        // Cut the internet between the two routers only; both still reach the seed.
        Path cut = dir.resolve("cut.nft");
        Files.writeString(cut, """
                table ip cut {
                  chain out { type filter hook postrouting priority 0; ip daddr 198.18.0.3 drop; }
                  chain in { type filter hook prerouting priority -300; ip saddr 198.18.0.3 drop; }
                }
                """);
        Netns.sh("ip netns exec " + ns.get("home-gw") + " nft -f " + cut);
        awaitPath("home", "office", "relay:seed", 15);
        awaitPath("office", "home", "relay:seed", 15);
        assertPing("home", "100.64.0.3");
        assertSkeinPing("office", "home", "relay:seed");
        Netns.sh("ip netns exec " + ns.get("home-gw") + " nft delete table ip cut");
        awaitPath("home", "office", "direct", 15);
        awaitPath("office", "home", "direct", 15);
        assertPing("office", "100.64.0.2");
    }

    @Test
    void whenHomesPublicAddressChangesMidTransferTrafficResumesWithinTheBound() throws Exception {
        meshBehindNats(false, "direct");
        Path server = dir.resolve("iperf-server.log");
        Path client = dir.resolve("iperf-client.log");
        Path pings = dir.resolve("ping.log");
        netns.iperf3Server(ns.get("office"), "100.64.0.3", server);
        Process transfer = netns.start(ns.get("home"), List.of("timeout", "40", "iperf3", "-c", "100.64.0.3", "-t",
                "12", "-i", "1", "-b", "50M", "--connect-timeout", "5000"), client);
        Process ping = netns.start(ns.get("home"), List.of("ping", "-D", "-i", "0.1", "-c", "120", "-W", "1",
                "100.64.0.3"), pings);
        Thread.sleep(4000);
        double moved = System.currentTimeMillis() / 1000.0;
        Netns.sh("ip -n " + ns.get("home-gw") + " addr add 198.18.0.12/24 dev u0");
        Netns.sh("ip -n " + ns.get("home-gw") + " addr del 198.18.0.2/24 dev u0");
        assertTrue(ping.waitFor(40, TimeUnit.SECONDS), "ping did not finish");
        assertTrue(transfer.waitFor(40, TimeUnit.SECONDS), "iperf3 did not finish");
        String out = Files.readString(client);
        assertEquals(0, transfer.exitValue(), "the TCP transfer broke:\n" + out);
        // The last second of the transfer moved data: it resumed after the move.
        Matcher last = Pattern.compile("11\\.00-12\\.00\\s+sec\\s+([\\d.]+) (\\w?)Bytes").matcher(out);
        assertTrue(last.find() && Double.parseDouble(last.group(1)) > 0, "no data in the last second:\n" + out);
        // The longest silence of a 10/s ping across the move.
        double gap = 0;
        double previous = 0;
        double firstAfter = -1;
        for (String line : Files.readString(pings).lines().toList()) {
            Matcher m = Pattern.compile("^\\[(\\d+\\.\\d+)\\].*bytes from").matcher(line);
            if (m.find()) {
                double t = Double.parseDouble(m.group(1));
                if (previous > 0) {
                    gap = Math.max(gap, t - previous);
                }
                if (firstAfter < 0 && t > moved) {
                    firstAfter = t - moved;
                }
                previous = t;
            }
        }
        System.out.printf("roaming: longest ping gap %.2f s, first reply %.2f s after the move%n", gap, firstAfter);
        assertTrue(firstAfter >= 0, "no reply after the move:\n" + Files.readString(pings));
        assertTrue(gap < ROAM_BOUND_SECONDS, "traffic stopped for " + gap + " s (bound " + ROAM_BOUND_SECONDS + ")");
        awaitPath("office", "home", "direct", 10);
        Netns.Result peers = SkeinProcess.cli("peers", "--socket", pki.socket("office").toString());
        assertTrue(peers.output().contains("198.18.0.12:51820"), "office does not reach home at its new address:\n"
                + peers.output());
        Netns.Result status = SkeinProcess.cli("status", "--socket", pki.socket("home").toString());
        assertTrue(status.output().lines().anyMatch(l -> l.startsWith("public") && l.contains("198.18.0.12:51820")),
                () -> status.output() + logs());
    }
}
