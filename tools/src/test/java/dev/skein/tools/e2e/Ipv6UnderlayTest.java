package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh whose underlay is IPv6 only (2001:db8::/64 on one bridge, no IPv4 on any underlay link) and whose
 * overlay is dual stack (certificates with 100.64.0.N and fd00:64::N): the nodes join through a seed given as
 * {@code [2001:db8::1]:51820}, publish their IPv6 endpoints, handshake and gossip over them, and carry overlay
 * traffic over both overlay addresses (ping, iperf3 streams, names with A and AAAA) between members that
 * learned each other only through gossip; with their direct path cut the seed relays between them over IPv6;
 * a stranger on the underlay that routes to a member's IPv6 overlay address is dropped, as for the IPv4 one.
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
        TestPki pki = new TestPki(dir, "fd00:64::/48");
        pki.issue("seed", "100.64.0.1/16,fd00:64::1/64");
        pki.issue("home", "100.64.0.2/16,fd00:64::2/64");
        java.time.Instant now = java.time.Instant.now();
        pki.issue(pki.ca, "office", "100.64.0.3/16,fd00:64::3/64", java.util.List.of("fd00:96:1::/64"),
                now.minusSeconds(60), now.plusSeconds(7200));
        SkeinProcess.up(netns, ns[0], pki.config("seed", "[]", "ca.crt", "relay: true\n"));
        SkeinProcess home = SkeinProcess.up(netns, ns[1], pki.config("home", "['[2001:db8::1]:51820']", "ca.crt", ""));
        SkeinProcess office = SkeinProcess.up(netns, ns[2], pki.config("office", "['[2001:db8::1]:51820']", "ca.crt",
                ""));
        home.awaitLog("office added", 30);
        office.awaitLog("home added", 30);
        assertTrue(Netns.reaches(ns[1], "100.64.0.3"), "home reaches office over the IPv6 underlay");
        assertTrue(Netns.reaches(ns[2], "100.64.0.2"));
        assertTrue(Netns.reaches(ns[1], "fd00:64::3"), "and over its IPv6 overlay address");
        assertTrue(Netns.reaches(ns[2], "fd00:64::2"));
        assertTrue(Netns.exec(ns[1], "ip -6 addr show dev skein0", 5).output().contains("fd00:64::2/64"));
        String peers = SkeinProcess.cli("peers", "--socket", pki.socket("home").toString()).output();
        assertTrue(peers.contains("[2001:db8::3]:51820") && peers.contains("direct"), peers);
        assertTrue(peers.contains("100.64.0.3,fd00:64::3") && peers.contains("fd00:96:1::/64"), peers);
        String routes = SkeinProcess.cli("routes", "--socket", pki.socket("home").toString()).output();
        assertTrue(routes.contains("fd00:64::3/128") && routes.contains("fd00:64::2/128"), routes);

        // An IPv6 subnet: routed to office by the kernel and the data plane (office holds one address of it).
        Netns.sh("ip -n " + ns[2] + " addr add fd00:96:1::1/128 dev lo");
        assertTrue(Netns.exec(ns[1], "ip -6 route show fd00:96:1::/64", 5).output().contains("skein0"));
        assertTrue(Netns.reaches(ns[1], "fd00:96:1::1"), "home reaches office's IPv6 subnet");

        // Names: A and AAAA from the certificates, and the IPv6 reverse name.
        assertEquals("fd00:64::3", Netns.exec(ns[1], "dig +short +time=2 +tries=2 @100.64.0.2 office.mesh AAAA", 15)
                .output().trim());
        assertEquals("office.mesh.", Netns.exec(ns[1], "dig +short +time=2 +tries=2 @100.64.0.2 -x fd00:64::3", 15)
                .output().trim());

        Path log = dir.resolve("iperf3.log");
        Process server = netns.iperf3Server(ns[2], "100.64.0.3", log);
        Netns.Result tcp = Netns.exec(ns[1], "timeout 30 iperf3 -c 100.64.0.3 -t 2", 40);
        assertEquals(0, tcp.exit(), tcp.output());
        assertTrue(server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the one-off server is done");
        Path log6 = dir.resolve("iperf3-6.log");
        netns.iperf3Server(ns[2], "fd00:64::3", log6);
        Netns.Result tcp6 = Netns.exec(ns[1], "timeout 30 iperf3 -c fd00:64::3 -t 2", 40);
        assertEquals(0, tcp6.exit(), tcp6.output());

        // The direct path between home and office cut (each drops the other's underlay address): the seed relays,
        // over IPv6, and both overlay addresses still answer.
        Netns.sh("ip -n " + ns[1] + " -6 route add blackhole 2001:db8::3/128");
        Netns.sh("ip -n " + ns[2] + " -6 route add blackhole 2001:db8::2/128");
        home.awaitLog("path to office: relay:seed", 20);
        assertTrue(Netns.reaches(ns[1], "fd00:64::3"), "home reaches office through the relay");
        assertTrue(Netns.reaches(ns[1], "100.64.0.3"));
        String relayed = SkeinProcess.cli("peers", "--socket", pki.socket("home").toString()).output();
        assertTrue(relayed.contains("relay:seed"), relayed);

        // A stranger on the bridge routes the mesh's IPv6 network to office's underlay address: dropped by
        // office's overlay filter, as the IPv4 overlay address is.
        String stranger = netns.add("6x");
        Netns.sh("ip netns exec " + stranger + " sysctl -qw net.ipv6.conf.all.accept_dad=0 "
                + "net.ipv6.conf.default.accept_dad=0");
        netns.plug(stranger, br, "px", "2001:db8::9/64");
        Netns.sh("ip -n " + stranger + " -6 route add fd00:64::/64 via 2001:db8::3");
        assertTrue(Netns.pingsOnce(stranger, "2001:db8::3"), "the stranger reaches office's underlay address");
        assertFalse(Netns.pingsOnce(stranger, "fd00:64::3"), "but not its overlay address");
    }
}
