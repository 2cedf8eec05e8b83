package dev.skein.node.route;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.addr.IpPrefix;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    @Test
    void longestPrefixWins() {
        RouteTable<String> t = new RouteTable<>();
        t.put(IpPrefix.parse("100.64.0.0/10"), "mesh");
        t.put(IpPrefix.parse("100.96.1.0/24"), "office");
        t.put(IpPrefix.parse("100.96.1.7/32"), "printer");
        assertEquals("printer", t.lookup(IpPrefix.parseAddress("100.96.1.7")));
        assertEquals("office", t.lookup(IpPrefix.parseAddress("100.96.1.8")));
        assertEquals("mesh", t.lookup(IpPrefix.parseAddress("100.64.0.1")));
        assertNull(t.lookup(IpPrefix.parseAddress("198.18.0.1")));
        assertTrue(t.remove(IpPrefix.parse("100.96.1.0/24"), "office"));
        assertFalse(t.remove(IpPrefix.parse("100.96.1.0/24"), "office"));
        assertEquals("mesh", t.lookup(IpPrefix.parseAddress("100.96.1.8")));
        t.removeAll("mesh");
        assertNull(t.lookup(IpPrefix.parseAddress("100.96.1.8")));
        assertEquals("printer", t.lookup(IpPrefix.parseAddress("100.96.1.7")));
    }

    @Test
    void defaultRouteAndIpv6() {
        RouteTable<String> t = new RouteTable<>();
        t.put(IpPrefix.parse("0.0.0.0/0"), "exit");
        t.put(IpPrefix.parse("fd00::/8"), "v6");
        assertEquals("exit", t.lookup(IpPrefix.parseAddress("198.18.0.1")));
        assertEquals("v6", t.lookup(IpPrefix.parseAddress("fd00::1")));
        assertNull(t.lookup(IpPrefix.parseAddress("fe80::1")));
    }

    /** Random tables and addresses against a naive reference: scan all prefixes, keep the longest match. */
    @Test
    void agreesWithANaiveReference() {
        Random random = new Random(3);
        for (int round = 0; round < 50; round++) {
            RouteTable<Integer> t = new RouteTable<>();
            java.util.Map<IpPrefix, Integer> prefixes = new java.util.HashMap<>();
            for (int i = 0; i < 40; i++) {
                byte[] ip = {100, (byte) (64 + random.nextInt(4)), (byte) random.nextInt(4), (byte) random.nextInt(256)};
                IpPrefix p = IpPrefix.of(ip, 10 + random.nextInt(23)).network();
                prefixes.put(p, i); // a prefix put again replaces the earlier value, in both
                t.put(p, i);
            }
            for (int i = 0; i < 500; i++) {
                byte[] addr = {100, (byte) (64 + random.nextInt(4)), (byte) random.nextInt(4), (byte) random.nextInt(256)};
                IpPrefix best = null;
                for (IpPrefix p : prefixes.keySet()) {
                    if (p.contains(addr) && (best == null || p.bits() > best.bits())) {
                        best = p;
                    }
                }
                assertEquals(best == null ? null : prefixes.get(best), t.lookup(addr));
            }
        }
    }
}
