package dev.skein.node.offload;

import java.nio.ByteBuffer;

/**
 * The 10-byte {@code struct virtio_net_hdr} that precedes every packet on a TUN device opened with
 * {@code IFF_VNET_HDR} (little-endian). It is how the kernel hands over a TCP "super-packet" of up to 64 KB to be
 * cut into segments ({@link #gsoType} not {@link #GSO_NONE}), and how a packet whose checksum is still to be
 * finished is marked ({@link #NEEDS_CSUM}); on write it tells the kernel the same about what we hand in.
 */
public final class VirtioNetHeader {
    public static final int SIZE = 10;
    /** flags: the checksum from {@link #csumStart} to the end is still to be computed and stored. */
    public static final int NEEDS_CSUM = 1;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_TCPV6 = 4;
    /** Or-ed into gso_type: the sender uses ECN, so CWR is only for the first segment. */
    public static final int GSO_ECN = 0x80;

    public int flags;
    public int gsoType;
    public int headerLength;
    public int gsoSize;
    public int csumStart;
    public int csumOffset;

    /** Reads the header at {@code at}. */
    public void read(ByteBuffer b, int at) {
        flags = b.get(at) & 0xff;
        gsoType = b.get(at + 1) & 0xff;
        headerLength = le16(b, at + 2);
        gsoSize = le16(b, at + 4);
        csumStart = le16(b, at + 6);
        csumOffset = le16(b, at + 8);
    }

    /** Writes the header at {@code at}. */
    public void write(ByteBuffer b, int at) {
        b.put(at, (byte) flags);
        b.put(at + 1, (byte) gsoType);
        b.putShort(at + 2, Short.reverseBytes((short) headerLength));
        b.putShort(at + 4, Short.reverseBytes((short) gsoSize));
        b.putShort(at + 6, Short.reverseBytes((short) csumStart));
        b.putShort(at + 8, Short.reverseBytes((short) csumOffset));
    }

    /** A plain packet: no segmentation, checksums complete. */
    public VirtioNetHeader clear() {
        flags = gsoType = headerLength = gsoSize = csumStart = csumOffset = 0;
        return this;
    }

    /** Writes a plain header (all zero) at {@code at}. */
    public static void writePlain(ByteBuffer b, int at) {
        b.putLong(at, 0);
        b.putShort(at + 8, (short) 0);
    }

    public boolean segmented() {
        return (gsoType & ~GSO_ECN) != GSO_NONE;
    }

    private static int le16(ByteBuffer b, int at) {
        return Short.reverseBytes(b.getShort(at)) & 0xffff;
    }
}
