package dev.skein.node.route;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.addr.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a node refuses to route to a member, whatever the member's certificate says. */
class RoutePolicyTest {
    private static final List<IpPrefix> MESH = List.of(IpPrefix.parse("100.64.0.0/16"));
    private static final List<IpPrefix> LAN = List.of(IpPrefix.parse("198.18.0.0/24"));

    private static List<InetAddress> underlay(String... addresses) throws Exception {
        List<InetAddress> out = new java.util.ArrayList<>();
        for (String a : addresses) {
            out.add(InetAddress.getByName(a));
        }
        return out;
    }

    private static String refusal(RoutePolicy p, String subnet, List<InetAddress> underlay) {
        return p.refusal("n3", IpPrefix.parse(subnet), LAN, underlay);
    }

    @Test
    void theDefaultPolicyKeepsTheMachinesOwnRoutes() throws Exception {
        RoutePolicy p = new RoutePolicy(MESH, null, null);
        List<InetAddress> seeds = underlay("198.19.5.1");
        assertNull(refusal(p, "100.96.1.0/24", seeds), "an ordinary subnet");
        assertTrue(refusal(p, "0.0.0.0/0", seeds).startsWith("a default route"));
        assertTrue(refusal(p, "::/0", seeds).startsWith("a default route"));
        assertTrue(refusal(p, "100.64.7.0/24", seeds).startsWith("inside the mesh prefix"));
        assertTrue(refusal(p, "100.0.0.0/8", seeds).startsWith("inside the mesh prefix"), "one that covers it too");
        assertTrue(refusal(p, "198.18.0.128/25", seeds).startsWith("overlaps the local network"));
        assertTrue(refusal(p, "198.0.0.0/8", seeds).startsWith("overlaps the local network"));
        assertTrue(refusal(p, "198.19.0.0/16", seeds).startsWith("covers the underlay address 198.19.5.1"),
                "a seed's address would be routed into the tunnel");
        assertNull(refusal(p, "198.19.6.0/24", seeds));
    }

    @Test
    void acceptSubnetsNarrowsButNeverOverridesTheSafetyRules() throws Exception {
        RoutePolicy p = new RoutePolicy(MESH, List.of(IpPrefix.parse("100.96.0.0/12"), IpPrefix.parse("0.0.0.0/0")), null);
        assertNull(refusal(p, "100.96.1.0/24", List.of()));
        assertEquals("not in accept-subnets",
                new RoutePolicy(MESH, List.of(IpPrefix.parse("100.96.0.0/12")), null).refusal("n3", IpPrefix.parse("100.200.0.0/16"),
                        LAN, List.of()));
        assertTrue(refusal(p, "0.0.0.0/0", List.of()).startsWith("a default route"), "even when 0.0.0.0/0 is listed");
        assertTrue(refusal(p, "198.18.0.0/24", List.of()).startsWith("overlaps the local network"));
    }

    @Test
    void onlyTheConfiguredExitNodeGetsTheDefaultRoute() throws Exception {
        RoutePolicy p = new RoutePolicy(MESH, List.of(IpPrefix.parse("100.96.0.0/12")), "n3");
        List<InetAddress> seeds = underlay("198.18.0.1");
        assertNull(refusal(p, "0.0.0.0/0", seeds),
                "the exit's default route covers the LAN and the seeds; policy routing keeps the underlay out of it");
        assertTrue(refusal(p, "::/0", seeds).startsWith("an IPv6 default route"));
        assertTrue(p.refusal("n4", IpPrefix.parse("0.0.0.0/0"), LAN, seeds).startsWith("a default route"),
                "another member's default route is refused as before");
        assertEquals("not in accept-subnets", refusal(p, "198.19.7.0/24", seeds),
                "accept-subnets still applies to the exit's other subnets");
        assertTrue(new RoutePolicy(MESH, null, "n3").refusal("n3", IpPrefix.parse("198.18.0.0/25"), LAN, seeds)
                .startsWith("overlaps the local network"), "and so do the safety rules");
    }

    @Test
    void aDualStackNodeKeepsBothMeshPrefixesForMembersOwnAddresses() throws Exception {
        RoutePolicy p = new RoutePolicy(List.of(IpPrefix.parse("100.64.0.7/16"), IpPrefix.parse("fd00:64::7/64")),
                null, null);
        assertTrue(refusal(p, "fd00:64::/96", List.of()).startsWith("inside the mesh prefix fd00:64::/64"));
        assertTrue(refusal(p, "fd00::/8", List.of()).startsWith("inside the mesh prefix fd00:64::/64"),
                "one that covers it too");
        assertTrue(refusal(p, "100.64.9.0/24", List.of()).startsWith("inside the mesh prefix 100.64.0.0/16"));
        assertNull(refusal(p, "fd00:96:1::/64", List.of()), "an IPv6 subnet beside the mesh prefix");
        assertTrue(refusal(p, "2001:db8::/32", underlay("2001:db8::5")).startsWith("covers the underlay address"));
    }
}
