package dev.skein.protocol.addr;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class IpPrefixTest {
    @Test
    void parsesAndMasks() {
        IpPrefix p = IpPrefix.parse("100.64.0.7/16");
        assertEquals("100.64.0.7/16", p.toString());
        assertEquals("100.64.0.0/16", p.network().toString());
        assertEquals("100.64.0.7/32", p.host().toString());
        assertEquals("100.64.0.1/32", IpPrefix.parse("100.64.0.1").toString());
        assertEquals("fd00::/8", IpPrefix.parse("fd00::1/8").network().toString());
    }

    @Test
    void containsAndOverlaps() {
        IpPrefix mesh = IpPrefix.parse("100.64.0.0/10");
        assertTrue(mesh.contains(IpPrefix.parse("100.127.255.255/32")));
        assertFalse(mesh.contains(IpPrefix.parse("100.128.0.0/32")));
        assertFalse(mesh.contains(IpPrefix.parse("100.64.0.0/9")), "wider than the mesh");
        assertTrue(IpPrefix.parse("100.96.1.0/24").overlaps(IpPrefix.parse("100.96.0.0/16")));
        assertFalse(IpPrefix.parse("100.96.1.0/24").overlaps(IpPrefix.parse("100.96.2.0/24")));
        assertTrue(IpPrefix.parse("0.0.0.0/0").contains(IpPrefix.parse("198.18.0.1/32")));
        assertFalse(mesh.contains(IpPrefix.parse("fd00::1/128")), "families never mix");
    }

    @Test
    void badInputNamesTheProblem() {
        for (String bad : new String[] {"", "100.64.0", "100.64.0.256", "100.64.0.1/33", "100.64.0.1/x", "a.b.c.d",
                "100.64.0.1/-1", "1..2.3", "example.com", "::g"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(bad), bad);
            assertNotNull(e.getMessage());
        }
    }
}
