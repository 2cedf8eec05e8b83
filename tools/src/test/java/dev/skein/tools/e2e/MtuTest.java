package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small link on the underlay never black-holes the tunnel: between a and b a router whose link to b has an MTU
 * of 1400 (PPPoE, a tunnel in the way), and once 1280. 20 MB TCP transfers both ways between the members and
 * between a and a LAN host behind b (a subnet router) complete; once the path's MTU is learned no tunnel
 * datagram is fragmented on the underlay; a ping too big with DF set is told so instead of lost.
 *
 * <pre>
 *   [a] 198.18.0.1 -- 198.18.0.254 [router] 198.18.1.254 ==MTU== 198.18.1.2 [b] lan0 100.96.7.1 -- 100.96.7.2 [lan]
 *   overlay: a 100.64.0.1, b 100.64.0.2 (routes 100.96.7.0/24)
 * </pre>
 */
class MtuTest {
    @TempDir
    Path dir;
    /** The test's namespaces and processes, removed after each test. */
    @RegisterExtension
    final Netns netns = new Netns();

    @Test
    void aPathOf1400BytesCarriesTcpBothWaysWithoutFragmentsOrStalls() throws Exception {
        pathOf(1400, 1328);
    }

    @Test
    void aPathOf1280BytesToo() throws Exception {
        pathOf(1280, 1216);
    }

    /** {@code tunnelMtu}: what fits, {@code linkMtu} - 28 (IPv4, UDP) - 32 (WireGuard), down to a multiple of 16. */
    private void pathOf(int linkMtu, int tunnelMtu) throws Exception {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        String a = netns.add("ma");
        String router = netns.add("mr");
        String b = netns.add("mb");
        String lan = netns.add("ml");
        netns.link(a, "u0", "198.18.0.1/24", router, "r0", "198.18.0.254/24");
        netns.link(router, "r1", "198.18.1.254/24", b, "u0", "198.18.1.2/24");
        Netns.sh("ip -n " + router + " link set r1 mtu " + linkMtu + " && ip -n " + b + " link set u0 mtu " + linkMtu);
        Netns.sh("ip netns exec " + router + " sysctl -qw net.ipv4.ip_forward=1");
        Netns.sh("ip -n " + a + " route add 198.18.1.0/24 via 198.18.0.254");
        Netns.sh("ip -n " + b + " route add 198.18.0.0/24 via 198.18.1.254");
        netns.link(b, "lan0", "100.96.7.1/24", lan, "eth0", "100.96.7.2/24");
        // b's kernel finishes the checksum of every TCP packet b's node hands it (PartialChecksum: members send
        // none to each other) before it forwards one to the LAN: in software, as for a NIC without checksum
        // offload, so that a wrong start in the field would reach the LAN host's kernel, which checks (and counts
        // InCsumErrors).
        Netns.sh("ip netns exec " + b + " ethtool -K lan0 tx off >/dev/null");
        Netns.sh("ip -n " + lan + " route add 100.64.0.0/10 via 100.96.7.1");
        Netns.sh("ip netns exec " + b + " sysctl -qw net.ipv4.ip_forward=1");

        TestPki pki = new TestPki(dir, "fd00:64::/48");
        Instant now = Instant.now();
        pki.issue("a", "100.64.0.1/16,fd00:64::1/64");
        pki.issue(pki.ca, "b", "100.64.0.2/16,fd00:64::2/64", List.of("100.96.7.0/24"), now.minusSeconds(60),
                now.plus(Duration.ofHours(2)));
        SkeinProcess na = SkeinProcess.up(netns, a, pki.config("a", "[]", "ca.crt", ""));
        SkeinProcess nb = SkeinProcess.up(netns, b, pki.config("b", "[198.18.0.1:51820]", "ca.crt", ""));
        nb.awaitLog("session with a", 30);
        assertTrue(Netns.reaches(a, "100.64.0.2"));
        assertTrue(Netns.reaches(lan, "100.64.0.1"), "the LAN host reaches a through b");
        // b's own link is small: it knows at once. a learns it from the router's ICMP after its first big datagram.
        nb.awaitLog("overlay packets up to " + tunnelMtu + " bytes", 10);

        // Warm up a to b: its first datagrams are too big; the router's ICMP teaches a's kernel, whose next send is
        // refused (EMSGSIZE), and the node then answers a's TCP with the MTU that fits. First, before any ping from b
        // would leave a lower path MTU in b's routes (b's SYN-ACK would then ask a for smaller segments itself).
        transfer(a, b, "100.64.0.2", false, "warm-up");
        na.awaitLog("overlay packets up to " + tunnelMtu + " bytes", 10);

        // Too big for the device: the kernel says so itself. Too big for the path: the node answers with the MTU.
        Netns.Result local = Netns.exec(a, "ping -M do -s 1472 -c 1 -W 2 100.64.0.2", 10);
        assertTrue(local.exit() != 0 && local.output().contains("message too long"), local.output());
        Netns.Result path = Netns.exec(b, "ping -M do -s " + (linkMtu - 28) + " -c 1 -W 2 100.64.0.1", 10);
        assertTrue(path.output().contains("Frag needed and DF set (mtu = " + tunnelMtu + ")")
                || path.output().contains("message too long, mtu=" + tunnelMtu), path.output());

        // IPv6 inside has no DF to clear: every packet too big for the path gets ICMPv6 "packet too big". IPv6 needs
        // 1280 bytes on every link, so only a path that leaves the tunnel that much carries it (a 1400 one does).
        boolean ipv6 = tunnelMtu >= 1280;
        if (ipv6) {
            Netns.Result path6 = Netns.exec(b, "ping -6 -M do -s " + (linkMtu - 48) + " -c 1 -W 2 fd00:64::1", 10);
            assertTrue(path6.output().contains("Packet too big: mtu=" + tunnelMtu)
                    || path6.output().contains("message too long, mtu=" + tunnelMtu), path6.output());
        }

        long[] before = {fragments(a), fragments(b), fragments(router)};
        long[] badSums = {checksumErrors(a), checksumErrors(b), checksumErrors(lan)};
        double ab = transfer(a, b, "100.64.0.2", false, "a to b");
        double ba = transfer(a, b, "100.64.0.2", true, "b to a");
        double ab6 = ipv6 ? transfer(a, b, "fd00:64::2", false, "a to b over IPv6") : 0;
        double ba6 = ipv6 ? transfer(a, b, "fd00:64::2", true, "b to a over IPv6") : 0;
        double toLan = transfer(a, lan, "100.96.7.2", false, "a to the LAN host");
        double fromLan = transfer(a, lan, "100.96.7.2", true, "the LAN host to a");
        assertEquals(before[0], fragments(a), "a fragmented tunnel datagrams");
        assertEquals(before[1], fragments(b), "b fragmented tunnel datagrams");
        assertEquals(before[2], fragments(router), "the router fragmented");
        assertArrayEquals(badSums, new long[] {checksumErrors(a), checksumErrors(b), checksumErrors(lan)},
                "TCP checksum errors in a, b, the LAN host");
        System.out.printf("path MTU %d: TCP a->b %.2f, b->a %.2f, a->lan %.2f, lan->a %.2f, over IPv6 a->b %.2f, "
                + "b->a %.2f Gbit/s (20 MB each)%n", linkMtu, ab, ba, toLan, fromLan, ab6, ba6);
    }

