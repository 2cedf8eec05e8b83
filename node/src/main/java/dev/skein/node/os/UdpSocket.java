package dev.skein.node.os;

import dev.skein.node.io.DatagramTooBig;
import dev.skein.node.io.UnderlaySocket;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane's UDP socket, on {@code sendmsg}/{@code recvmsg} through JNA rather than a
 * {@link java.nio.channels.DatagramChannel}, because the fast path needs what the JDK cannot pass:
 * <ul>
 *   <li><b>UDP GSO</b> ({@code UDP_SEGMENT}, a control message per send): one call sends up to
 *       {@value #MAX_SEGMENTS} datagrams of equal size laid end to end (the last may be shorter), cut by the
 *       kernel. Given per call, not set on the socket, so that it never splits another send.</li>
 *   <li><b>UDP GRO</b> ({@code UDP_GRO}): one receive may return several datagrams of one sender laid end to
 *       end, with their size in a control message ({@link #segmentSize()}).</li>
 * </ul>
 * Dual-stack (IPv6 with IPv4-mapped addresses) where the host has IPv6, else IPv4. Sends block when the socket
 * buffer is full, as a channel's would; receives wait in poll() for at most a quarter second so the receiving
 * thread notices {@link #close()}. Any thread may send; one thread receives. x86-64 and other LP64 Linux layouts.
 */
public final class UdpSocket implements UnderlaySocket {
    private static final Logger log = LoggerFactory.getLogger(UdpSocket.class);
    public static final int MAX_SEGMENTS = 64;
    /** The most a GSO send may carry: an IPv4 UDP datagram's largest payload. */
    public static final int MAX_GSO_BYTES = 65507;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SO_MARK = 36;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int SOL_UDP = 17;
    private static final int UDP_SEGMENT = 103;
    private static final int UDP_GRO = 104;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int SHUT_RDWR = 2;
    private static final int IPPROTO_IP = 0;
    private static final int IP_TTL = 2;
    private static final int IPV6_HOPLIMIT = 52;
    private static final int IP_MTU = 14;
    private static final int IPV6_MTU = 24;
    private static final int IP_MTU_DISCOVER = 10;
    private static final int IPV6_MTU_DISCOVER = 23;
    /** DF on every datagram, never fragmented here: a path that is too small answers ICMP, a send EMSGSIZE. */
    private static final int PMTUDISC_DO = 2;
    private static final int EMSGSIZE = 90;
    private static final int POLL_MILLIS = 250;

    // One call's native memory: struct msghdr, one iovec, a sockaddr_in6 and a control buffer.
    private static final int MSGHDR = 0;
    private static final int IOV = 56;
    private static final int NAME = 72;
    private static final int CONTROL = 104;
    private static final int CONTROL_SIZE = 64;
    private static final int CALL_SIZE = CONTROL + CONTROL_SIZE;

    private final int fd;
    private final boolean v6;
    private final boolean gro;
    private volatile boolean gso = true;
    private volatile boolean closed;
    private final Memory pollfd;
    private final ThreadLocal<Call> sendCalls = ThreadLocal.withInitial(Call::new);
    private final Call receiveCall = new Call();
    private int segmentSize;
    private InetSocketAddress source;
    private volatile int mark;

    private UdpSocket(int fd, boolean v6, boolean gro) {
        this.fd = fd;
        this.v6 = v6;
        this.gro = gro;
        this.pollfd = LibC.pollIn(fd);
    }

    /**
     * Opens a socket on UDP {@code port} of every address (0: any free port), with 8 MiB buffers; with
     * {@code offload}, GSO and GRO where the kernel has them, else one datagram per send and per receive.
     */
    public static UdpSocket open(int port, boolean offload) throws IOException {
        boolean v6 = true;
        int fd = LibC.socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            v6 = false;
            fd = LibC.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("cannot open a UDP socket: " + error(Native.getLastError()));
            }
        }
        if (v6) {
            option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
            option(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, PMTUDISC_DO);
        }
        // Without DF on everything, a GSO send (longer than the path as a whole) leaves without it: routers then
        // fragment every tunnel datagram in silence and the path's MTU is never learned. IPv4 (v4-mapped) too.
        option(fd, IPPROTO_IP, IP_MTU_DISCOVER, PMTUDISC_DO);
        option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        // Beyond the sysctl limits when we may (root), else as large as they allow.
        if (!option(fd, SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)) {
            option(fd, SOL_SOCKET, SO_RCVBUF, 8 << 20);
        }
        if (!option(fd, SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)) {
            option(fd, SOL_SOCKET, SO_SNDBUF, 8 << 20);
        }
        Memory address = new Memory(28);
        address.clear();
        address.setShort(0, (short) (v6 ? AF_INET6 : AF_INET));
        address.setShort(2, Short.reverseBytes((short) port));
        if (LibC.bind(fd, address, v6 ? 28 : 16) != 0) {
            int err = Native.getLastError();
            LibC.close(fd);
            throw new IOException("cannot listen on UDP port " + port + ": " + error(err));
        }
        boolean gro = offload && option(fd, SOL_UDP, UDP_GRO, 1);
        UdpSocket socket = new UdpSocket(fd, v6, gro);
        socket.gso = offload;
        return socket;
    }

    /**
     * Marks every datagram this socket sends with {@code mark} (SO_MARK, needs CAP_NET_ADMIN): policy routing
     * tells Skein's own underlay traffic from what goes into the tunnel by it.
     */
    public void mark(int mark) throws IOException {
        if (!option(fd, SOL_SOCKET, SO_MARK, mark)) {
            throw new IOException("cannot mark the UDP socket (SO_MARK): " + error(Native.getLastError()));
        }
        this.mark = mark;
    }

    /**
     * The kernel's MTU for the route to {@code to}: the outgoing link's, or lower once an ICMP "fragmentation
     * needed" on the way taught it so (the kernel keeps that per destination for every socket). Asked of a
     * throwaway socket connected to {@code to} (no packet is sent), marked as this one is so that it takes the
     * same route. -1 when the kernel has no route.
     */
    public int pathMtu(InetSocketAddress to) {
        InetAddress a = to.getAddress();
        if (a == null || closed) {
            return -1;
        }
        byte[] ip = a.getAddress();
        boolean six = ip.length == 16;
        int probe = LibC.socket(six ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (probe < 0) {
            return -1;
        }
        try {
            if (mark != 0) {
                option(probe, SOL_SOCKET, SO_MARK, mark);
            }
            Memory address = new Memory(28);
            address.clear();
            address.setShort(0, (short) (six ? AF_INET6 : AF_INET));
            address.setShort(2, Short.reverseBytes((short) to.getPort()));
            address.write(six ? 8 : 4, ip, 0, ip.length);
            if (LibC.connect(probe, address, six ? 28 : 16) != 0) {
                return -1;
            }
            Memory value = new Memory(4);
            Memory length = new Memory(4);
            length.setInt(0, 4);
            if (LibC.getsockopt(probe, six ? IPPROTO_IPV6 : IPPROTO_IP, six ? IPV6_MTU : IP_MTU, value, length) != 0) {
                return -1;
            }
            return value.getInt(0);
        } finally {
            LibC.close(probe);
        }
    }

    private static boolean option(int fd, int level, int name, int value) {
        Memory m = new Memory(4);
        m.setInt(0, value);
        return LibC.setsockopt(fd, level, name, m, 4) == 0;
    }

    private static String error(int errno) {
        return LibC.Setup.INSTANCE.strerror(errno);
    }

    /** The UDP port the socket is bound to, or 0 once it is closed. */
    public int localPort() {
        Memory address = new Memory(28);
        Memory length = new Memory(4);
        length.setInt(0, 28);
        if (closed || LibC.getsockname(fd, address, length) != 0) {
            return 0;
        }
        return Short.reverseBytes(address.getShort(2)) & 0xffff;
    }

    /** True while sends may carry several datagrams ({@link #sendSegments}); false after the kernel refused. */
    public boolean segmentationOffload() {
        return gso;
    }

    /** True if receives may return several datagrams at once. */
    public boolean receiveOffload() {
        return gro;
    }

    /** Sends the bytes between {@code datagram}'s position and limit as one datagram; advances the position. */
    public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        sendSegments(datagram, 0, to);
    }

    /**
     * Sends the bytes between {@code data}'s position and limit as datagrams of {@code segmentSize} bytes each,
     * the last possibly shorter (0: one datagram). At most {@value #MAX_SEGMENTS} datagrams and
     * {@value #MAX_GSO_BYTES} bytes. Where the kernel refuses GSO, it sends them one by one from then on.
     */
    public void sendSegments(ByteBuffer data, int segmentSize, InetSocketAddress to) throws IOException {
        sendmsg(data, segmentSize, to, 0);
    }

    /**
     * Sends one datagram whose packet may cross at most {@code hops} routers: the IP TTL (IPv6 hop limit) as a
     * control message of this send alone, so that no other thread's datagram leaves with it.
     */
    public void sendHopLimited(ByteBuffer datagram, InetSocketAddress to, int hops) throws IOException {
        if (hops < 1 || hops > 255) {
            throw new IllegalArgumentException("hop limit " + hops);
        }
        sendmsg(datagram, 0, to, hops);
    }

    private void sendmsg(ByteBuffer data, int segmentSize, InetSocketAddress to, int hops) throws IOException {
        if (closed) {
            throw new IOException("socket closed");
        }
        int len = data.remaining();
        if (segmentSize >= len) {
            segmentSize = 0;
        }
        if (segmentSize > 0 && !gso) {
            int end = data.limit();
            for (int at = data.position(); at < end; at += segmentSize) {
                data.limit(Math.min(end, at + segmentSize)).position(at);
                sendSegments(data, 0, to);
            }
            data.limit(end).position(end);
            return;
        }
        Call c = sendCalls.get();
        long address = c.address(data);
        c.destination(to, v6);
        ByteBuffer m = c.mem;
        m.putLong(IOV, address);
        m.putLong(IOV + 8, len);
        m.putLong(MSGHDR + 16, c.base + IOV);
        m.putLong(MSGHDR + 24, 1);
        if (segmentSize > 0) {
            m.putLong(CONTROL, 18); // CMSG_LEN(sizeof(uint16_t))
            m.putInt(CONTROL + 8, SOL_UDP);
            m.putInt(CONTROL + 12, UDP_SEGMENT);
            m.putShort(CONTROL + 16, (short) segmentSize);
            m.putLong(MSGHDR + 32, c.base + CONTROL);
            m.putLong(MSGHDR + 40, 24); // CMSG_SPACE(sizeof(uint16_t))
        } else if (hops > 0) {
            // To an IPv4 (or v4-mapped) address the IPv4 option applies, on either kind of socket.
            boolean six = to.getAddress().getAddress().length == 16;
            m.putLong(CONTROL, 20); // CMSG_LEN(sizeof(int))
            m.putInt(CONTROL + 8, six ? IPPROTO_IPV6 : IPPROTO_IP);
            m.putInt(CONTROL + 12, six ? IPV6_HOPLIMIT : IP_TTL);
            m.putInt(CONTROL + 16, hops);
            m.putLong(MSGHDR + 32, c.base + CONTROL);
            m.putLong(MSGHDR + 40, 24); // CMSG_SPACE(sizeof(int))
        } else {
            m.putLong(MSGHDR + 32, 0);
            m.putLong(MSGHDR + 40, 0);
        }
        m.putInt(MSGHDR + 48, 0);
        while (true) {
            if (LibC.sendmsg(fd, c.base, 0) >= 0) {
                data.position(data.limit());
                return;
            }
            int err = Native.getLastError();
            if (err == LibC.EINTR) {
                continue;
            }
            if (err == EMSGSIZE) {
                // Longer than the path's MTU (DF is always set, see open): the data plane fits its packets.
                throw new DatagramTooBig("datagram of " + (segmentSize > 0 ? segmentSize : len) + " bytes too big for "
                        + "the path to " + to + " (MTU " + pathMtu(to) + ")");
            }
            if (segmentSize > 0 && gso) {
                // EIO: the route's device cannot checksum for us; EINVAL/ENOPROTOOPT: no UDP GSO at all.
                gso = false;
                log.info("UDP segmentation offload refused ({}): sending datagrams one by one", error(err));
                sendSegments(data, segmentSize, to);
                return;
            }
            throw new IOException(error(err));
        }
    }

    /**
     * Receives into {@code buf} (direct) at its position and sets its limit after the data. Returns the number
     * of bytes, which may be several datagrams of {@link #segmentSize()} bytes each from {@link #source()};
     * 0 when nothing arrived within the poll interval; -1 once the socket is closed.
     */
    public int receive(ByteBuffer buf) throws IOException {
        Call c = receiveCall;
        ByteBuffer m = c.mem;
        int pos = buf.position();
        long address = c.address(buf);
        while (!closed) {
            m.putLong(IOV, address);
            m.putLong(IOV + 8, buf.capacity() - pos);
            m.putLong(MSGHDR, c.base + NAME);
            m.putInt(MSGHDR + 8, 28);
            m.putLong(MSGHDR + 16, c.base + IOV);
            m.putLong(MSGHDR + 24, 1);
            m.putLong(MSGHDR + 32, c.base + CONTROL);
            m.putLong(MSGHDR + 40, CONTROL_SIZE);
            m.putInt(MSGHDR + 48, 0);
            long n = LibC.recvmsg(fd, c.base, MSG_DONTWAIT);
            if (n >= 0) {
                buf.limit(pos + (int) n);
                segmentSize = (int) n;
                long controlLength = m.getLong(MSGHDR + 40);
                for (int at = CONTROL; at + 16 <= CONTROL + controlLength; ) {
                    long cmsgLength = m.getLong(at);
                    if (m.getInt(at + 8) == SOL_UDP && m.getInt(at + 12) == UDP_GRO && cmsgLength >= 20) {
                        segmentSize = m.getInt(at + 16);
                    }
                    if (cmsgLength < 16) {
                        break;
                    }
                    at += (int) ((cmsgLength + 7) & ~7L);
                }
                source = c.source(source);
                return (int) n;
            }
            int err = Native.getLastError();
            if (err == LibC.EAGAIN) {
                if (LibC.poll(pollfd, 1, POLL_MILLIS) <= 0) {
                    return 0;
                }
            } else if (err != LibC.EINTR) {
                if (closed) {
                    break;
                }
                throw new IOException(error(err));
            }
        }
        return -1;
    }

    /** The size of each datagram in the last {@link #receive} (the last one may be shorter). */
    public int segmentSize() {
        return segmentSize;
    }

    /** The sender of the last {@link #receive}. */
    public InetSocketAddress source() {
        return source;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.shutdown(fd, SHUT_RDWR);
            LibC.close(fd);
        }
    }

    /** One thread's native call memory, and the last buffer and address it used (both usually repeat). */
    private static final class Call {
        final ByteBuffer mem = ByteBuffer.allocateDirect(CALL_SIZE).order(ByteOrder.nativeOrder());
        final long base = Pointer.nativeValue(Native.getDirectBufferPointer(mem));
        private final DirectAddress data = new DirectAddress();
        private InetSocketAddress lastDestination;
        private int nameLength;
        private long sourceHead;
        private long sourceHigh;
        private long sourceLow;

        /** The native address of {@code b}'s position; a heap buffer is copied into a direct one first. */
        long address(ByteBuffer b) {
            return data.of(b, b.remaining());
        }

        /** Writes {@code to} as the message's name (unless it is the same object as last time). */
        void destination(InetSocketAddress to, boolean v6) throws IOException {
            if (to != lastDestination) {
                InetAddress a = to.getAddress();
                if (a == null) {
                    throw new IOException("unresolved address " + to);
                }
                byte[] ip = a.getAddress();
                for (int i = 0; i < 28; i += 4) {
                    mem.putInt(NAME + i, 0);
                }
                mem.putShort(NAME + 2, Short.reverseBytes((short) to.getPort()));
                if (v6) {
                    mem.putShort(NAME, (short) AF_INET6);
                    if (ip.length == 4) {
                        mem.putShort(NAME + 18, (short) 0xffff);
                        mem.put(NAME + 20, ip);
                    } else {
                        mem.put(NAME + 8, ip);
                        mem.putInt(NAME + 24, ((Inet6Address) a).getScopeId());
                    }
                    nameLength = 28;
                } else {
                    if (ip.length != 4) {
                        throw new IOException("no IPv6 on this host: cannot send to " + to);
                    }
                    mem.putShort(NAME, (short) AF_INET);
                    mem.put(NAME + 4, ip);
                    nameLength = 16;
                }
                lastDestination = to;
            }
            mem.putLong(MSGHDR, base + NAME);
            mem.putInt(MSGHDR + 8, nameLength);
        }

        /** The sender's address from the name recvmsg filled in: {@code last} again when unchanged. */
        InetSocketAddress source(InetSocketAddress last) {
            long head = mem.getLong(NAME); // family, port, then flow info (IPv6) or the address (IPv4)
            long high = mem.getLong(NAME + 8);
            long low = mem.getLong(NAME + 16);
            if (last != null && head == sourceHead && high == sourceHigh && low == sourceLow) {
                return last;
            }
            sourceHead = head;
            sourceHigh = high;
            sourceLow = low;
            int family = mem.getShort(NAME) & 0xffff;
            int port = Short.reverseBytes(mem.getShort(NAME + 2)) & 0xffff;
            byte[] ip = new byte[family == AF_INET6 ? 16 : 4];
            mem.get(family == AF_INET6 ? NAME + 8 : NAME + 4, ip);
            try {
                // An IPv4-mapped IPv6 address comes back as the Inet4Address it stands for.
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // only for a wrong length, which cannot happen
            }
        }
    }
}
