package dev.skein.node.offload;

import java.nio.ByteBuffer;

/**
 * Hands a received TCP packet to the kernel with its checksum still to be finished
 * ({@link VirtioNetHeader#NEEDS_CSUM}), so the checksum the sender wrote is never read. The kernel trusts such a
 * packet on local delivery and computes the checksum only if it forwards the packet on. Kernel WireGuard trusts
 * decrypted packets the same way ({@code CHECKSUM_UNNECESSARY}): the tunnel's authentication tag already proved the
 * packet is what its peer's kernel sent. Because every TCP packet a node receives goes this way, its record may
 * tell senders to leave TCP checksums out (see {@code MemberRecord#tcpChecksumOptional}).
 * <p>Which packets: IPv4 without fragmentation (options allowed) and IPv6 whose first next header is TCP, with a
 * whole TCP header. A sender may leave out only the checksums of packets this class takes.
 */
public final class PartialChecksum {
    private static final int TCP = 6;

    private PartialChecksum() {}

    /**
     * If the packet between {@code packet}'s position and limit is a TCP packet as above, stores the pseudo-header
     * sum in its checksum field (where the kernel starts from), fills {@code header} to say so, and returns true.
     * Otherwise leaves both untouched and returns false.
     */
    public static boolean leaveToKernel(ByteBuffer packet, VirtioNetHeader header) {
        int at = packet.position();
        int ip = tcpOffset(packet, at, packet.remaining());
        if (ip < 0) {
            return false;
        }
        boolean v4 = ((packet.get(at) & 0xff) >>> 4) == 4;
        int tcpLength = packet.remaining() - ip;
        packet.putShort(at + ip + 16, (short) Checksum.fold(Checksum.pseudoHeader(packet, at, v4, TCP, tcpLength)));
        header.clear();
        header.flags = VirtioNetHeader.NEEDS_CSUM;
        header.csumStart = ip;
        header.csumOffset = 16; // TCP's checksum field
        return true;
    }

    /**
     * Where the TCP header starts in the packet at {@code at} of {@code n} bytes, or -1 if it is no TCP packet this
     * class takes. The sender's rule for leaving a checksum out is this same method.
     */
    public static int tcpOffset(ByteBuffer packet, int at, int n) {
        if (n < 20) {
            return -1;
        }
        int version = (packet.get(at) & 0xff) >>> 4;
        int ip;
        if (version == 4) {
            ip = (packet.get(at) & 0x0f) * 4;
            // not TCP, or a fragment (more fragments, or an offset): the kernel reassembles and checks those
            if (ip < 20 || (packet.get(at + 9) & 0xff) != TCP || (packet.getShort(at + 6) & 0x3fff) != 0) {
                return -1;
            }
        } else if (version == 6 && n >= 40 && (packet.get(at + 6) & 0xff) == TCP) {
            ip = 40;
        } else {
            return -1;
        }
        if (n < ip + 20) {
            return -1;
        }
        int tcpHeader = ((packet.get(at + ip + 12) & 0xff) >>> 4) * 4;
        return tcpHeader < 20 || n < ip + tcpHeader ? -1 : ip;
    }
}
