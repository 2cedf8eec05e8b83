package dev.skein.node.firewall;

import dev.skein.protocol.addr.IpPrefix;
import java.nio.ByteBuffer;

/** Builds the IP packets the firewall tests send through it: only the header fields the firewall reads. */
final class Packets {
    private Packets() {}

    /** A TCP segment of an established connection (ACK). */
    static ByteBuffer tcp(String src, int sport, String dst, int dport) {
        ByteBuffer p = transport(FlowKey.TCP, src, sport, dst, dport);
        p.put(p.limit() - 20 + 13, (byte) 0x10);
        return p;
    }

    /** The TCP segment that opens a connection (SYN). */
    static ByteBuffer syn(String src, int sport, String dst, int dport) {
        ByteBuffer p = transport(FlowKey.TCP, src, sport, dst, dport);
        p.put(p.limit() - 20 + 13, (byte) 0x02);
        return p;
    }

    static ByteBuffer udp(String src, int sport, String dst, int dport) {
        return transport(FlowKey.UDP, src, sport, dst, dport);
    }

    private static ByteBuffer transport(int proto, String src, int sport, String dst, int dport) {
        ByteBuffer p = ip(proto, src, dst, 20);
        int l4 = p.limit() - 20;
        p.putShort(l4, (short) sport).putShort(l4 + 2, (short) dport);
        return p;
    }

    /** ICMP echo request (type 8 / 128) or reply (0 / 129) with identifier {@code id}. */
    static ByteBuffer echo(String src, String dst, boolean request, int id) {
        boolean v6 = src.contains(":");
        ByteBuffer p = ip(v6 ? FlowKey.ICMPV6 : FlowKey.ICMP, src, dst, 8);
        int l4 = p.limit() - 8;
        p.put(l4, (byte) (v6 ? request ? 128 : 129 : request ? 8 : 0));
        p.putShort(l4 + 4, (short) id);
        return p;
    }

    /** An ICMP destination unreachable from {@code src} to {@code dst} quoting {@code quoted}. */
    static ByteBuffer unreachable(String src, String dst, ByteBuffer quoted) {
        int n = Math.min(quoted.remaining(), 28);
        ByteBuffer p = ip(FlowKey.ICMP, src, dst, 8 + n);
        int l4 = p.limit() - 8 - n;
        p.put(l4, (byte) 3).put(l4 + 1, (byte) 3);
        for (int i = 0; i < n; i++) {
            p.put(l4 + 8 + i, quoted.get(quoted.position() + i));
        }
        return p;
    }

    /** A second fragment (offset 185 x 8 bytes) of a UDP datagram: no UDP header in it. */
    static ByteBuffer laterFragment(String src, String dst) {
        ByteBuffer p = ip(FlowKey.UDP, src, dst, 16);
        p.putShort(6, (short) 185);
        return p;
    }

    static ByteBuffer ip(int proto, String src, String dst, int payload) {
        byte[] s = IpPrefix.parse(src).ip();
        byte[] d = IpPrefix.parse(dst).ip();
        int header = s.length == 4 ? 20 : 40;
        ByteBuffer p = ByteBuffer.allocate(header + payload);
        if (s.length == 4) {
            p.put(0, (byte) 0x45).putShort(2, (short) (header + payload)).put(8, (byte) 64).put(9, (byte) proto);
            p.put(12, s).put(16, d);
        } else {
            p.put(0, (byte) 0x60).putShort(4, (short) payload).put(6, (byte) proto).put(7, (byte) 64);
            p.put(8, s).put(24, d);
        }
        return p;
    }
}
