package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh whose underlay is IPv6 only (2001:db8::/64 on one bridge, no IPv4 on any underlay link): the nodes
 * join through a seed given as {@code [2001:db8::1]:51820}, publish their IPv6 endpoints, handshake and gossip
 * over them, and carry overlay traffic (ping, an iperf3 stream) between members that learned each other only
 * through gossip.
 */
class Ipv6UnderlayTest {
    @TempDir
    Path dir;
    /** The test's namespaces and processes, removed after each test. */
    @RegisterExtension
    final Netns netns = new Netns();

    @Test
    void aMeshOnAnIpv6OnlyUnderlayFormsAndCarriesTraffic() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        String br = netns.bridge("6br");
        String[] ns = new String[3];
        for (int i = 0; i < 3; i++) {
            ns[i] = netns.add("6n" + (i + 1));
            // No duplicate address detection: the addresses are usable at once (the test owns the segment).
            Netns.sh("ip netns exec " + ns[i] + " sysctl -qw net.ipv6.conf.all.accept_dad=0 "
                    + "net.ipv6.conf.default.accept_dad=0");
            netns.plug(ns[i], br, "p" + (i + 1), "2001:db8::" + (i + 1) + "/64");
        }
        assertEquals("", Netns.exec(ns[1], "ip -4 addr show dev u0", 5).output().trim(), "no IPv4 on the underlay");
        TestPki pki = new TestPki(dir);
        pki.issue("seed", "100.64.0.1/16");
        pki.issue("home", "100.64.0.2/16");
        pki.issue("office", "100.64.0.3/16");
        SkeinProcess.up(netns, ns[0], pki.config("seed", "[]", "ca.crt", ""));
        SkeinProcess home = SkeinProcess.up(netns, ns[1], pki.config("home", "['[2001:db8::1]:51820']", "ca.crt", ""));
        SkeinProcess office = SkeinProcess.up(netns, ns[2], pki.config("office", "['[2001:db8::1]:51820']", "ca.crt",
                ""));
        home.awaitLog("office added", 30);
        office.awaitLog("home added", 30);
        assertTrue(Netns.reaches(ns[1], "100.64.0.3"), "home reaches office over the IPv6 underlay");
        assertTrue(Netns.reaches(ns[2], "100.64.0.2"));
        String peers = SkeinProcess.cli("peers", "--socket", pki.socket("home").toString()).output();
        assertTrue(peers.contains("[2001:db8::3]:51820") && peers.contains("direct"), peers);

        Path log = dir.resolve("iperf3.log");
        netns.iperf3Server(ns[2], "100.64.0.3", log);
        Netns.Result tcp = Netns.exec(ns[1], "timeout 30 iperf3 -c 100.64.0.3 -t 2", 40);
        assertEquals(0, tcp.exit(), tcp.output());
    }
}
