package dev.skein.node.io;

import dev.skein.protocol.addr.IpPrefix;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * UDP packets, IPv4 or IPv6 as the addresses are, for the in-memory tests: what the data plane reads of them is
 * right, checksums are not.
 */
public final class UdpPackets {
    private UdpPackets() {}

    public static byte[] udp(String src, int sport, String dst, int dport, String payload) {
        byte[] data = payload.getBytes(StandardCharsets.UTF_8);
        if (src.indexOf(':') >= 0) {
            ByteBuffer p = ByteBuffer.allocate(48 + data.length);
            p.putInt(0, 0x60000000).putShort(4, (short) (8 + data.length)).put(6, (byte) 17).put(7, (byte) 64);
            p.put(8, IpPrefix.parse(src).ip()).put(24, IpPrefix.parse(dst).ip());
            p.putShort(40, (short) sport).putShort(42, (short) dport).putShort(44, (short) (8 + data.length));
            p.put(48, data);
            return p.array();
        }
        ByteBuffer p = ByteBuffer.allocate(28 + data.length);
        p.put(0, (byte) 0x45).putShort(2, (short) (28 + data.length)).put(8, (byte) 64).put(9, (byte) 17);
        p.put(12, IpPrefix.parse(src).ip()).put(16, IpPrefix.parse(dst).ip());
        p.putShort(20, (short) sport).putShort(22, (short) dport).putShort(24, (short) (8 + data.length));
        p.put(28, data);
        return p.array();
    }

    /** The UDP payload of a packet {@link #udp} made, as text. */
    public static String payload(byte[] packet) {
        int header = (packet[0] & 0xf0) == 0x60 ? 48 : 28;
        return new String(packet, header, packet.length - header, StandardCharsets.UTF_8);
    }
}
