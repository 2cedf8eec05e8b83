package dev.skein.node.io;

import dev.skein.protocol.addr.IpPrefix;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** IPv4 packets for the in-memory tests: what the data plane reads of them is right, checksums are not. */
public final class Ipv4 {
    private Ipv4() {}

    public static byte[] udp(String src, int sport, String dst, int dport, String payload) {
        byte[] data = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer p = ByteBuffer.allocate(28 + data.length);
        p.put(0, (byte) 0x45).putShort(2, (short) (28 + data.length)).put(8, (byte) 64).put(9, (byte) 17);
        p.put(12, IpPrefix.parse(src).ip()).put(16, IpPrefix.parse(dst).ip());
        p.putShort(20, (short) sport).putShort(22, (short) dport).putShort(24, (short) (8 + data.length));
        p.put(28, data);
        return p.array();
    }

    /** The UDP payload of a packet {@link #udp} made, as text. */
    public static String payload(byte[] packet) {
        return new String(packet, 28, packet.length - 28, StandardCharsets.UTF_8);
    }
}
