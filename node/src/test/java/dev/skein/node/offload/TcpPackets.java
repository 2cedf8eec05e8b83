package dev.skein.node.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skein.protocol.addr.IpPrefix;
import java.nio.ByteBuffer;

/**
 * TCP packets with valid checksums for the offload and data-plane tests, and their checks done the slow way
 * (RFC 1071 word by word, RFC 793's pseudo-header written out), independent of {@link Checksum}.
 */
public final class TcpPackets {
    public static final int FIN = 0x01;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int CWR = 0x80;
    /** The TCP header the packets carry: 20 bytes and a timestamp option (12). */
    public static final int TCP_HEADER = 32;

    private TcpPackets() {}

    /** RFC 1071 word by word. */
    public static int referenceSum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }

    /** From 100.64.0.1 to 100.64.0.2 (IPv4), or fd00:64::1 to fd00:64::2 (IPv6), to port 5201. */
    public static ByteBuffer tcp(boolean v4, int sport, int seq, int flags, byte[] payload) {
        return v4 ? tcp("100.64.0.1", "100.64.0.2", sport, seq, flags, payload)
                : tcp("fd00:64::1", "fd00:64::2", sport, seq, flags, payload);
    }

    /**
     * A TCP packet (a direct buffer, position 0) from {@code src} to {@code dst}, IPv4 or IPv6 as the addresses are,
     * to port 5201, with valid checksums; IPv4 with identification 0x1234 and DF.
     */
    public static ByteBuffer tcp(String src, String dst, int sport, int seq, int flags, byte[] payload) {
        boolean v4 = src.indexOf(':') < 0;
        int ip = v4 ? 20 : 40;
        int total = ip + TCP_HEADER + payload.length;
        ByteBuffer b = ByteBuffer.allocateDirect(total);
        if (v4) {
            b.put(0, (byte) 0x45).putShort(2, (short) total).putShort(4, (short) 0x1234).putShort(6, (short) 0x4000);
            b.put(8, (byte) 64).put(9, (byte) 6).put(12, IpPrefix.parse(src).ip()).put(16, IpPrefix.parse(dst).ip());
        } else {
            b.putInt(0, 0x60000000).putShort(4, (short) (total - 40)).put(6, (byte) 6).put(7, (byte) 64);
            b.put(8, IpPrefix.parse(src).ip()).put(24, IpPrefix.parse(dst).ip());
        }
        b.putShort(ip, (short) sport).putShort(ip + 2, (short) 5201).putInt(ip + 4, seq).putInt(ip + 8, 777);
        b.put(ip + 12, (byte) ((TCP_HEADER / 4) << 4)).put(ip + 13, (byte) flags).putShort(ip + 14, (short) 502);
        b.put(ip + 20, (byte) 1).put(ip + 21, (byte) 1).put(ip + 22, (byte) 8).put(ip + 23, (byte) 10)
                .putInt(ip + 24, 1000).putInt(ip + 28, 2000);
        b.put(ip + TCP_HEADER, payload);
        if (v4) {
            Checksum.storeIpv4(b, 0, 20);
        }
        long pseudo = Checksum.pseudoHeader(b, 0, v4, 6, total - ip);
        b.putShort(ip + 16, Checksum.finish(Checksum.add(b, ip, total - ip, pseudo)));
        return b.clear();
    }

    /** The header a kernel hands over with a TCP super-packet of {@link #tcp}'s, cut every {@code size} bytes. */
    public static VirtioNetHeader gso(boolean v4, int size) {
        VirtioNetHeader h = new VirtioNetHeader();
        h.flags = VirtioNetHeader.NEEDS_CSUM;
        h.gsoType = v4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6;
        h.gsoSize = size;
        h.headerLength = (v4 ? 20 : 40) + TCP_HEADER;
        h.csumStart = v4 ? 20 : 40;
        h.csumOffset = 16;
        return h;
    }

    public static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Checks the packet's (between position and limit) checksums the slow way; returns its TCP payload. */
    public static byte[] assertValid(ByteBuffer p) {
        return assertValid(bytes(p));
    }

    /** Checks the packet's checksums the slow way; returns its TCP payload. */
    public static byte[] assertValid(byte[] b) {
        boolean v4 = (b[0] & 0xf0) == 0x40;
        int ip = v4 ? 20 : 40;
        if (v4) {
            assertEquals(0xffff, referenceSum(b, 0, 20), "IPv4 header checksum");
            assertEquals(b.length, ((b[2] & 0xff) << 8) | (b[3] & 0xff), "IPv4 total length");
        } else {
            assertEquals(b.length - 40, ((b[4] & 0xff) << 8) | (b[5] & 0xff), "IPv6 payload length");
        }
        int tcpLength = b.length - ip;
        byte[] pseudo = new byte[v4 ? 12 : 40];
        System.arraycopy(b, v4 ? 12 : 8, pseudo, 0, v4 ? 8 : 32);
        if (v4) { // source, destination, zero, protocol, TCP length (16 bits)
            pseudo[9] = 6;
            pseudo[10] = (byte) (tcpLength >> 8);
            pseudo[11] = (byte) tcpLength;
        } else { // source, destination, TCP length (32 bits), three zeros, next header
            pseudo[34] = (byte) (tcpLength >> 8);
            pseudo[35] = (byte) tcpLength;
            pseudo[39] = 6;
        }
        long sum = referenceSum(pseudo, 0, pseudo.length) + (long) referenceSum(b, ip, tcpLength);
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        assertEquals(0xffff, sum, "TCP checksum");
        int headers = ip + ((b[ip + 12] & 0xff) >>> 4) * 4;
        byte[] payload = new byte[b.length - headers];
        System.arraycopy(b, headers, payload, 0, payload.length);
        return payload;
    }
}
