package dev.skein.node.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A UDP socket on a {@link MemoryNetwork}: one datagram per receive (no GRO), sends go through the network. */
public final class MemorySocket implements UnderlaySocket {
    private static final long POLL_MILLIS = 50;

    private final MemoryNetwork network;
    private final InetSocketAddress local;
    private final BlockingQueue<MemoryNetwork.Datagram> inbox = new LinkedBlockingQueue<>(8192);
    private volatile boolean closed;
    private InetSocketAddress source;
    private int segmentSize;

    MemorySocket(MemoryNetwork network, InetSocketAddress local) {
        this.network = network;
        this.local = local;
    }

    public InetSocketAddress address() {
        return local;
    }

    /** Called by the network: false when the socket's queue is full (the datagram is lost, as in a kernel). */
    boolean arrive(MemoryNetwork.Datagram d) {
        return !closed && inbox.offer(d);
    }

    @Override
    public int pathMtu(InetSocketAddress to) {
        int mtu = network.mtu();
        return mtu > 0 ? mtu : 1500;
    }

    @Override
    public int localPort() {
        return closed ? 0 : local.getPort();
    }

    @Override
    public boolean segmentationOffload() {
        return false;
    }

    @Override
    public boolean receiveOffload() {
        return false;
    }

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        if (closed) {
            throw new IOException("socket closed");
        }
        int mtu = network.mtu();
        if (mtu > 0 && datagram.remaining() + 28 > mtu) {
            throw new DatagramTooBig(datagram.remaining() + " bytes: longer than the path's MTU " + mtu);
        }
        byte[] b = new byte[datagram.remaining()];
        datagram.get(b);
        network.send(local, to, b, 0);
    }

    @Override
    public void sendHopLimited(ByteBuffer datagram, InetSocketAddress to, int hops) throws IOException {
        if (closed) {
            throw new IOException("socket closed");
        }
        byte[] b = new byte[datagram.remaining()];
        datagram.get(b);
        network.send(local, to, b, hops);
    }

    @Override
    public void sendSegments(ByteBuffer data, int segmentSize, InetSocketAddress to) throws IOException {
        if (segmentSize <= 0 || segmentSize >= data.remaining()) {
            send(data, to);
            return;
        }
        int end = data.limit();
        for (int at = data.position(); at < end; at += segmentSize) {
            data.limit(Math.min(end, at + segmentSize)).position(at);
            send(data, to);
        }
        data.limit(end).position(end);
    }

    @Override
    public int receive(ByteBuffer buf) {
        while (!closed) {
            MemoryNetwork.Datagram d;
            try {
                d = inbox.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            if (d == null) {
                return 0;
            }
            int pos = buf.position();
            if (d.bytes().length > buf.capacity() - pos) {
                continue; // larger than the buffer: a real socket would truncate; nothing of ours is that big
            }
            buf.limit(buf.capacity());
            buf.put(pos, d.bytes());
            buf.limit(pos + d.bytes().length);
            source = d.from();
            segmentSize = d.bytes().length;
            return segmentSize;
        }
        return -1;
    }

    @Override
    public int segmentSize() {
        return segmentSize;
    }

    @Override
    public InetSocketAddress source() {
        return source;
    }

    @Override
    public void mark(int mark) {
        // no policy routing in memory
    }

    @Override
    public void close() {
        closed = true;
        network.unbind(this);
    }
}
