package dev.skein.node.dataplane;

import java.nio.ByteBuffer;

/**
 * ICMP "destination unreachable" back into the TUN device, for an IPv4 packet no peer owns (host unreachable: the
 * sender's ping or connect fails at once instead of timing out) and for one too big for its peer's path with DF
 * set (fragmentation needed, with the MTU that fits: the sender's path MTU discovery lowers its packets, TCP its
 * segments). Written as if it came from the destination itself: the kernel drops a packet arriving from one of
 * its own addresses as a martian.
 */
final class Icmp {
    private static final int HOST_UNREACHABLE = 1;
    private static final int FRAGMENTATION_NEEDED = 4;

    private Icmp() {}

    /**
     * Writes the reply to {@code original} into {@code out} (position 0, limit set); returns false when no
     * reply is due (not IPv4, or itself an ICMP error).
     */
    static boolean unreachable(ByteBuffer original, ByteBuffer out) {
        return destinationUnreachable(original, HOST_UNREACHABLE, 0, out);
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

    static short checksum(ByteBuffer b, int off, int len) {
        long sum = 0;
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
