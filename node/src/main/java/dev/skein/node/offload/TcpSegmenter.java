package dev.skein.node.offload;

import java.nio.ByteBuffer;

/**
 * Cuts a TCP super-packet from the TUN device (TSO: one IP packet with up to 64 KB of payload and a
 * {@link VirtioNetHeader} saying the segment size) into the packets that would have been sent without the
 * offload, each a complete IP packet with valid checksums, as the kernel's own {@code tcp_gso_segment} does:
 * <ul>
 *   <li>payload cut every {@code gso_size} bytes, the sequence number advanced by the bytes before it;</li>
 *   <li>IPv4: total length set, the identification incremented per segment, the header checksum recomputed;
 *       IPv6: payload length set;</li>
 *   <li>FIN and PSH only on the last segment, CWR only on the first;</li>
 *   <li>the TCP checksum over the pseudo-header, header and the segment's payload, unless the receiver reads
 *       none ({@link PartialChecksum}: then the field is left zero, which saves a pass over every byte).</li>
 * </ul>
 * One instance per super-packet at a time: {@link #begin} reads its headers, then {@link #segment} writes each.
 */
public final class TcpSegmenter {
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;

    private ByteBuffer source;
    private int start;
    private boolean v4;
    private int ipHeader;
    private int headers;
    private int payload;
    private int gsoSize;
    private int count;
    private boolean checksums;

    /**
     * Reads the super-packet between {@code packet}'s position and limit; its segments will carry TCP checksums.
     * Returns the number of segments, or -1 when the packet is not a TCP packet this class can cut (malformed, IPv6
     * extension headers, no segment size).
     */
    public int begin(ByteBuffer packet, VirtioNetHeader h) {
        return begin(packet, h, false);
    }

    /**
     * As {@link #begin(ByteBuffer, VirtioNetHeader)}; {@code checksumOptional}: the receiver writes every packet
     * {@link PartialChecksum} takes with its checksum left to its kernel, so segments it takes get none.
     */
    public int begin(ByteBuffer packet, VirtioNetHeader h, boolean checksumOptional) {
        source = packet;
        start = packet.position();
        int n = packet.remaining();
        if (n < 20) {
            return -1;
        }
        int version = (packet.get(start) & 0xff) >>> 4;
        if (version == 4) {
            v4 = true;
            ipHeader = (packet.get(start) & 0x0f) * 4;
            if (ipHeader < 20 || (packet.get(start + 9) & 0xff) != 6) {
                return -1;
            }
        } else if (version == 6) {
            v4 = false;
            ipHeader = 40;
            if ((packet.get(start + 6) & 0xff) != 6) {
                return -1;
            }
        } else {
            return -1;
        }
        if (n < ipHeader + 20) {
            return -1;
        }
        int tcpHeader = ((packet.get(start + ipHeader + 12) & 0xff) >>> 4) * 4;
        headers = ipHeader + tcpHeader;
        gsoSize = h.gsoSize;
        if (tcpHeader < 20 || n < headers || gsoSize <= 0) {
            return -1;
        }
        payload = n - headers;
        count = payload == 0 ? 1 : (payload + gsoSize - 1) / gsoSize;
        // Segments keep the super-packet's IP header (fragment bits included): the receiver takes them if it does.
        checksums = !checksumOptional || PartialChecksum.tcpOffset(packet, start, n) != ipHeader;
        return count;
    }

    /** The length of segment {@code i} (0-based), headers included. */
    public int segmentLength(int i) {
        return headers + Math.min(gsoSize, payload - i * gsoSize);
    }

    /**
     * Writes segment {@code i} (0-based) into {@code out} at its position and advances it past the packet. Reads
     * only what {@link #begin} set: several threads may write different segments of one super-packet at once.
     */
    public void segment(int i, ByteBuffer out) {
        int at = out.position();
        int from = i * gsoSize;
        int len = Math.min(gsoSize, payload - from);
        out.put(at, source, start, headers);
        out.put(at + headers, source, start + headers + from, len);
        int tcp = at + ipHeader;
        int total = headers + len;
        if (v4) {
            out.putShort(at + 2, (short) total);
            out.putShort(at + 4, (short) (source.getShort(start + 4) + i));
            Checksum.storeIpv4(out, at, ipHeader);
        } else {
            out.putShort(at + 4, (short) (total - 40));
        }
        out.putInt(tcp + 4, source.getInt(start + ipHeader + 4) + from);
        int flags = out.get(tcp + 13) & 0xff;
        if (i > 0) {
            flags &= ~CWR;
        }
        if (i < count - 1) {
            flags &= ~(FIN | PSH);
        }
        out.put(tcp + 13, (byte) flags);
        out.putShort(tcp + 16, (short) 0);
        if (checksums) {
            long sum = Checksum.pseudoHeader(out, at, v4, 6, total - ipHeader);
            out.putShort(tcp + 16, Checksum.finish(Checksum.add(out, tcp, total - ipHeader, sum)));
        }
        out.position(at + total);
    }

    /**
     * Finishes a packet the kernel left with a partial checksum ({@link VirtioNetHeader#NEEDS_CSUM}): the field at
     * {@code csum_start + csum_offset} holds the pseudo-header sum; the checksum covers everything from
     * {@code csum_start} on. Returns false when the offsets fall outside the packet.
     */
    public static boolean finishChecksum(ByteBuffer packet, VirtioNetHeader h) {
        int start = packet.position();
        int n = packet.remaining();
        int field = h.csumStart + h.csumOffset;
        if (h.csumStart >= n || field + 2 > n) {
            return false;
        }
        short c = Checksum.finish(Checksum.add(packet, start + h.csumStart, n - h.csumStart, 0));
        if (c == 0 && h.csumOffset == 6) {
            c = (short) 0xffff; // UDP: zero means "no checksum"
        }
        packet.putShort(start + field, c);
        return true;
    }
}
