package dev.skein.node.dataplane;

import java.nio.ByteBuffer;

/** Reads the few IP header fields the data plane needs, in place (absolute reads, no allocation). */
final class IpPacket {
    private IpPacket() {}

    static int version(ByteBuffer p) {
        return p.remaining() < 1 ? 0 : (p.get(p.position()) & 0xff) >>> 4;
    }

    /** IPv4 destination as a big-endian int; the packet must be IPv4 with at least 20 bytes. */
    static int destination4(ByteBuffer p) {
        return p.getInt(p.position() + 16);
    }

    static int source4(ByteBuffer p) {
        return p.getInt(p.position() + 12);
    }

    static byte[] address(ByteBuffer p, boolean source) {
        int v = version(p);
        int off = v == 4 ? (source ? 12 : 16) : (source ? 8 : 24);
        byte[] a = new byte[v == 4 ? 4 : 16];
        p.get(p.position() + off, a);
        return a;
    }

    /**
     * The packet's own length from its header (transport padding follows it), or -1 when the bytes are not a
     * plausible IPv4 or IPv6 packet of at most {@code available} bytes.
     */
    static int length(ByteBuffer p, int available) {
        int v = version(p);
        if (v == 4 && available >= 20) {
            int len = p.getShort(p.position() + 2) & 0xffff;
            int ihl = (p.get(p.position()) & 0x0f) * 4;
            return len >= 20 && ihl >= 20 && ihl <= len && len <= available ? len : -1;
        }
        if (v == 6 && available >= 40) {
            int len = 40 + (p.getShort(p.position() + 4) & 0xffff);
            return len <= available ? len : -1;
        }
        return -1;
    }
}
