package dev.skein.node.dataplane;

import java.nio.ByteBuffer;

/**
 * ICMP "destination unreachable" back into the TUN device, for a packet no peer owns (host unreachable: the
 * sender's ping or connect fails at once instead of timing out) and for one too big for its peer's path with DF
 * set (fragmentation needed, with the MTU that fits: the sender's path MTU discovery lowers its packets, TCP its
 * segments). For IPv6 the same in ICMPv6 (RFC 4443): "address unreachable", and "packet too big", which every
 * oversize IPv6 packet gets (no router fragments IPv6). Written as if it came from the destination itself: the
 * kernel drops a packet arriving from one of its own addresses as a martian.
 */
final class Icmp {
    private static final int HOST_UNREACHABLE = 1;
    private static final int FRAGMENTATION_NEEDED = 4;
    private static final int ICMP6 = 58;
    private static final int ICMP6_UNREACHABLE = 1;
    private static final int ICMP6_ADDRESS_UNREACHABLE = 3;
    private static final int ICMP6_PACKET_TOO_BIG = 2;
    /** An ICMPv6 error quotes as much of the packet as keeps it within the minimum IPv6 MTU. */
    private static final int ICMP6_MAX = 1280;

    private Icmp() {}

    /**
     * Writes the reply to {@code original} into {@code out} (position 0, limit set); returns false when no
     * reply is due (not IP, itself an ICMP error, or an IPv6 packet from no one or to a group).
     */
    static boolean unreachable(ByteBuffer original, ByteBuffer out) {
        if (IpPacket.version(original) == 6) {
            return icmp6Error(original, ICMP6_UNREACHABLE, ICMP6_ADDRESS_UNREACHABLE, 0, out);
        }
        return destinationUnreachable(original, HOST_UNREACHABLE, 0, out);
    }

    /** ICMPv6 "packet too big" for the IPv6 packet {@code original}, naming {@code mtu}; as above. */
    static boolean packetTooBig(ByteBuffer original, int mtu, ByteBuffer out) {
        return icmp6Error(original, ICMP6_PACKET_TOO_BIG, 0, mtu, out);
    }

    /** "Fragmentation needed" for {@code original}, which must not be longer than {@code mtu}; as above. */
    static boolean fragmentationNeeded(ByteBuffer original, int mtu, ByteBuffer out) {
        return destinationUnreachable(original, FRAGMENTATION_NEEDED, mtu, out);
    }

    /** True if the IPv4 packet at {@code p}'s position forbids fragmenting it (DF). */
    static boolean dontFragment(ByteBuffer p) {
        return (p.get(p.position() + 6) & 0x40) != 0;
    }

    private static boolean destinationUnreachable(ByteBuffer original, int code, int mtu, ByteBuffer out) {
        int start = original.position();
        int len = original.remaining();
        if (IpPacket.version(original) != 4 || len < 20) {
            return false;
        }
        int ihl = (original.get(start) & 0x0f) * 4;
        int protocol = original.get(start + 9) & 0xff;
        if (protocol == 1 && len > ihl) {
            int type = original.get(start + ihl) & 0xff;
            if (type != 0 && type != 8) {
                return false; // never answer an ICMP error with an error
            }
        }
        int quoted = Math.min(len, ihl + 8);
        int total = 20 + 8 + quoted;
        out.clear();
        out.put((byte) 0x45).put((byte) 0).putShort((short) total).putInt(0);
        out.put((byte) 64).put((byte) 1).putShort((short) 0);
        out.putInt(IpPacket.destination4(original)).putInt(IpPacket.source4(original));
        out.putShort(10, checksum(out, 0, 20));
        out.put((byte) 3).put((byte) code).putShort((short) 0).putShort((short) 0).putShort((short) mtu);
        for (int i = 0; i < quoted; i++) {
            out.put(original.get(start + i));
        }
        out.putShort(22, checksum(out, 20, 8 + quoted));
        out.flip();
        return true;
    }

    private static boolean icmp6Error(ByteBuffer original, int type, int code, int mtu, ByteBuffer out) {
        int start = original.position();
        int len = original.remaining();
        if (IpPacket.version(original) != 6 || len < 40) {
            return false;
        }
        // RFC 4443 2.4: never to the unspecified address (the only source we could see that starts with a zero
        // byte) nor to a multicast source; for a packet to a group, "too big" only.
        int source = original.get(start + 8) & 0xff;
        boolean toGroup = (original.get(start + 24) & 0xff) == 0xff;
        if (source == 0 || source == 0xff || (toGroup && type != ICMP6_PACKET_TOO_BIG)) {
            return false;
        }
        if ((original.get(start + 6) & 0xff) == ICMP6 && len > 40 && (original.get(start + 40) & 0xff) < 128) {
            return false; // never answer an ICMPv6 error with an error
        }
        int quoted = Math.min(len, ICMP6_MAX - 48);
        int payload = 8 + quoted;
        out.clear();
        out.putInt(0x60000000).putShort((short) payload).put((byte) ICMP6).put((byte) 64);
        for (int i = 0; i < 16; i++) { // from the original's destination...
            out.put(original.get(start + 24 + i));
        }
        for (int i = 0; i < 16; i++) { // ... to its source
            out.put(original.get(start + 8 + i));
        }
        out.put((byte) type).put((byte) code).putShort((short) 0).putInt(mtu);
        for (int i = 0; i < quoted; i++) {
            out.put(original.get(start + i));
        }
        out.putShort(42, icmp6Checksum(out, payload));
        out.flip();
        return true;
    }

    /** The ICMPv6 checksum of the message after the IPv6 header in {@code b}, over RFC 8200's pseudo-header. */
    private static short icmp6Checksum(ByteBuffer b, int length) {
        long sum = length + ICMP6;
        for (int i = 8; i < 40; i += 2) { // the two addresses
            sum += b.getShort(i) & 0xffff;
        }
        return fold(sum, b, 40, length);
    }

    static short checksum(ByteBuffer b, int off, int len) {
        return fold(0, b, off, len);
    }

    private static short fold(long sum, ByteBuffer b, int off, int len) {
        for (int i = 0; i + 1 < len; i += 2) {
            sum += b.getShort(off + i) & 0xffff;
        }
        if ((len & 1) == 1) {
            sum += (b.get(off + len - 1) & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
