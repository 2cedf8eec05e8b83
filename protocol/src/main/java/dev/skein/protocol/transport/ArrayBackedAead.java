package dev.skein.protocol.transport;

import java.nio.ByteBuffer;

/**
 * Maps the buffer API of {@link TransportAead} onto array-based ciphers. Heap buffers are used in place; direct
 * buffers are copied through scratch arrays owned by this instance (one copy each way, no allocation), since
 * both providers are fastest on arrays.
 */
abstract class ArrayBackedAead implements TransportAead {
    /** Largest datagram payload: a 64 KiB packet plus the tag. */
    static final int MAX_MESSAGE = 65536 + TAG_SIZE;

    private byte[] scratchIn;
    private byte[] scratchOut;

    /** Seals {@code in[inOff, inOff+len)} to {@code out[outOff..]}; returns bytes written (len + 16). */
    abstract int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff);

    /** Opens {@code in[inOff, inOff+len)} to {@code out[outOff..]}; returns plaintext length or -1. */
    abstract int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff);

    @Override
    public final int seal(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
        int len = src.remaining();
        if (dst.remaining() < len + TAG_SIZE) {
            throw new IllegalArgumentException("destination too small for " + len + " bytes and a tag");
        }
        int written = crypt(true, key, counter, src, len, dst);
        src.position(src.limit());
        dst.position(dst.position() + written);
        return written;
    }

    @Override
    public final int open(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
        int len = src.remaining();
        if (len < TAG_SIZE || dst.remaining() < len - TAG_SIZE) {
            return -1;
        }
        int written = crypt(false, key, counter, src, len, dst);
        if (written >= 0) {
            src.position(src.limit());
            dst.position(dst.position() + written);
        }
        return written;
    }

    private int crypt(boolean seal, byte[] key, long counter, ByteBuffer src, int len, ByteBuffer dst) {
        byte[] in;
        int inOff;
        if (src.hasArray()) {
            in = src.array();
            inOff = src.arrayOffset() + src.position();
        } else {
            in = scratchIn();
            src.get(src.position(), in, 0, len);
            inOff = 0;
        }
        boolean dstHeap = dst.hasArray();
        byte[] out = dstHeap ? dst.array() : scratchOut();
        int outOff = dstHeap ? dst.arrayOffset() + dst.position() : 0;
        int written = seal ? seal(key, counter, in, inOff, len, out, outOff)
                           : open(key, counter, in, inOff, len, out, outOff);
        if (written > 0 && !dstHeap) {
            dst.put(dst.position(), out, 0, written);
        }
        return written;
    }

    private byte[] scratchIn() {
        if (scratchIn == null) {
            scratchIn = new byte[MAX_MESSAGE];
        }
        return scratchIn;
    }

    private byte[] scratchOut() {
        if (scratchOut == null) {
            scratchOut = new byte[MAX_MESSAGE];
        }
        return scratchOut;
    }
}
