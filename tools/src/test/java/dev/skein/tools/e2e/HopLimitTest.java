package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hop limit a punch primes its own router with (Punches, PUNCH_PRIME_HOPS = 2), on the real kernel: a
 * datagram the data plane's socket sends with a TTL (IPv6 hop limit) of 2 crosses the first router and dies at
 * the second; one of 3 gets past both. IPv4 (sent from the dual-stack socket as a v4-mapped address) and IPv6.
 *
 * <pre>
 *   [host 198.18.50.1 | 2001:db8:50::1] - [first .2 / .5 | ::2 / 2001:db8:51::1] - [second .6 / .9 | ...]
 *       - [far 198.18.50.10 | 2001:db8:52::2]      first and second forward; each counts UDP to port 9000
 * </pre>
 */
class HopLimitTest {
    private Netns netns;

    @BeforeEach
    void setUp() {
        assumeTrue(Netns.root(), "needs root to create network namespaces");
        netns = new Netns();
    }

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void aPrimingDatagramCrossesTheFirstRouterAndDiesAtTheSecond() throws Exception {
        String host = netns.add("hl-host");
        String first = netns.add("hl-first");
        String second = netns.add("hl-second");
        String far = netns.add("hl-far");
        netns.link(host, "u0", "198.18.50.1/30", first, "d0", "198.18.50.2/30");
        netns.link(first, "u0", "198.18.50.5/30", second, "d0", "198.18.50.6/30");
        netns.link(second, "u0", "198.18.50.9/30", far, "d0", "198.18.50.10/30");
        Netns.sh("ip -n " + host + " -6 addr add 2001:db8:50::1/64 dev u0 nodad");
        Netns.sh("ip -n " + first + " -6 addr add 2001:db8:50::2/64 dev d0 nodad");
        Netns.sh("ip -n " + first + " -6 addr add 2001:db8:51::1/64 dev u0 nodad");
        Netns.sh("ip -n " + second + " -6 addr add 2001:db8:51::2/64 dev d0 nodad");
        Netns.sh("ip -n " + second + " -6 addr add 2001:db8:52::1/64 dev u0 nodad");
        Netns.sh("ip -n " + far + " -6 addr add 2001:db8:52::2/64 dev d0 nodad");
        Netns.sh("ip -n " + host + " route add default via 198.18.50.2");
        Netns.sh("ip -n " + host + " -6 route add default via 2001:db8:50::2");
        Netns.sh("ip -n " + first + " route add 198.18.50.8/30 via 198.18.50.6");
        Netns.sh("ip -n " + first + " -6 route add 2001:db8:52::/64 via 2001:db8:51::2");
        Netns.sh("ip -n " + second + " route add 198.18.50.0/30 via 198.18.50.5");
        Netns.sh("ip -n " + second + " -6 route add 2001:db8:50::/64 via 2001:db8:51::1");
        Netns.sh("ip -n " + far + " route add default via 198.18.50.9");
        Netns.sh("ip -n " + far + " -6 route add default via 2001:db8:52::1");
        for (String router : List.of(first, second)) {
            Netns.sh("ip netns exec " + router + " sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
            count(router, "forward");
        }
        count(far, "input");
        // Every neighbour resolved before the datagrams: a datagram held for address resolution is counted late.
        for (String to : List.of("198.18.50.10", "2001:db8:52::2")) {
            assertEquals(0, Netns.exec(host, "ping -c 1 -W 5 " + to, 15).exit(), "no route to " + to);
        }

        for (String to : List.of("198.18.50.10", "2001:db8:52::2")) {
            List<String> send = SkeinProcess.command();
            send.set(send.size() - 1, HopLimitedSend.class.getName());
            // 1 dies at the first router; 2 at the second; 3 arrives.
            Netns.Result sent = Netns.exec(host, String.join(" ", send) + " " + to + " 9000 1 2 3", 60);
            assertEquals(0, sent.exit(), sent.output());
        }
        for (int i = 0; i < 50 && packets(far) < 2; i++) {
            Thread.sleep(100); // bounded: 5 s for the last datagram to get there on a busy machine
        }
        Thread.sleep(200); // and for any that should not arrive, to show
        assertEquals(4, packets(first), "forwarded by the first router: hop limits 2 and 3, IPv4 and IPv6");
        assertEquals(2, packets(second), "forwarded by the second: hop limit 3 only, IPv4 and IPv6");
        assertEquals(2, packets(far), "arrived: hop limit 3 only, IPv4 and IPv6");
    }

    /** An nftables counter in {@code ns} of UDP to port 9000 at {@code hook}. */
    private static void count(String ns, String hook) {
        Netns.sh("ip netns exec " + ns + " nft add table inet hl");
        Netns.sh("ip netns exec " + ns + " nft add chain inet hl c '{ type filter hook " + hook + " priority 0; }'");
        Netns.sh("ip netns exec " + ns + " nft add rule inet hl c udp dport 9000 counter");
    }

    private static long packets(String ns) {
        String out = Netns.sh("ip netns exec " + ns + " nft list table inet hl");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
