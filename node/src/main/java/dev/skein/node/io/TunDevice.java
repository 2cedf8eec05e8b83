package dev.skein.node.io;

import dev.skein.node.offload.VirtioNetHeader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The overlay side of the data plane: IP packets to and from the machine's network stack. The real one is the
 * kernel's TUN device ({@code os.Tun}); tests use one in memory. With virtio headers (offloads), a read may be
 * a TCP super-packet described by its header, and writes may be super-packets the device cuts.
 */
public interface TunDevice extends AutoCloseable {
    /** True when packets carry a {@link VirtioNetHeader} (checksum offload at least). */
    boolean vnetHeader();

    /** True when reads may be TCP super-packets and writes may merge segments (TSO/GRO). */
    boolean segmentationOffload();

    /**
     * Reads one packet into {@code buf} at its position; with virtio headers, reads the header into
     * {@code header} and leaves the position after it. Sets the limit after the packet. Returns its length; 0
     * when nothing arrived within a short poll interval, or at once with {@code wait} false; -1 once closed.
     * One thread reads.
     *
     * @throws IOException the device is gone; it will not come back
     */
    int read(ByteBuffer buf, VirtioNetHeader header, boolean wait) throws IOException;

    /**
     * Writes the plain packet between position and limit (a direct buffer, with {@link VirtioNetHeader#SIZE}
     * bytes free before the position when it can). False if the device refused it.
     */
    boolean write(ByteBuffer buf);

    /** Writes {@code buf} as it is: with virtio headers, a header then the packet. False if refused. */
    boolean writeFramed(ByteBuffer buf);

    @Override
    void close();
}
