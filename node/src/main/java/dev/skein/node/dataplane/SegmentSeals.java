package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.os.UdpSocket;
import dev.skein.protocol.transport.TransportMessage;
import java.nio.ByteBuffer;

/**
 * The segments of one TCP super-packet on their way into the send thread's {@link SendBatch}. The send thread
 * reserves, in order, each segment's room in the batch and its counter ({@link #reserve}); then the
 * {@link CipherWorkers} cut and seal them all at once ({@link #complete}), each lane into the room reserved, before
 * the batch leaves. The segmenter and the super-packet it reads stay untouched until then.
 */
final class SegmentSeals implements CipherWorkers.Job {
    private final CipherWorkers workers;
    private final ByteBuffer datagrams;
    private final int mtu;
    /** Per lane: a view of the batch's buffer (positions are per view), and room to cut a segment into. */
    private final ByteBuffer[] views;
    private final ByteBuffer[] plain;
    private final int[] segments = new int[UdpSocket.MAX_SEGMENTS];
    private final int[] offsets = new int[UdpSocket.MAX_SEGMENTS];
    private final long[] counters = new long[UdpSocket.MAX_SEGMENTS];
    private int pending;
    private TcpSegmenter segmenter;
    private byte[] key;
    private int remoteIndex;

    /** Seals into {@code datagrams}, the batch's buffer, padding each segment as the tunnel MTU {@code mtu} says. */
    SegmentSeals(CipherWorkers workers, ByteBuffer datagrams, int mtu) {
        this.workers = workers;
        this.datagrams = datagrams;
        this.mtu = mtu;
        views = new ByteBuffer[workers.workers()];
        plain = new ByteBuffer[workers.workers()];
    }

    /** The super-packet whose segments come next, and the session's sending key and the peer's index for it. */
    void begin(TcpSegmenter segmenter, byte[] key, int remoteIndex) {
        complete();
        this.segmenter = segmenter;
        this.key = key;
        this.remoteIndex = remoteIndex;
    }

    /**
     * Segment {@code segment} goes at {@code offset} of the batch's buffer, the transport header first (after the
     * relay header, if any, which the caller writes), sealed with {@code counter}.
     */
    void reserve(int segment, int offset, long counter) {
        if (pending == segments.length) {
            complete(); // cannot happen with the batch's own limit; kept safe all the same
        }
        segments[pending] = segment;
        offsets[pending] = offset;
        counters[pending] = counter;
        pending++;
    }

    /** Cuts and seals every reserved segment; returns when all are in the batch's buffer. */
    void complete() {
        if (pending > 0) {
            int n = pending;
            pending = 0;
            workers.run(n, this);
        }
    }

    @Override
    public void run(int j, CipherWorkers.Lane lane) {
        ByteBuffer packet = plain[lane.index];
        if (packet == null) {
            packet = plain[lane.index] = ByteBuffer.allocateDirect(Constants.BUFFER_SIZE);
            views[lane.index] = datagrams.duplicate();
        }
        packet.clear();
        segmenter.segment(segments[j], packet);
        packet.flip();
        TransportMessage.pad(packet, mtu);
        ByteBuffer out = views[lane.index];
        out.limit(out.capacity()).position(offsets[j]);
        TransportMessage.seal(lane.cipher.get(), key, remoteIndex, counters[j], packet, out);
    }
}
