package dev.skein.node.os;

import dev.skein.node.io.TunDevice;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.skein.node.offload.VirtioNetHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN device ({@code /dev/net/tun}, {@code IFF_TUN | IFF_NO_PI}): every read returns one IP packet the
 * kernel routed into the device, every write hands one to the kernel. The device disappears, with its
 * addresses and routes, when it is closed.
 *
 * <p>With offloads ({@code IFF_VNET_HDR}, then {@code TUNSETOFFLOAD} with checksum and TCP segmentation
 * offload), every packet both ways is preceded by a {@link VirtioNetHeader}: a read may return a TCP
 * super-packet of up to 64 KB to be cut into segments by us, or a packet whose checksum we must finish; a write
 * may hand the kernel a super-packet merged from segments. That turns some 45 reads or writes into one.
 *
 * <p>The descriptor is non-blocking: a read with nothing to read waits in poll() for at most a quarter second,
 * so a reader thread notices {@link #close()} promptly (a blocked read() on a TUN descriptor would hold the
 * device open forever). One reader thread and any number of writer threads may use a device at the same time.
 */
public final class Tun implements TunDevice {
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final int TUN_F_CSUM = 0x01;
    private static final int TUN_F_TSO4 = 0x02;
    private static final int TUN_F_TSO6 = 0x04;
    private static final int IFNAMSIZ = 16;
    private static final int POLL_MILLIS = 250;

    private final int fd;
    private final String name;
    private final boolean vnetHeader;
    private final boolean segmentation;
    private final ByteBuffer copy = ByteBuffer.allocateDirect(VirtioNetHeader.SIZE + 2048);
    private final Memory pollfd;
    private volatile boolean closed;
    // Callers reuse their buffers: their native addresses are remembered, per thread, since the receive thread
    // writes packets while the send thread may write an ICMP error.
    private final DirectAddress reads = new DirectAddress();
    private final ThreadLocal<DirectAddress> writes = ThreadLocal.withInitial(DirectAddress::new);

    private Tun(int fd, String name, boolean vnetHeader, boolean segmentation) {
        this.fd = fd;
        this.name = name;
        this.vnetHeader = vnetHeader;
        this.segmentation = segmentation;
        this.pollfd = LibC.pollIn(fd);
    }

    /**
     * Creates the TUN device {@code name} (at most 15 bytes); with {@code offload}, with virtio headers and,
     * where the kernel accepts them, checksum and TCP segmentation offloads. Needs CAP_NET_ADMIN.
     */
    public static Tun open(String name, boolean offload) throws IOException {
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
        ifreq.setShort(IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0)));
        try {
            LibC.Setup.INSTANCE.ioctl(fd, TUNSETIFF, ifreq);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw new IOException("cannot create TUN device " + name + ": " + LibC.Setup.INSTANCE.strerror(e.getErrorCode())
                    + (e.getErrorCode() == 1 ? " (needs root or CAP_NET_ADMIN)" : ""));
        }
        boolean segmentation = false;
        if (offload) {
            try {
                LibC.Setup.INSTANCE.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
                segmentation = true;
            } catch (LastErrorException e) {
                // An old kernel: the headers stay (always plain), packets come one by one.
            }
        }
        return new Tun(fd, name, offload, segmentation);
    }

    /** True if every packet is preceded by a {@link VirtioNetHeader}. */
    public boolean vnetHeader() {
        return vnetHeader;
    }

    /** True if reads may return TCP super-packets and partial checksums. */
    public boolean segmentationOffload() {
        return segmentation;
    }

    public String name() {
        return name;
    }

    /**
     * Reads one packet into {@code buf} (a direct buffer) at its position; with virtio headers, reads the header
     * into {@code header} and leaves the position after it. Sets the limit after the packet. Returns the packet
     * length; 0 when nothing arrived within the poll interval, or at once with {@code wait} false (a sender
     * that holds packets for one batched send reads on until the device is empty, then sends); -1 once the
     * device is closed. One thread reads.
     *
     * @throws IOException the device is gone or broken (deleted under us: {@code ip link del}); it will not
     *                     come back, so the caller stops instead of retrying
     */
    public int read(ByteBuffer buf, VirtioNetHeader header, boolean wait) throws IOException {
        int pos = buf.position();
        int n = read(buf, wait);
        if (!vnetHeader || n <= 0) {
            header.clear();
            return n;
        }
        if (n < VirtioNetHeader.SIZE) {
            return 0;
        }
        header.read(buf, pos);
        buf.position(pos + VirtioNetHeader.SIZE);
        return n - VirtioNetHeader.SIZE;
    }

    private int read(ByteBuffer buf, boolean wait) throws IOException {
        int pos = buf.position();
        long address = reads.of(buf, buf.capacity() - pos);
        while (!closed) {
            long n = LibC.read(fd, address, buf.capacity() - pos);
            if (n > 0) {
                reads.copyBack(buf, (int) n);
                buf.limit(pos + (int) n);
                return (int) n;
            }
            int err = n < 0 ? Native.getLastError() : 0;
            if (n == 0 || err != LibC.EAGAIN && err != LibC.EINTR) {
                if (closed) {
                    break;
                }
                // EBADFD once the interface was deleted: every further read fails at once, so this is the end.
                throw new IOException("TUN device " + name + " is gone: read failed: "
                        + (n == 0 ? "end of file" : LibC.Setup.INSTANCE.strerror(err)));
            }
            // Nothing to read (EAGAIN): wait for the descriptor, then give the caller a chance to look around.
            if (!wait) {
                return 0;
            }
            int ready = LibC.poll(pollfd, 1, POLL_MILLIS);
            short revents = pollfd.getShort(6);
            if (ready > 0 && (revents & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0 && !closed) {
                throw new IOException("TUN device " + name + " is gone (poll: "
                        + ((revents & LibC.POLLNVAL) != 0 ? "invalid descriptor" : "error or hang-up") + ")");
            }
            if (ready <= 0) {
                return 0;
            }
        }
        return -1;
    }

    /**
     * Writes the plain packet between {@code buf}'s position and limit (a direct buffer). With virtio headers,
     * the header goes into the {@link VirtioNetHeader#SIZE} bytes before the position when there are that many
     * (else the packet is copied). False if the kernel refused it.
     */
    public boolean write(ByteBuffer buf) {
        if (!vnetHeader) {
            return writeFramed(buf);
        }
        int pos = buf.position();
        if (pos >= VirtioNetHeader.SIZE) {
            VirtioNetHeader.writePlain(buf, pos - VirtioNetHeader.SIZE);
            buf.position(pos - VirtioNetHeader.SIZE);
            boolean ok = writeFramed(buf);
            buf.position(pos);
            return ok;
        }
        synchronized (copy) {
            if (buf.remaining() > copy.capacity() - VirtioNetHeader.SIZE) {
                return false;
            }
            copy.clear();
            VirtioNetHeader.writePlain(copy, 0);
            copy.put(VirtioNetHeader.SIZE, buf, pos, buf.remaining());
            copy.limit(VirtioNetHeader.SIZE + buf.remaining());
            return writeFramed(copy);
        }
    }

    /**
     * Writes {@code buf} between position and limit as it is: with virtio headers, a header followed by the
     * packet. False if the kernel refused it.
     */
    public boolean writeFramed(ByteBuffer buf) {
        if (closed) {
            return false;
        }
        int n = buf.remaining();
        return LibC.write(fd, writes.get().of(buf, n), n) == n;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }
}
