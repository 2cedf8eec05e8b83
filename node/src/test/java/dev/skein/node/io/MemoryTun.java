package dev.skein.node.io;

import dev.skein.node.offload.VirtioNetHeader;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TUN device in memory, without virtio headers: the test plays the machine's network stack, handing packets
 * to the data plane ({@link #fromStack}) and taking what the data plane delivers ({@link #toStack}).
 */
public final class MemoryTun implements TunDevice {
    private static final long POLL_MILLIS = 50;

    private final BlockingQueue<byte[]> outgoing = new LinkedBlockingQueue<>(4096);
    private final BlockingQueue<byte[]> delivered = new LinkedBlockingQueue<>(4096);
    private volatile boolean closed;

    /** A packet the machine sends into the tunnel; false if the queue is full (as a full TUN queue drops). */
    public boolean fromStack(byte[] packet) {
        return outgoing.offer(packet.clone());
    }

    /** The next packet the data plane delivered to the machine, or null after {@code millis}. */
    public byte[] toStack(long millis) throws InterruptedException {
        return delivered.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Packets delivered and not yet taken. */
    public int pending() {
        return delivered.size();
    }

    @Override
    public boolean vnetHeader() {
        return false;
    }

    @Override
    public boolean segmentationOffload() {
        return false;
    }

    @Override
    public int read(ByteBuffer buf, VirtioNetHeader header, boolean wait) {
        header.clear();
        if (closed) {
            return -1;
        }
        byte[] p;
        try {
            p = wait ? outgoing.poll(POLL_MILLIS, TimeUnit.MILLISECONDS) : outgoing.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        if (p == null) {
            return closed ? -1 : 0;
        }
        int pos = buf.position();
        buf.limit(buf.capacity());
        buf.put(pos, p);
        buf.limit(pos + p.length);
        return p.length;
    }

    @Override
    public boolean write(ByteBuffer buf) {
        return writeFramed(buf);
    }

    @Override
    public boolean writeFramed(ByteBuffer buf) {
        if (closed) {
            return false;
        }
        byte[] p = new byte[buf.remaining()];
        buf.get(buf.position(), p);
        return delivered.offer(p);
    }

    @Override
    public void close() {
        closed = true;
    }
}
