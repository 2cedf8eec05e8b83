package dev.skein.node.firewall;

import java.nio.ByteBuffer;

/**
 * Reads the flow of an IP packet (between position and limit) into a {@link FlowKey}, in place: IPv4 with its
 * options, IPv6 past its extension headers, the ports of TCP and UDP, the echo identifier of ICMP. An ICMP error
 * (unreachable, time exceeded, parameter problem, packet too big) also gets the flow of the packet it quotes,
 * which is the flow it belongs to.
 */
final class Headers {
    /** Too short or inconsistent to say what flow it belongs to: the firewall drops it. */
    static final int MALFORMED = 0;
    static final int PACKET = 1;
    /** A second or later fragment: no transport header, so no ports (rules with port any or fragment). */
    static final int FRAGMENT = 2;
    /** An ICMP error: {@code related} holds the flow of the packet it quotes. */
    static final int ICMP_ERROR = 3;

    private static final int MAX_EXTENSION_HEADERS = 8;

    private Headers() {}

    /**
     * {@code inbound}: the packet came from a peer (its destination is the local end); else it goes to one.
     * Returns {@link #MALFORMED}, {@link #PACKET}, {@link #FRAGMENT} or {@link #ICMP_ERROR}.
     */
    static int read(ByteBuffer p, boolean inbound, FlowKey key, FlowKey related) {
        int kind = read(p, p.position(), p.limit(), inbound, key);
        if (kind != ICMP_ERROR) {
            return kind;
        }
        // The quoted packet went the other way: sent by whoever receives this error.
        return related != null && read(p, key.quotedAt, p.limit(), !inbound, related) != MALFORMED
                ? ICMP_ERROR : PACKET;
    }

    private static int read(ByteBuffer p, int start, int end, boolean inbound, FlowKey key) {
        if (end - start < 1) {
            return MALFORMED;
        }
        int version = (p.get(start) & 0xff) >>> 4;
        int l4;
        boolean fragment;
        if (version == 4) {
            if (end - start < 20) {
                return MALFORMED;
            }
            int ihl = (p.get(start) & 0x0f) * 4;
            if (ihl < 20 || start + ihl > end) {
                return MALFORMED;
            }
            key.v4 = true;
            key.proto = p.get(start + 9) & 0xff;
            long src = p.getInt(start + 12) & 0xffffffffL;
            long dst = p.getInt(start + 16) & 0xffffffffL;
            key.localHi = 0;
            key.remoteHi = 0;
            key.localLo = inbound ? dst : src;
            key.remoteLo = inbound ? src : dst;
            fragment = (p.getShort(start + 6) & 0x1fff) != 0;
            l4 = start + ihl;
        } else if (version == 6) {
            if (end - start < 40) {
                return MALFORMED;
            }
            key.v4 = false;
            long srcHi = p.getLong(start + 8);
            long srcLo = p.getLong(start + 16);
            long dstHi = p.getLong(start + 24);
            long dstLo = p.getLong(start + 32);
            key.localHi = inbound ? dstHi : srcHi;
            key.localLo = inbound ? dstLo : srcLo;
            key.remoteHi = inbound ? srcHi : dstHi;
            key.remoteLo = inbound ? srcLo : dstLo;
            int next = p.get(start + 6) & 0xff;
            l4 = start + 40;
            fragment = false;
            for (int i = 0; i < MAX_EXTENSION_HEADERS && isExtension(next); i++) {
                if (l4 + 8 > end) {
                    return MALFORMED;
                }
                int following = p.get(l4) & 0xff;
                if (next == 44) { // fragment header: 8 bytes, the offset in its upper 13 bits
                    fragment |= (p.getShort(l4 + 2) & 0xfff8) != 0;
                    l4 += 8;
                } else if (next == 51) { // authentication header counts 4-byte words, less 2
                    l4 += ((p.get(l4 + 1) & 0xff) + 2) * 4;
                } else {
                    l4 += ((p.get(l4 + 1) & 0xff) + 1) * 8;
                }
                next = following;
            }
            if (isExtension(next)) {
                return MALFORMED;
            }
            key.proto = next;
        } else {
            return MALFORMED;
        }
        key.localPort = 0;
        key.remotePort = 0;
        key.tcpFlags = 0;
        if (fragment) {
            return FRAGMENT;
        }
        if (key.proto == FlowKey.TCP || key.proto == FlowKey.UDP) {
            if (l4 + 4 > end) {
                return MALFORMED;
            }
            int src = p.getShort(l4) & 0xffff;
            int dst = p.getShort(l4 + 2) & 0xffff;
            key.localPort = inbound ? dst : src;
            key.remotePort = inbound ? src : dst;
            if (key.proto == FlowKey.TCP && l4 + 14 <= end) {
                key.tcpFlags = p.get(l4 + 13) & 0xff;
            }
            return PACKET;
        }
        if (key.proto == FlowKey.ICMP || key.proto == FlowKey.ICMPV6) {
            if (l4 + 4 > end) {
                return MALFORMED;
            }
            int type = p.get(l4) & 0xff;
            if (isEcho(key.proto, type)) {
                if (l4 + 8 > end) {
                    return MALFORMED;
                }
                key.remotePort = p.getShort(l4 + 4) & 0xffff;
                return PACKET;
            }
            if (isError(key.proto, type) && l4 + 8 < end) {
                key.quotedAt = l4 + 8;
                return ICMP_ERROR;
            }
        }
        return PACKET;
    }

    private static boolean isExtension(int next) {
        return next == 0 || next == 43 || next == 44 || next == 51 || next == 60;
    }

    private static boolean isEcho(int proto, int type) {
        return proto == FlowKey.ICMP ? type == 8 || type == 0 : type == 128 || type == 129;
    }

    private static boolean isError(int proto, int type) {
        return proto == FlowKey.ICMP ? type == 3 || type == 11 || type == 12 : type >= 1 && type <= 4;
    }
}
