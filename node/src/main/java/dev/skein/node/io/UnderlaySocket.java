package dev.skein.node.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The underlay side of the data plane: one UDP socket, sending and receiving datagrams in batches where the
 * implementation can (GSO/GRO). The real one is {@code os.UdpSocket}; tests use one in memory, on a network of
 * their own. One thread receives; any thread sends.
 */
public interface UnderlaySocket extends AutoCloseable {
    /** The port the socket is bound to, or 0 once it is closed. */
    int localPort();

    /** True while {@link #sendSegments} may send several datagrams in one call. */
    boolean segmentationOffload();

    /** True if a receive may return several datagrams of one sender at once. */
    boolean receiveOffload();

    /** Sends the bytes between position and limit as one datagram; advances the position. */
    void send(ByteBuffer datagram, InetSocketAddress to) throws IOException;

    /**
     * Sends one datagram whose packet may cross at most {@code hops} routers (the IP TTL, the IPv6 hop limit): a
     * low one passes our own NAT router, which then holds a mapping toward {@code to}, and dies before the far
     * end's router could see it.
     */
    void sendHopLimited(ByteBuffer datagram, InetSocketAddress to, int hops) throws IOException;

    /**
     * Sends the bytes between position and limit as datagrams of {@code segmentSize} bytes each, the last possibly
     * shorter (0: one datagram).
     */
    void sendSegments(ByteBuffer data, int segmentSize, InetSocketAddress to) throws IOException;

    /**
     * Receives into {@code buf} at its position and sets its limit after the data. Returns the number of bytes,
     * which may be several datagrams of {@link #segmentSize()} bytes each, all from {@link #source()}; 0 when
     * nothing arrived within a short poll interval; -1 once closed.
     */
    int receive(ByteBuffer buf) throws IOException;

    /** The size of each datagram of the last {@link #receive} (the last may be shorter). */
    int segmentSize();

    /** The sender of the last {@link #receive}. */
    InetSocketAddress source();

    /** Marks what the socket sends (SO_MARK), for policy routing; a socket that cannot, throws. */
    void mark(int mark) throws IOException;

    /**
     * The largest IP packet the path to {@code to} carries as far as this host knows (the link's MTU, or what an
     * ICMP "fragmentation needed" taught it), or -1 when unknown.
     */
    int pathMtu(InetSocketAddress to);

    @Override
    void close();
}
