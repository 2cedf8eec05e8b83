package dev.skein.node.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.skein.protocol.addr.IpPrefix;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Receiver indices: random, never zero, never two alike, each naming one handshake or one keypair. */
class IndexTableTest {
    private static Peer peer() {
        return new Peer("p", new byte[32], new byte[32], null, List.of(IpPrefix.parse("100.64.0.2/32")), 0);
    }

    @Test
    void reservedIndicesAreDistinctNonZeroAndNameTheirPeer() {
        IndexTable t = new IndexTable(new SecureRandom());
        Peer p = peer();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            int index = t.reserve(p);
            assertNotEquals(0, index);
            assertEquals(true, seen.add(index), "index handed out twice");
            assertSame(p, t.get(index).peer());
            assertNull(t.get(index).keypair(), "a handshake, not yet a keypair");
        }
        assertEquals(10_000, t.size());
    }

    @Test
    void aRemovedIndexNamesNothing() {
        IndexTable t = new IndexTable(new SecureRandom());
        int index = t.reserve(peer());
        t.remove(index);
        assertNull(t.get(index));
        assertEquals(0, t.size());
    }
}
