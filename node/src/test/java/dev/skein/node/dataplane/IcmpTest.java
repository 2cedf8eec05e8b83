package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.io.Ipv4;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ICMP host unreachable for a packet no peer owns: addressed back, quoting it, checksums right, never to an error. */
class IcmpTest {
    @Test
    void theReplyComesFromTheUnreachableAddressAndQuotesThePacket() {
        ByteBuffer original = ByteBuffer.wrap(Ipv4.udp("100.64.0.1", 4000, "100.99.0.9", 53, "query"));
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertTrue(Icmp.unreachable(original, out));
        assertEquals(20 + 8 + 28, out.remaining());
        assertEquals(0x45, out.get(0) & 0xff);
        assertEquals(1, out.get(9), "ICMP");
        assertEquals(original.getInt(16), out.getInt(12), "from the unreachable address");
        assertEquals(original.getInt(12), out.getInt(16), "to the sender");
        assertEquals(3, out.get(20), "destination unreachable");
        assertEquals(1, out.get(21), "host unreachable");
        for (int i = 0; i < 28; i++) {
            assertEquals(original.get(i), out.get(28 + i), "quoted byte " + i);
        }
        assertEquals(0, Icmp.checksum(out, 0, 20), "IP header checksum");
        assertEquals(0, Icmp.checksum(out, 20, out.remaining() - 20), "ICMP checksum");
    }

    @Test
    void anIcmpErrorOrANonIpv4PacketGetsNoReply() {
        ByteBuffer out = ByteBuffer.allocate(1500);
        ByteBuffer reply = ByteBuffer.allocate(1500);
        assertTrue(Icmp.unreachable(ByteBuffer.wrap(Ipv4.udp("100.64.0.1", 1, "100.99.0.9", 2, "x")), reply));
        assertFalse(Icmp.unreachable(reply, out), "an error about an error");
        ByteBuffer v6 = ByteBuffer.allocate(40);
        v6.put(0, (byte) 0x60);
        assertFalse(Icmp.unreachable(v6, out));
        assertFalse(Icmp.unreachable(ByteBuffer.allocate(10), out), "too short");
    }
}
