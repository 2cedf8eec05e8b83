package dev.skein.node.dataplane;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Cuts an IPv4 packet that allows it (no DF) into fragments that fit a smaller path, as any router on the way
 * would (RFC 791): every fragment carries the header, its payload a multiple of 8 bytes but the last, its offset
 * and "more fragments" set, the header checksum made anew. A packet that is itself a fragment is cut the same way
 * (offsets add up, the last piece keeps its "more fragments"). The receiver's kernel reassembles. Only for the
 * rare packet longer than its peer's path without DF: the tunnel's own datagrams are never fragmented.
 */
final class Ipv4Fragments {
    private static final int DF = 0x4000;
    private static final int MF = 0x2000;
    private static final int OFFSET = 0x1fff;

    private Ipv4Fragments() {}

    /** Hands each fragment of {@code packet} (position to limit) to {@code send}, built in turn in {@code out}. */
    static int cut(ByteBuffer packet, int mtu, ByteBuffer out, Consumer<ByteBuffer> send) {
        int start = packet.position();
        int total = packet.remaining();
        int ihl = (packet.get(start) & 0x0f) * 4;
        int flags = packet.getShort(start + 6) & 0xffff;
        int step = (mtu - ihl) & ~7;
        if (ihl < 20 || total <= mtu || step <= 0 || (flags & DF) != 0) {
            send.accept(packet);
            return 1;
        }
        int baseOffset = (flags & OFFSET) * 8;
        boolean moreAfter = (flags & MF) != 0;
        int count = 0;
        for (int at = ihl; at < total; at += step) {
            int length = Math.min(step, total - at);
            out.clear();
            out.put(packet.duplicate().position(start).limit(start + ihl));
            out.put(packet.duplicate().position(start + at).limit(start + at + length));
            boolean more = at + length < total || moreAfter;
            out.putShort(2, (short) (ihl + length));
            out.putShort(6, (short) ((flags & ~(MF | OFFSET)) | (more ? MF : 0) | (baseOffset + at - ihl) / 8));
            out.putShort(10, (short) 0);
            out.putShort(10, Icmp.checksum(out, 0, ihl));
            out.flip();
            send.accept(out);
            count++;
        }
        return count;
    }
}
