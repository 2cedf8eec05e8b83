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
 * A CA-signed member that asks for more than it should: its certificate lists a default route, a subnet over the
 * other machines' LAN, one the machine routes elsewhere already, and 100.96.0.0/16 around an honest member's
 * 100.96.1.0/24; and it sends packets from an address inside that honest member's subnet.
 *
 * <pre>
 *   [n1] 198.18.0.1 --+                          n1: the seed, with a default route via 198.18.0.254 and
 *   [n2] 198.18.0.2 --+-- br0 [bridge]               100.100.0.0/16 via 198.18.0.254 (the machine's own)
 *   [n3] 198.18.0.3 --+                          n2: routes 100.96.1.0/24;  n3: the misbehaving member
 * </pre>
 */
class MisbehavingMemberTest {
    @TempDir
    Path dir;
    private Netns netns;
    private TestPki pki;
    private String bridge;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        netns = new Netns();
        bridge = netns.bridge("br");
        pki = new TestPki(dir);
    }

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    private String host(int i) {
        String ns = netns.add("n" + i);
        netns.plug(ns, bridge, "p" + i, "198.18.0." + i + "/24");
        return ns;
    }

    private SkeinProcess start(String ns, int i, List<String> subnets) throws Exception {
        Instant now = Instant.now();
        pki.issue(pki.ca, "n" + i, "100.64.0." + i + "/16", subnets, now.minusSeconds(60), now.plus(Duration.ofHours(2)));
        return SkeinProcess.up(netns, ns, pki.config("n" + i, i == 1 ? "[]" : "[198.18.0.1:51820]", "ca.crt", ""));
    }

    /** The machine's routes that are not Skein's: what no member may change. */
    private static String ownRoutes(String ns) {
        return Netns.sh("ip -n " + ns + " route show").lines().filter(l -> !l.contains("skein0")).sorted()
                .reduce("", (a, b) -> a + b + "\n");
    }

    private String status(String ns, String name) {
        return SkeinProcess.statusJson(ns, pki.socket(name));
    }

    @Test
    void aMemberCannotTakeTheMachinesRoutesNorSendAsAnotherMembersSubnet() throws Exception {
        String n1 = host(1);
        String n2 = host(2);
        String n3 = host(3);
        Netns.sh("ip -n " + n1 + " route add default via 198.18.0.254");
        Netns.sh("ip -n " + n1 + " route add 100.100.0.0/16 via 198.18.0.254");
        Netns.sh("ip -n " + n2 + " addr add 100.96.1.1/32 dev lo");
        String before = ownRoutes(n1);
        assertTrue(before.contains("default via 198.18.0.254"), before);

        SkeinProcess seed = start(n1, 1, List.of());
        SkeinProcess honest = start(n2, 2, List.of("100.96.1.0/24"));
        SkeinProcess evil = start(n3, 3, List.of("0.0.0.0/0", "198.18.0.0/25", "100.100.0.0/16", "100.96.0.0/16"));
        try {
            for (String other : List.of("n2", "n3")) {
                seed.awaitLog(other + " added", 30);
            }
            honest.awaitLog("n3 added", 30);
        } catch (AssertionError e) {
            fail(e.getMessage() + "\nn1:\n" + seed.log() + "\nn3:\n" + evil.log() + "\nn2:\n" + honest.log());
        }

        // While it is a member: the machine's routes are as they were; what is safe is routed.
        assertEquals(before, ownRoutes(n1), "a member changed the machine's routes");
        String skeinRoutes = Netns.sh("ip -n " + n1 + " route show dev skein0");
        assertTrue(skeinRoutes.contains("100.96.0.0/16") && skeinRoutes.contains("100.96.1.0/24"), skeinRoutes);
        assertFalse(skeinRoutes.contains("default") || skeinRoutes.contains("198.18.0.0/25")
                || skeinRoutes.contains("100.100.0.0/16"), skeinRoutes);
        String status = status(n1, "n1");
        for (String refused : List.of("route 0.0.0.0/0 refused: n3: a default route",
                "route 198.18.0.0/25 refused: n3: overlaps the local network 198.18.0.0/24",
                "route 100.100.0.0/16 refused: n3: the machine has a route for it already")) {
            assertTrue(status.contains(refused), "no '" + refused + "' in:\n" + status);
        }
        String routes = Netns.exec(n1, String.join(" ", SkeinProcess.command("routes", "--socket",
                pki.socket("n1").toString())), 20).output();
        assertTrue(routes.contains("0.0.0.0/0") && routes.contains("refused"), routes);
        assertTrue(Netns.exec(n1, "ping -c 1 -W 2 100.96.1.1", 10).exit() == 0
                || Netns.exec(n1, "ping -c 1 -W 2 100.96.1.1", 10).exit() == 0, "n2's subnet is n2's");

        // Spoofing: n3 sends from an address of n2's subnet (inside its own, wider, grant). Its own address works.
        assertEquals(0, Netns.exec(n3, "ping -c 1 -W 2 100.64.0.1", 10).exit(), "n3 cannot reach n1 at all");
        Netns.sh("ip -n " + n3 + " addr add 100.96.1.5/32 dev lo");
        Netns.sh("ip -n " + n3 + " addr add 100.96.2.5/32 dev lo");
        long forbiddenBefore = SkeinProcess.counter(status(n1, "n1"), "forbidden-source");
        Netns.Result spoofed = Netns.exec(n3, "ping -c 3 -i 0.2 -W 1 -I 100.96.1.5 100.64.0.1", 15);
        assertNotEquals(0, spoofed.exit(), "n1 answered a packet from n2's subnet sent by n3:\n" + spoofed.output());
        String counted = status(n1, "n1");
        assertTrue(SkeinProcess.counter(counted, "forbidden-source") >= forbiddenBefore + 3, counted);
        assertEquals(0, Netns.exec(n3, "ping -c 1 -W 2 -I 100.96.2.5 100.64.0.1", 10).exit(),
                "the rest of n3's own subnet is n3's");

        // After it leaves: still the machine's own routes, and nothing of n3's left.
        assertEquals(0, evil.stop());
        seed.awaitLog("n3 removed", 15);
        assertEquals(before, ownRoutes(n1), "a member's leaving changed the machine's routes");
        String after = Netns.sh("ip -n " + n1 + " route show dev skein0");
        assertFalse(after.contains("100.96.0.0/16"), after);
        assertTrue(after.contains("100.96.1.0/24"), after);
        assertFalse(status(n1, "n1").contains("refused: n3"), "n3's refusals outlived it");
    }
}
