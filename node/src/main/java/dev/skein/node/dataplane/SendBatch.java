package dev.skein.node.dataplane;

import dev.skein.node.os.UdpSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Sealed datagrams for one destination, laid end to end in one buffer, waiting to leave in a single UDP GSO
 * send. GSO cuts a send into datagrams of the first one's size, so a datagram joins only if it is no larger than
 * the first; a shorter one is the last ({@link #add} sends the batch after it). At most
 * {@value UdpSocket#MAX_SEGMENTS} datagrams and {@value UdpSocket#MAX_GSO_BYTES} bytes. One per thread.
 */
final class SendBatch {
    /** Where the next datagram goes; its buffer is the caller's to fill between {@link #start} and {@link #add}. */
    final ByteBuffer buffer;
    private final Sink sink;
    /** Writes the datagrams whose room is reserved but not yet filled ({@link SegmentSeals}), before a send. */
    private final Runnable fill;
    private InetSocketAddress to;
    private int used;
    private int size;
    private int count;

    /** Where a batch goes: {@link Device#sendSegments} (a test records the sends instead). */
    @FunctionalInterface
    interface Sink {
        /** Sends the datagrams between position and limit, cut every {@code segmentSize} bytes (0: one). */
        void send(ByteBuffer datagrams, int segmentSize, InetSocketAddress to);
    }

    SendBatch(Sink sink, ByteBuffer buffer) {
        this(sink, buffer, () -> { });
    }

    /** {@code fill}: completes, before each send, the datagrams added with their bytes still to be written. */
    SendBatch(Sink sink, ByteBuffer buffer, Runnable fill) {
        this.sink = sink;
        this.buffer = buffer;
        this.fill = fill;
    }

    /**
     * Makes room for a datagram of {@code length} bytes to {@code to} (sending what is pending first if it
     * cannot join) and returns the offset at which to write it.
     */
    int start(InetSocketAddress to, int length) {
        if (count > 0 && (!to.equals(this.to) || length > size || count == UdpSocket.MAX_SEGMENTS
                || used + length > UdpSocket.MAX_GSO_BYTES)) {
            flush();
        }
        this.to = to;
        buffer.limit(buffer.capacity()).position(used);
        return used;
    }

    /**
     * The datagram at the offset {@link #start} gave is {@code length} bytes: written, or to be written by the
     * batch's {@code fill} before it leaves.
     */
    void add(int length) {
        if (count == 0) {
            size = length;
        }
        used += length;
        count++;
        if (length < size) {
            flush(); // a shorter datagram can only end a GSO send
        }
    }

    boolean pending() {
        return count > 0;
    }

    /** Sends what is pending, if anything. */
    void flush() {
        if (count == 0) {
            return;
        }
        fill.run();
        buffer.limit(used).position(0);
        sink.send(buffer, count > 1 ? size : 0, to);
        used = 0;
        count = 0;
    }
}
