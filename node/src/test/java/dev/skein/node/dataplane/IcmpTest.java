package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.io.UdpPackets;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ICMP host unreachable for a packet no peer owns: addressed back, quoting it, checksums right, never to an error. */
class IcmpTest {
    @Test
    void theReplyComesFromTheUnreachableAddressAndQuotesThePacket() {
        ByteBuffer original = ByteBuffer.wrap(UdpPackets.udp("100.64.0.1", 4000, "100.99.0.9", 53, "query"));
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
        assertTrue(Icmp.unreachable(ByteBuffer.wrap(UdpPackets.udp("100.64.0.1", 1, "100.99.0.9", 2, "x")), reply));
        assertFalse(Icmp.unreachable(reply, out), "an error about an error");
        ByteBuffer v6 = ByteBuffer.allocate(40);
        v6.put(0, (byte) 0x60);
        assertFalse(Icmp.unreachable(v6, out), "IPv6 from the unspecified address");
        assertFalse(Icmp.unreachable(ByteBuffer.allocate(10), out), "too short");
    }

    @Test
    void anIpv6PacketGetsIcmpv6FromItsDestinationWithAValidChecksum() {
        ByteBuffer original = ByteBuffer.wrap(UdpPackets.udp("fd00:64::1", 4000, "fd00:99::9", 53, "query"));
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertTrue(Icmp.unreachable(original, out));
        assertEquals(40 + 8 + original.remaining(), out.remaining());
        assertEquals(0x60, out.get(0) & 0xf0);
        assertEquals(8 + original.remaining(), out.getShort(4), "payload length");
        assertEquals(58, out.get(6), "ICMPv6");
        assertEquals(original.slice(24, 16), out.slice(8, 16), "from the unreachable address");
        assertEquals(original.slice(8, 16), out.slice(24, 16), "to the sender");
        assertEquals(1, out.get(40), "destination unreachable");
        assertEquals(3, out.get(41), "address unreachable");
        assertEquals(original.slice(0, original.remaining()), out.slice(48, out.remaining() - 48), "quoted whole");
        assertEquals(0, icmp6Checksum(out), "ICMPv6 checksum over the pseudo-header");

        assertTrue(Icmp.packetTooBig(original, 1328, out));
        assertEquals(2, out.get(40), "packet too big");
        assertEquals(0, out.get(41));
        assertEquals(1328, out.getInt(44), "the MTU that fits");
        assertEquals(0, icmp6Checksum(out));

        ByteBuffer reply = ByteBuffer.allocate(1500);
        assertTrue(Icmp.unreachable(original, reply));
        assertFalse(Icmp.unreachable(reply, out), "an error about an error");
        assertFalse(Icmp.unreachable(ByteBuffer.wrap(UdpPackets.udp("fd00:64::1", 1, "ff02::1", 2, "x")), out),
                "no unreachable for a group");
        assertTrue(Icmp.packetTooBig(ByteBuffer.wrap(UdpPackets.udp("fd00:64::1", 1, "ff02::1", 2, "x")), 1280, out),
                "but too big, yes");
        assertFalse(Icmp.unreachable(ByteBuffer.wrap(UdpPackets.udp("ff02::1", 1, "fd00:64::1", 2, "x")), out),
                "never to a group");
    }

    @Test
    void aLongIpv6PacketIsQuotedOnlyUpToTheMinimumMtu() {
        ByteBuffer original = ByteBuffer.wrap(UdpPackets.udp("fd00:64::1", 4000, "fd00:64::9", 9, "x".repeat(1400)));
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertTrue(Icmp.packetTooBig(original, 1328, out));
        assertEquals(1280, out.remaining());
        assertEquals(0, icmp6Checksum(out));
    }

    /** Zero when the ICMPv6 message's checksum is right: the pseudo-header (addresses, length, 58) summed in. */
    private static int icmp6Checksum(ByteBuffer packet) {
        int length = packet.remaining() - 40;
        ByteBuffer pseudo = ByteBuffer.allocate(40 + length);
        pseudo.put(packet.slice(8, 32)).putInt(length).putInt(58).put(packet.slice(40, length));
        return Icmp.checksum(pseudo, 0, pseudo.capacity());
    }
}
