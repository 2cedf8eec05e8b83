package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

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
class MisbehavingMemberTest extends BridgeTest {


    private SkeinProcess start(String ns, int i, List<String> subnets) throws Exception {
        return start(ns, i, subnets, List.of());
    }

    private SkeinProcess start(String ns, int i, List<String> subnets, List<String> jvmFlags) throws Exception {
        Instant now = Instant.now();
        pki.issue(pki.ca, "n" + i, "100.64.0." + i + "/16", subnets, now.minusSeconds(60), now.plus(Duration.ofHours(2)));
        return SkeinProcess.up(netns, ns, pki.config("n" + i, i == 1 ? "[]" : "[198.18.0.1:51820]", "ca.crt", ""),
                jvmFlags);
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
        String routes = SkeinProcess.cliIn(n1, "routes", "--socket",
                pki.socket("n1").toString()).output();
        assertTrue(routes.contains("0.0.0.0/0") && routes.contains("refused"), routes);
        assertTrue(Netns.reaches(n1, "100.96.1.1"), "n2's subnet is n2's");

        // Spoofing: n3 sends from an address of n2's subnet (inside its own, wider, grant). Its own address works.
        assertTrue(Netns.reaches(n3, "100.64.0.1"), "n3 cannot reach n1 at all");
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

    @Test
    void aReplayedJoinOrGreetingDoesNotBringBackAMemberThatLeft() throws Exception {
        String n1 = host(1);
        String n2 = host(2);
        String n3 = host(3);
        // The attacker records everything n3 sends on the underlay, and replays it once n3 has left.
        Path capture = dir.resolve("n3.pcap");
        Path tcpdumpLog = dir.resolve("tcpdump.log");
        Process tcpdump = netns.start(n3, List.of("tcpdump", "-i", "u0", "-U", "-n", "-w", capture.toString(),
                "udp and src host 198.18.0.3"), tcpdumpLog);
        awaitFile(tcpdumpLog, "listening on", 10);
        SkeinProcess seed = start(n1, 1, List.of());
        SkeinProcess honest = start(n2, 2, List.of());
        SkeinProcess leaver = start(n3, 3, List.of());
        try {
            seed.awaitLog("n3 added", 30);
            honest.awaitLog("n3 added", 30);
        } catch (AssertionError e) {
            fail(e.getMessage() + "\nn3:\n" + leaver.log());
        }
        Thread.sleep(6000); // long enough for path pings between every two (at least every 5 s)

        // While n3 is a member, its recorded path pings, replayed from another address, get no answer: without
        // their stamps each would make n1 and n2 send a pong (and a ping) wherever the replayer says.
        String attacker = host(4);
        long replayedBefore = SkeinProcess.counter(status(n1, "n1"), "replayed");
        int[] pings = replay(attacker, capture, 6, "198.18.0.4");
        assertTrue(pings[0] >= 2, "n3 sent no path messages to replay");
        assertEquals(0, pings[1], "a replayed path message was answered");
        assertTrue(SkeinProcess.counter(status(n1, "n1"), "replayed") > replayedBefore, status(n1, "n1"));

        assertEquals(0, leaver.stop());
        seed.awaitLog("n3 removed", 15);
        honest.awaitLog("n3 removed", 15);
        tcpdump.destroy();
        tcpdump.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);

        // Its join messages (a request to the seed, greetings), from its own address and port: ignored, unanswered.
        int[] joins = replay(n3, capture, 5, "198.18.0.3");
        assertTrue(joins[0] >= 1, "n3 sent no join message to replay");
        assertEquals(0, joins[1], "a replayed join was answered");
        Thread.sleep(3000);
        assertEquals(1, seed.count("n3 added"), "a replay brought n3 back at the seed:\n" + seed.log());
        assertEquals(1, honest.count("n3 added"), "a replay brought n3 back at n2:\n" + honest.log());
        for (String[] node : new String[][] {{n1, "n1"}, {n2, "n2"}}) {
            String status = status(node[0], node[1]);
            assertTrue(status.contains("\"meshSize\": 2"), status);
        }
    }

    @Test
    void aLyingMemberCannotChooseAnHonestNodesPublishedEndpoints() throws Exception {
        String n1 = host(1);
        String n2 = host(2);
        String n3 = host(3);
        String n4 = host(4);
        String lie = "198.19.9.9:4444";
        List<String> liar = List.of("-Dskein.test.pong-observed=" + lie); // every pong names the lie
        start(n1, 1, List.of());
        SkeinProcess honest = start(n2, 2, List.of());
        start(n3, 3, List.of(), liar);
        honest.awaitLog("n3 added", 30);
        // n2 pings n3 at least every 5 s, and each pong tells n2 it is at 198.19.9.9:4444.
        Thread.sleep(8000);
        String status = status(n2, "n2");
        assertFalse(status.contains("198.19.9.9"), "one member's word made n2 publish an address:\n" + status);
        assertTrue(status.contains("198.18.0.2:51820"), status);

        // The limit, and the proof that the lies arrive: two members that tell the same lie are believed.
        start(n4, 4, List.of(), liar);
        honest.awaitLog("n4 added", 30);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!status(n2, "n2").contains("198.19.9.9") && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertTrue(status(n2, "n2").contains(lie), "two members' reports did not arrive: the test proves nothing");
    }

    /** Replays the datagrams of {@code type} in {@code capture} from {@code address}:51820; {sent, answers}. */
    private static int[] replay(String ns, Path capture, int type, String address) {
        List<String> command = new java.util.ArrayList<>(SkeinProcess.command());
        command.set(command.size() - 1, Replay.class.getName());
        command.addAll(List.of(capture.toString(), String.valueOf(type), address, "51820"));
        Netns.Result r = Netns.exec(ns, String.join(" ", command), 60);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("replayed (\\d+) datagrams, (\\d+) answers")
                .matcher(r.output());
        assertTrue(m.find(), r.output());
        System.out.println("type " + type + " from " + address + ": " + m.group());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static void awaitFile(Path file, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (java.nio.file.Files.exists(file) && java.nio.file.Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        fail("no '" + text + "' in " + file + " within " + seconds + " s");
    }
}
