package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exit-node}: a client sends what is outside the mesh through a member that is an exit, while its own
 * underlay traffic keeps the machine's default route. The client reaches the exit only through a router that
 * knows nothing of the "outside" network, and filters reverse paths strictly; the outside host knows no route
 * to the mesh or to the client's network, so an answer can only come through the tunnel and the exit's NAT.
 *
 * <pre>
 *   [client] 198.18.1.2 -- 198.18.1.1 [router] 198.18.2.1 -- 198.18.2.2 [exit] 198.19.0.1 -- 198.19.0.2 [outside]
 *   default via 198.18.1.1                                   default via 198.18.2.1
 * </pre>
 */
class ExitNodeTest {
    private static final String TABLE = "51820"; // the node's UDP port: the policy table and the socket's mark

    @TempDir
    Path dir;
    private Netns netns;
    private TestPki pki;
    private String clientNs;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        netns = new Netns();
        pki = new TestPki(dir);
    }

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    private static String sysctl(String ns, String key) {
        return Netns.exec(ns, "sysctl -n " + key, 10).output().trim();
    }

    @Test
    void trafficOutsideTheMeshGoesThroughTheExitAndTheTunnelStaysUp() throws Exception {
        String client = netns.add("client");
        clientNs = client;
        String router = netns.add("router");
        String exit = netns.add("exit");
        String outside = netns.add("outside");
        netns.link(client, "u0", "198.18.1.2/24", router, "r1", "198.18.1.1/24");
        netns.link(router, "r2", "198.18.2.1/24", exit, "u0", "198.18.2.2/24");
        netns.link(exit, "o0", "198.19.0.1/24", outside, "o1", "198.19.0.2/24");
        Netns.sh("ip netns exec " + router + " sysctl -qw net.ipv4.ip_forward=1");
        Netns.sh("ip -n " + client + " route add default via 198.18.1.1");
        Netns.sh("ip -n " + exit + " route add default via 198.18.2.1");
        Netns.sh("ip netns exec " + client + " sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.u0.rp_filter=1");
        assertFalse(Netns.pingsOnce(client, "198.19.0.2"), "the outside is reachable without the exit: the test proves nothing");
        String clientDefault = Netns.sh("ip -n " + client + " route show default");

        Instant now = Instant.now();
        Duration life = Duration.ofHours(2);
        pki.issue(pki.ca, "exit", "100.64.0.2/16", List.of("0.0.0.0/0"), now.minusSeconds(60), now.plus(life));
        pki.issue(pki.ca, "client", "100.64.0.1/16", List.of(), now.minusSeconds(60), now.plus(life));
        // Short rekeys: several handshakes go over the underlay while everything else uses the exit.
        String tuning = "tuning: {rekey-after-time: 3s, keepalive-timeout: 1s}\n";
        SkeinProcess exitNode = SkeinProcess.up(netns, exit, pki.config("exit", "[]", "ca.crt", "exit: true\n" + tuning));
        SkeinProcess clientNode = SkeinProcess.up(netns, client, pki.config("client", "[198.18.2.2:51820]", "ca.crt",
                "exit-node: exit\n" + tuning));
        try {
            clientNode.awaitLog("exit added", 30);
        } catch (AssertionError e) {
            fail(e.getMessage() + "\nexit:\n" + exitNode.log());
        }
        assertEquals("1", sysctl(exit, "net.ipv4.ip_forward"), "the exit forwards");

        // The kernel's choices: Skein's marked datagrams take the machine's default route, the rest the tunnel.
        String marked = Netns.sh("ip -n " + client + " route get 198.18.2.2 mark " + TABLE);
        assertTrue(marked.contains("via 198.18.1.1 dev u0"), marked);
        assertTrue(Netns.sh("ip -n " + client + " route get 198.19.0.2").contains("dev skein0"));
        assertTrue(Netns.sh("ip -n " + client + " route get 198.18.1.1").contains("dev u0"), "the LAN stays the LAN");
        assertEquals(clientDefault, Netns.sh("ip -n " + client + " route show default"),
                "the machine's own default route was changed");

        assertTrue(Netns.reaches(client, "198.19.0.2"), "the outside is not reachable through the exit:\n"
                + SkeinProcess.statusJson(client, pki.socket("client")));
        long rxBefore = rxFromExit();
        Thread.sleep(7000); // two rekeys and more
        assertEquals(0, Netns.exec(client, "ping -c 5 -i 0.2 -W 2 198.19.0.2", 15).exit(),
                "the tunnel did not stay up across rekeys");
        assertTrue(Netns.reaches(client, "100.64.0.2"), "the exit's overlay address");
        assertTrue(rxFromExit() > rxBefore, "the answers did not come from the exit's session");
        assertNull(warning(SkeinProcess.statusJson(client, pki.socket("client"))));

        // The exit goes away: outside traffic is dropped, not sent around the tunnel.
        assertEquals(0, exitNode.stop());
        clientNode.awaitLog("exit removed", 15);
        assertFalse(Netns.pingsOnce(client, "198.19.0.2"));
        assertEquals("0", sysctl(exit, "net.ipv4.ip_forward"), "the exit did not turn forwarding back off");
        String status = SkeinProcess.statusJson(client, pki.socket("client"));
        assertEquals("exit-node exit: not a member now; traffic outside the mesh is dropped", warning(status), status);
        assertTrue(SkeinProcess.counter(status, "no-route") > 0, status);
        assertTrue(Netns.sh("ip -n " + client + " route get 198.19.0.2").contains("dev skein0"),
                "without the exit, outside traffic would take the machine's default route");

        // Stopped, the client leaves the machine's routing as it found it.
        assertEquals(0, clientNode.stop());
        assertFalse(Netns.sh("ip -n " + client + " rule show").contains(TABLE), "a rule outlived the node");
        assertFalse(Netns.sh("ip netns exec " + client + " nft list tables").contains("skein"));
        assertFalse(Netns.sh("ip netns exec " + exit + " nft list tables").contains("skein"));
        assertEquals("0", sysctl(client, "net.ipv4.conf.all.src_valid_mark"));
        assertTrue(Netns.reaches(client, "198.18.2.2"), "the underlay works without Skein");
    }

    private long rxFromExit() {
        String status = SkeinProcess.cliIn(clientNs, "peers", "--json", "--socket",
                pki.socket("client").toString()).output();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "\"name\":\\s*\"exit\"[^}]*?\"rxBytes\":\\s*\"?(\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The exit-node warning of `skein status --json`, or null. */
    private static String warning(String status) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(exit-node [^\"]*)\"").matcher(status);
        return m.find() ? m.group(1) : null;
    }
}
