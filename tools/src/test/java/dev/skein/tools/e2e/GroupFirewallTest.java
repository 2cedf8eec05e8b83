package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.skein.protocol.proto.FirewallInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The firewall between members, by the groups in their certificates, in namespaces: the office (n1, also the
 * seed, so gossip must pass its firewall) allows ICMP from everyone and TCP port 22 from group admins only; home
 * (n2) is in group family, admin (n3) in admins. A TCP echo service on port 22 and a UDP echo service on 9999
 * run on the office's overlay address. Then rules change by `skein reload`, with connections open.
 */
class GroupFirewallTest extends BridgeTest {
    private static final String OFFICE = "100.64.0.1";
    private static final String ICMP_ANY = "    - {port: any, proto: icmp, host: any}\n";
    private static final String SSH_ADMINS = "    - {port: 22, proto: tcp, groups: [admins]}\n";
    private static final String UDP_FAMILY = "    - {port: 9999, proto: udp, group: family}\n";
    private static final String OUTBOUND_ANY = "  outbound:\n    - {port: any, proto: any, host: any}\n";

    private Path officeConfig(String inbound) throws Exception {
        return pki.config("n1", "[]", "ca.crt", "firewall:\n  inbound:\n" + inbound + OUTBOUND_ANY);
    }

    /** One line over TCP port 22 to the office: true if it came back. */
    private static boolean tcpEcho(String ns) {
        Netns.Result r = Netns.exec(ns, "timeout 4 bash -c 'exec 3<>/dev/tcp/" + OFFICE
                + "/22 && echo ping >&3 && read -t 2 line <&3 && echo got:$line'", 10);
        return r.output().contains("got:ping");
    }

    /** One datagram to UDP port 9999 of the office: true if it came back. */
    private static boolean udpEcho(String ns) {
        // cat, not read: read takes a byte at a time, and the first byte read of a datagram discards the rest.
        Netns.Result r = Netns.exec(ns, "timeout 4 bash -c 'exec 3<>/dev/udp/" + OFFICE
                + "/9999 && echo hello-udp >&3 && timeout 2 cat <&3'", 10);
        return r.output().contains("hello-udp");
    }

    /** A TCP connection that sends a line, waits {@code pause} seconds, then sends another: the echoes it got. */
    private static CompletableFuture<String> longConnection(String ns, int pause) {
        return CompletableFuture.supplyAsync(() -> Netns.exec(ns, "timeout " + (pause + 8) + " bash -c 'exec 3<>/dev/tcp/"
                + OFFICE + "/22; echo one >&3; read -t 2 a <&3; echo got:$a; sleep " + pause
                + "; echo two >&3; read -t 2 b <&3; echo got:$b'", pause + 12).output());
    }

    private Netns.Result reload(String ns) {
        return SkeinProcess.cliIn(ns, "reload", "--socket",
                pki.socket("n1").toString());
    }

    private String firewallJson(String ns) {
        return SkeinProcess.cliIn(ns, "firewall", "--json", "--socket",
                pki.socket("n1").toString()).output();
    }

    @Test
    void groupsFromCertificatesDecideWhoReachesWhatAndReloadKeepsWhatIsStillAllowed() throws Exception {
        String office = host(1);
        String home = host(2);
        String admin = host(3);
        pki.issue("n1", OFFICE + "/16");
        pki.issue("n2", "100.64.0.2/16", List.of("family"));
        pki.issue("n3", "100.64.0.3/16", List.of("admins"));
        SkeinProcess officeNode = SkeinProcess.up(netns, office, officeConfig(ICMP_ANY + SSH_ADMINS));
        SkeinProcess.up(netns, home, pki.config("n2", "[198.18.0.1:51820]", "ca.crt", ""));
        SkeinProcess.up(netns, admin, pki.config("n3", "[198.18.0.1:51820]", "ca.crt", ""));
        officeNode.awaitLog("n2 added", 30);
        officeNode.awaitLog("n3 added", 30);
        EchoServer.start(netns, office, OFFICE, 22, 9999, dir.resolve("echo.log"));

        assertTrue(Netns.reaches(home, OFFICE), "ICMP from everyone");
        assertTrue(Netns.reaches(admin, OFFICE));
        assertTrue(tcpEcho(admin), "an admin reaches port 22, and the replies flow");
        assertFalse(tcpEcho(home), "family does not reach port 22");
        assertFalse(udpEcho(home), "no rule allows the UDP service yet");
        assertFalse(udpEcho(admin));
        assertTrue(Netns.reaches(office, "100.64.0.2"),
                "the office's own traffic goes out (outbound any) and its replies come back");
        String json = firewallJson(office);
        System.out.println("office's firewall after the first checks:\n" + json);
        FirewallInfo info = parse(json);
        assertEquals("{port: 22, proto: tcp, groups: [admins]}", info.getRules(1).getRule());
        assertTrue(info.getRules(1).getHits() >= 1, json);
        assertTrue(info.getInboundDropped() >= 3, json);
        assertTrue(info.getGossip() >= 1, "gossip through the office's firewall: " + json);
        assertTrue(info.getFlows() < 20, "gossip is not tracked, so flows stay few: " + json);

        // A rule for the UDP service, while an admin's connection is open: the connection goes on.
        CompletableFuture<String> kept = longConnection(admin, 4);
        Thread.sleep(2000);
        officeConfig(ICMP_ANY + SSH_ADMINS + UDP_FAMILY);
        Netns.Result r = reload(office);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("applied: firewall"), r.output());
        String keptOutput = kept.get();
        assertTrue(keptOutput.contains("got:one") && keptOutput.contains("got:two"),
                "the connection the new rules still allow was cut: " + keptOutput);
        assertTrue(udpEcho(home), "the new rule lets family reach the UDP service");
        assertFalse(udpEcho(admin), "and only family");

        // Port 22 no longer allowed: the open connection ends, though the office may send anything outbound.
        CompletableFuture<String> cut = longConnection(admin, 4);
        Thread.sleep(2000);
        officeConfig(ICMP_ANY + UDP_FAMILY);
        r = reload(office);
        assertEquals(0, r.exit(), r.output());
        String cutOutput = cut.get();
        assertTrue(cutOutput.contains("got:one") && !cutOutput.contains("got:two"),
                "the connection the new rules forbid went on: " + cutOutput);
        assertFalse(tcpEcho(admin));
        assertTrue(Netns.reaches(admin, OFFICE), "the mesh is whole");
        assertTrue(officeNode.alive());
    }

    /** `skein firewall --json`, read back. */
    static FirewallInfo parse(String json) throws Exception {
        FirewallInfo.Builder b = FirewallInfo.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }
}