    /** 20 MB of TCP from {@code client} to an iperf3 server at {@code address} in {@code server} (reversed: back). */
    private double transfer(String client, String server, String address, boolean reverse, String what)
            throws Exception {
        Path log = dir.resolve("iperf3-" + server + "-" + System.nanoTime() + ".log");
        netns.iperf3Server(server, address, log);
        Netns.Result r = Netns.exec(client, "timeout 60 iperf3 -c " + address + " -n 20M" + (reverse ? " -R" : "")
                + " -J", 70);
        assertEquals(0, r.exit(), what + ": the transfer did not complete\n" + r.output());
        Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*\"bits_per_second\":\\s*([0-9.e+]+)").matcher(r.output());
        assertTrue(m.find(), r.output());
        return Double.parseDouble(m.group(1)) / 1e9;
    }

    /** IP fragments this namespace made (Ip FragCreates in /proc/net/snmp). */
    private static long fragments(String ns) {
        return snmp(ns, "Ip:", "FragCreates");
    }

    /** TCP segments this namespace's kernel dropped for a wrong checksum (Tcp InCsumErrors). */
    private static long checksumErrors(String ns) {
        return snmp(ns, "Tcp:", "InCsumErrors");
    }

    private static long snmp(String ns, String group, String counter) {
        String[] lines = Netns.exec(ns, "grep '^" + group + "' /proc/net/snmp", 5).output().trim().split("\n");
        List<String> names = List.of(lines[0].trim().split("\\s+"));
        String[] values = lines[1].trim().split("\\s+");
        return Long.parseLong(values[names.indexOf(counter)]);
    }
}
