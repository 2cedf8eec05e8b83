package dev.skein.node.offload;

import java.nio.ByteBuffer;

/**
 * Merges consecutive segments of one TCP flow, received and decrypted one by one, into one super-packet for a
 * single TUN write (the receive side's counterpart of {@link TcpSegmenter}, like the kernel's GRO): the kernel's
 * TCP then handles one 64 KB packet instead of 45. A segment joins the batch when it continues it exactly:
 * <ul>
 *   <li>same addresses, ports, IP header fields (IPv4 without options or fragments; IPv6 without extension
 *       headers), TCP header length and options, acknowledgement number and window;</li>
 *   <li>its sequence number is where the batch ends;</li>
 *   <li>only ACK (and PSH, which closes the batch) set; a payload no larger than the first segment's, and a
 *       smaller one closes the batch; at most 64 KB in all.</li>
 * </ul>
 * Anything else is written on its own. A larger batch gets its lengths and IP checksum fixed; every batch, one
 * segment or more, leaves the TCP checksum for the kernel to finish ({@link VirtioNetHeader#NEEDS_CSUM},
 * {@link PartialChecksum}): the segments' integrity was already proven by the tunnel's authentication tag.
 */
public final class TcpCoalescer {
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int MAX_LENGTH = 65535;

    /** The batch, at {@link VirtioNetHeader#SIZE} so the header can be written in front of it. */
    private final ByteBuffer batch = ByteBuffer.allocateDirect(VirtioNetHeader.SIZE + MAX_LENGTH);
    private final VirtioNetHeader header = new VirtioNetHeader();
    private int count;
    private boolean v4;
    private int ipHeader;
    private int headers;
    private int gsoSize;
    private int length;
    private int nextSeq;
    private boolean closed;
    private int finished;

    /** True while a batch waits to be {@link #finish finished}. */
    public boolean pending() {
        return count > 0;
    }

    /**
     * Takes the packet between {@code p}'s position and limit (copying it) if it starts a batch (none pending)
     * or continues the pending one. False: the caller must finish the pending batch first, then offer the packet
     * again, and if that fails too, write it on its own.
     */
    public boolean add(ByteBuffer p) {
        int at = p.position();
        int n = p.remaining();
        if (count == 0) {
            return start(p, at, n);
        }
        if (closed || !continues(p, at, n)) {
            return false;
        }
        int len = n - headers;
        batch.put(VirtioNetHeader.SIZE + length, p, at + headers, len);
        length += len;
        nextSeq += len;
        count++;
        int flags = p.get(at + ipHeader + 13) & 0xff;
        if ((flags & PSH) != 0) {
            int head = VirtioNetHeader.SIZE + ipHeader + 13;
            batch.put(head, (byte) (batch.get(head) | PSH));
            closed = true;
        }
        if (len < gsoSize) {
            closed = true;
        }
        return true;
    }

    private boolean start(ByteBuffer p, int at, int n) {
        int headerBytes = candidateHeaders(p, at, n);
        if (headerBytes < 0 || n - headerBytes <= 0) {
            return false;
        }
        v4 = ((p.get(at) & 0xff) >>> 4) == 4;
        ipHeader = v4 ? 20 : 40;
        headers = headerBytes;
        gsoSize = n - headers;
        length = n;
        nextSeq = p.getInt(at + ipHeader + 4) + gsoSize;
        closed = (p.get(at + ipHeader + 13) & PSH) != 0;
        batch.clear();
        batch.put(VirtioNetHeader.SIZE, p, at, n);
        count = 1;
        return true;
    }

    /**
     * The length of IP and TCP headers if the packet could be batched at all, else -1: a TCP packet whose checksum
     * {@link PartialChecksum} may leave to the kernel, IPv4 without options, only ACK (and PSH) set.
     */
    private static int candidateHeaders(ByteBuffer p, int at, int n) {
        int ip = PartialChecksum.tcpOffset(p, at, n);
        if (ip < 0 || ip != (((p.get(at) & 0xff) >>> 4) == 4 ? 20 : 40)) {
            return -1; // not such a TCP packet, or IPv4 options
        }
        int flags = p.get(at + ip + 13) & 0xff;
        return (flags & ~PSH) != ACK ? -1 : ip + ((p.get(at + ip + 12) & 0xff) >>> 4) * 4;
    }

    private boolean continues(ByteBuffer p, int at, int n) {
        int len = n - headers;
        if (len <= 0 || len > gsoSize || length + len > MAX_LENGTH || ((p.get(at) & 0xff) >>> 4) != (v4 ? 4 : 6)
                || candidateHeaders(p, at, n) != headers || p.getInt(at + ipHeader + 4) != nextSeq) {
            return false;
        }
        int b = VirtioNetHeader.SIZE;
        if (v4) {
            // version/IHL/TOS, TTL/protocol, addresses; not length, id, fragment bits or checksum
            if (p.getShort(at) != batch.getShort(b) || p.getShort(at + 8) != batch.getShort(b + 8)
                    || p.getLong(at + 12) != batch.getLong(b + 12)) {
                return false;
            }
        } else {
            // version/class/flow label, next header/hop limit, addresses
            if (p.getInt(at) != batch.getInt(b) || p.getShort(at + 6) != batch.getShort(b + 6)
                    || !p.slice(at + 8, 32).equals(batch.slice(b + 8, 32))) {
                return false;
            }
        }
        int t = at + ipHeader;
        int bt = b + ipHeader;
        // ports; acknowledgement; data offset and flags but PSH; window; then the options
        return p.getInt(t) == batch.getInt(bt) && p.getInt(t + 8) == batch.getInt(bt + 8)
                && p.get(t + 12) == batch.get(bt + 12)
                && p.getShort(t + 14) == batch.getShort(bt + 14)
                && p.slice(t + 20, headers - ipHeader - 20).equals(batch.slice(bt + 20, headers - ipHeader - 20));
    }

    /**
     * Completes the pending batch: the returned buffer holds the virtio header and the packet from position 0,
     * ready for the TUN device. The batch is then empty again.
     */
    public ByteBuffer finish() {
        int b = VirtioNetHeader.SIZE;
        if (count > 1) {
            if (v4) {
                batch.putShort(b + 2, (short) length);
                Checksum.storeIpv4(batch, b, ipHeader);
            } else {
                batch.putShort(b + 4, (short) (length - 40));
            }
        }
        batch.limit(b + length).position(b);
        if (!PartialChecksum.leaveToKernel(batch, header)) {
            header.clear(); // not reached: a batch starts only with a TCP packet PartialChecksum takes
        }
        if (count > 1) { // a super-packet, which the kernel cuts again by gso_size wherever it must
            header.gsoType = v4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6;
            header.headerLength = headers;
            header.gsoSize = gsoSize;
        }
        header.write(batch, 0);
        batch.limit(b + length).position(0);
        finished = count;
        count = 0;
        closed = false;
        return batch;
    }

    /** Segments in the batch last {@link #finish finished}. */
    public int finishedCount() {
        return finished;
    }
}
