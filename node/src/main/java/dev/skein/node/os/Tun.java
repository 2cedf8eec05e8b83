package dev.skein.node.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN device ({@code /dev/net/tun}, {@code IFF_TUN | IFF_NO_PI}): every read returns one IP packet the
 * kernel routed into the device, every write hands one to the kernel. The device disappears, with its
 * addresses and routes, when it is closed.
 *
 * <p>The descriptor is non-blocking: a read with nothing to read waits in poll() for at most a quarter second,
 * so a reader thread notices {@link #close()} promptly (a blocked read() on a TUN descriptor would hold the
 * device open forever). One reader thread and one writer thread may use a device at the same time.
 */
public final class Tun implements AutoCloseable {
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final int IFNAMSIZ = 16;
    private static final int POLL_MILLIS = 250;

    private final int fd;
    private final String name;
    private final Memory pollfd = new Memory(8);
    private volatile boolean closed;
    // The caller reuses its buffers: remember their native addresses instead of wrapping them per packet.
    private ByteBuffer readBuffer;
    private Pointer readPointer;
    private ByteBuffer writeBuffer;
    private Pointer writePointer;

    private Tun(int fd, String name) {
        this.fd = fd;
        this.name = name;
        pollfd.setInt(0, fd);
        pollfd.setShort(4, LibC.POLLIN);
    }

    /** Creates the TUN device {@code name} (at most 15 bytes). Needs CAP_NET_ADMIN. */
    public static Tun open(String name) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ) {
            throw new IOException("interface name '" + name + "' must be 1-15 characters");
        }
        int fd;
        try {
            fd = LibC.Setup.INSTANCE.open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("cannot open /dev/net/tun: " + LibC.Setup.INSTANCE.strerror(e.getErrorCode()));
        }
        Memory ifreq = new Memory(40);
        ifreq.clear();
        ifreq.write(0, nameBytes, 0, nameBytes.length);
        ifreq.setShort(IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI));
        try {
            LibC.Setup.INSTANCE.ioctl(fd, TUNSETIFF, ifreq);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw new IOException("cannot create TUN device " + name + ": " + LibC.Setup.INSTANCE.strerror(e.getErrorCode())
                    + (e.getErrorCode() == 1 ? " (needs root or CAP_NET_ADMIN)" : ""));
        }
        return new Tun(fd, name);
    }

    public String name() {
        return name;
    }

    /**
     * Reads one packet into {@code buf} (a direct buffer) at its position; sets the limit after it. Returns
     * the packet length, or 0 when nothing arrived within the poll interval, or -1 once the device is closed.
     */
    public int read(ByteBuffer buf) {
        if (buf != readBuffer) {
            readBuffer = buf;
            readPointer = Native.getDirectBufferPointer(buf);
        }
        int pos = buf.position();
        Pointer p = pos == 0 ? readPointer : readPointer.share(pos);
        while (!closed) {
            long n = LibC.read(fd, p, buf.capacity() - pos);
            if (n > 0) {
                buf.limit(pos + (int) n);
                return (int) n;
            }
            // Nothing to read (EAGAIN): wait for the descriptor, then give the caller a chance to look around.
            int ready = LibC.poll(pollfd, 1, POLL_MILLIS);
            if (ready <= 0) {
                return 0;
            }
        }
        return -1;
    }

    /** Writes the packet between {@code buf}'s position and limit (a direct buffer). False if the kernel refused it. */
    public boolean write(ByteBuffer buf) {
        if (closed) {
            return false;
        }
        if (buf != writeBuffer) {
            writeBuffer = buf;
            writePointer = Native.getDirectBufferPointer(buf);
        }
        Pointer p = buf.position() == 0 ? writePointer : writePointer.share(buf.position());
        return LibC.write(fd, p, buf.remaining()) == buf.remaining();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }
}
