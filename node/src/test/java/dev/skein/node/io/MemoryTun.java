package dev.skein.node.io;

import dev.skein.node.offload.VirtioNetHeader;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TUN device in memory: the test plays the machine's network stack, handing packets to the data plane
 * ({@link #fromStack}) and taking what the data plane delivers ({@link #toStack}). Without virtio headers, or with
 * them (TSO and checksum offload, as the kernel's device opened with {@code IFF_VNET_HDR}): then each packet read
 * comes with the header it was handed in with, and each packet delivered starts with the header written with it.
 */
public final class MemoryTun implements TunDevice {
    private static final long POLL_MILLIS = 50;

    private final boolean virtioHeaders;
    /** Packets from the stack, each after the {@link VirtioNetHeader#SIZE} bytes of its header if there are headers. */
    private final BlockingQueue<byte[]> outgoing = new LinkedBlockingQueue<>(4096);
    private final BlockingQueue<byte[]> delivered = new LinkedBlockingQueue<>(4096);
    private volatile boolean closed;

    /** A device without virtio headers. */
    public MemoryTun() {
        this(false);
    }

    public MemoryTun(boolean virtioHeaders) {
        this.virtioHeaders = virtioHeaders;
    }

    /** A packet the machine sends into the tunnel; false if the queue is full (as a full TUN queue drops). */
    public boolean fromStack(byte[] packet) {
        return fromStack(new VirtioNetHeader(), packet);
    }

    /** A packet with its virtio header (a TCP super-packet, or a partial checksum); the device must take headers. */
    public boolean fromStack(VirtioNetHeader header, byte[] packet) {
        if (!virtioHeaders) {
            return outgoing.offer(packet.clone());
        }
        ByteBuffer framed = ByteBuffer.allocate(VirtioNetHeader.SIZE + packet.length);
        header.write(framed, 0);
        return outgoing.offer(framed.put(VirtioNetHeader.SIZE, packet).array());
    }

    /**
     * The next packet the data plane delivered to the machine (after its virtio header, with headers), or null
     * after {@code millis}.
     */
    public byte[] toStack(long millis) throws InterruptedException {
        return delivered.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Packets delivered and not yet taken. */
    public int pending() {
        return delivered.size();
    }

    @Override
    public boolean vnetHeader() {
        return virtioHeaders;
    }

    @Override
    public boolean segmentationOffload() {
        return virtioHeaders;
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
        int skip = 0;
        if (virtioHeaders) {
            header.read(ByteBuffer.wrap(p), 0);
            skip = VirtioNetHeader.SIZE;
        }
        int pos = buf.position();
        buf.limit(buf.capacity());
        buf.put(pos, p, skip, p.length - skip);
        buf.limit(pos + p.length - skip);
        return p.length - skip;
    }

    @Override
    public boolean write(ByteBuffer buf) {
        if (!virtioHeaders) {
            return writeFramed(buf);
        }
        ByteBuffer framed = ByteBuffer.allocate(VirtioNetHeader.SIZE + buf.remaining());
        VirtioNetHeader.writePlain(framed, 0);
        return writeFramed(framed.put(VirtioNetHeader.SIZE, buf, buf.position(), buf.remaining()));
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
