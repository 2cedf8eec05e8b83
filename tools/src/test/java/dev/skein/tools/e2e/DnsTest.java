package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Member names in DNS, asked with dig (Debian's bind9-dnsutils) of real nodes: forward and reverse, UDP and
 * TCP, a name that leaves, names outside the domain refused; a LAN host behind the subnet router home resolves
 * and pings a member by name; a neighbour on the underlay cannot ask.
 *
 * <pre>
 *   [seed] 198.18.0.1 --+
 *   [home] 198.18.0.2 --+-- br0        home routes 100.96.5.0/24: [lan host] 100.96.5.2 -- lan0 100.96.5.1 [home]
 *   [office] .0.3 ------+
 *   [stranger] .0.9 ----+  (no node: routes the overlay to home over the underlay)
 * </pre>
 */
class DnsTest {
    @TempDir
    Path dir;
    /** The test's namespaces and processes, removed after each test. */
    @RegisterExtension
    final Netns netns = new Netns();

    private static String dig(String ns, String args) {
        Netns.Result r = Netns.exec(ns, "dig +time=2 +tries=1 " + args, 10);
        return r.output();
    }

    /** dig's +short answer, polled until it is {@code expected} (names arrive with gossip); the last answer. */
    private static String digUntil(String ns, String args, String expected, int seconds) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(seconds);
        String last;
        do {
            last = dig(ns, "+short " + args).trim();
            if (last.equals(expected)) {
                return last;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(deadline));
        return last;
    }

    @Test
    void membersResolveByNameForwardAndReverseOverUdpAndTcpUntilTheyLeave() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        assertEquals(0, Netns.run("command -v dig", 5).exit(), "dig is missing: install bind9-dnsutils (.ci/run does)");
        String br = netns.bridge("dbr");
        String seed = netns.add("ds");
        String home = netns.add("dh");
        String office = netns.add("do");
        String lan = netns.add("dl");
        String stranger = netns.add("dx");
        netns.plug(seed, br, "p1", "198.18.0.1/24");
        netns.plug(home, br, "p2", "198.18.0.2/24");
        netns.plug(office, br, "p3", "198.18.0.3/24");
        netns.plug(stranger, br, "p9", "198.18.0.9/24");
        netns.link(home, "lan0", "100.96.5.1/24", lan, "eth0", "100.96.5.2/24");
        Netns.sh("ip -n " + lan + " route add 100.64.0.0/10 via 100.96.5.1");
        Netns.sh("ip netns exec " + home + " sysctl -qw net.ipv4.ip_forward=1");
        Netns.sh("ip -n " + stranger + " route add 100.64.0.0/10 via 198.18.0.2");
        netns.resolver(lan, "100.64.0.2");

        TestPki pki = new TestPki(dir);
        Instant now = Instant.now();
        pki.issue("seed", "100.64.0.1/16");
        pki.issue(pki.ca, "home", "100.64.0.2/16", List.of("100.96.5.0/24"), now.minusSeconds(60),
                now.plus(Duration.ofHours(2)));
        pki.issue("office", "100.64.0.3/16");
        SkeinProcess.up(netns, seed, pki.config("seed", "[]", "ca.crt", ""));
        SkeinProcess h = SkeinProcess.up(netns, home, pki.config("home", "[198.18.0.1:51820]", "ca.crt", ""));
        SkeinProcess o = SkeinProcess.up(netns, office, pki.config("office", "[198.18.0.1:51820]", "ca.crt",
                "dns: {domain: corp.mesh}\n"));
        h.awaitLog("dns: NAME.mesh answered on 100.64.0.2:53", 10);
        o.awaitLog("dns: NAME.corp.mesh answered on 100.64.0.3:53", 10);

        // Each node answers for itself and the members it knows, in its own domain.
        assertEquals("100.64.0.3", digUntil(home, "@100.64.0.2 office.mesh", "100.64.0.3", 30));
        assertEquals("100.64.0.2", digUntil(office, "@100.64.0.3 HOME.corp.mesh", "100.64.0.2", 30));
        assertEquals("100.64.0.2", dig(home, "+short @100.64.0.2 home.mesh").trim(), "itself");
        assertEquals("100.64.0.1", dig(home, "+short +tcp @100.64.0.2 seed.mesh").trim(), "over TCP");
        assertEquals("office.mesh.", dig(home, "+short @100.64.0.2 -x 100.64.0.3").trim(), "reverse");
        // Asked across the mesh: the seed asks home's server through their session.
        assertEquals("100.64.0.3", digUntil(seed, "@100.64.0.2 office.mesh", "100.64.0.3", 10));

        String outside = dig(home, "@100.64.0.2 example.com");
        assertTrue(outside.contains("status: REFUSED"), "no open resolver:\n" + outside);
        String unknown = dig(home, "@100.64.0.2 printer.mesh");
        assertTrue(unknown.contains("status: NXDOMAIN") && unknown.contains("flags: qr aa"), unknown);
        assertTrue(dig(home, "@100.64.0.2 office.mesh AAAA").contains("ANSWER: 0"), "no IPv6 address: no AAAA");

        // A LAN host behind the subnet router home: its resolver is home's overlay address.
        assertEquals("100.64.0.3", dig(lan, "+short @100.64.0.2 office.mesh").trim());
        Netns.Result ping = Netns.exec(lan, "ping -c 1 -W 3 office.mesh", 15);
        assertEquals(0, ping.exit(), "the LAN host pings office by name:\n" + ping.output());
        assertTrue(ping.output().contains("100.64.0.3"), ping.output());

        // A neighbour on the underlay that routes the overlay to home gets nothing: the overlay filter keeps it out.
        String fromUnderlay = dig(stranger, "@100.64.0.2 office.mesh");
        assertTrue(fromUnderlay.contains("timed out") || fromUnderlay.contains("no servers could be reached"),
                "answered from the underlay:\n" + fromUnderlay);

        // Office leaves: its name goes with it.
        assertEquals(0, o.stop());
        String gone = "";
        Instant deadline = Instant.now().plusSeconds(15);
        while (Instant.now().isBefore(deadline) && !gone.contains("status: NXDOMAIN")) {
            gone = dig(home, "@100.64.0.2 office.mesh");
            Thread.sleep(200);
        }
        assertTrue(gone.contains("status: NXDOMAIN"), "office still resolves after it left:\n" + gone);
        assertFalse(dig(home, "+short @100.64.0.2 -x 100.64.0.3").contains("office"));
        assertTrue(h.log().contains("systemd-resolved is not running here") || h.log().contains("systemd-resolved asks"),
                "says how the names reach the machine's resolver:\n" + h.log());
    }

    /**
     * A seed given by name, resolved from the hosts file (the namespace's resolver is loopback, so no query leaves)
     * and asked again on a 2 s interval (a test hook; a minute in real life): first it points where no node
     * runs, then the name moves to the real seed and the node joins.
     */
    @Test
    void aSeedGivenByNameIsAskedAgainAndFollowedWhenItMoves() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        String seed = netns.add("ns1");
        String node = netns.add("ns2");
        netns.link(seed, "u0", "198.18.0.1/24", node, "u0", "198.18.0.2/24");
        netns.resolver(node, "127.0.0.1");
        netns.hosts(node, "198.18.0.77 seed.test\n");
        TestPki pki = new TestPki(dir);
        pki.issue("seed", "100.64.0.1/16");
        pki.issue("roamer", "100.64.0.2/16");
        SkeinProcess s = SkeinProcess.up(netns, seed, pki.config("seed", "[]", "ca.crt", ""));
        SkeinProcess n = SkeinProcess.up(netns, node, pki.config("roamer", "[seed.test:51820]", "ca.crt", ""),
                List.of("-Dskein.test.seed-interval=2s"));
        n.awaitLog("seed seed.test:51820: [198.18.0.77]", 10);
        Thread.sleep(1000);
        assertFalse(n.log().contains("session with seed"), "nothing runs at the first address");
        netns.hosts(node, "198.18.0.1 seed.test\n");
        n.awaitLog("seed seed.test:51820: [198.18.0.1]", 10);
        n.awaitLog("session with seed", 20);
        s.awaitLog("roamer", 20);
        assertTrue(Netns.reaches(node, "100.64.0.1"));
    }
}
