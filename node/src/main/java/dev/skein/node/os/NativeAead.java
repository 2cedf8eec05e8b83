package dev.skein.node.os;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.skein.protocol.transport.TransportAead;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the native ciphers ({@link SodiumAead}, {@link OpenSslAead}) share: the native addresses of the buffers'
 * positions (a heap buffer goes through a direct copy), the nonce where the library reads it (WireGuard's: four
 * zero bytes and the counter little-endian), the buffers advanced only on success, and the refusal to seal twice
 * in a row under one key and counter, a bug that would leak the key stream (the JDK's cipher refuses it too).
 * Not thread-safe: one instance per thread.
 */
abstract class NativeAead implements TransportAead {
    /** The key at 0 and the nonce at 32, where the library reads them; 48 onwards is the subclass's. */
    final ByteBuffer scratch = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
    final long scratchAddress = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));
    static final int KEY = 0;
    static final int NONCE = 32;
    private final DirectAddress sources = new DirectAddress();
    private final DirectAddress destinations = new DirectAddress();
    private byte[] lastSealKey;
    private long lastSealCounter;

    /** Seals {@code length} bytes at {@code in} to {@code length + 16} at {@code out}; the nonce is in place. */
    abstract void seal(byte[] key, long in, int length, long out);

    /** Opens {@code length} bytes (the tag included) at {@code in} to {@code out}; false if the tag is wrong. */
    abstract boolean open(byte[] key, long in, int length, long out);

    private void nonce(long counter) {
        scratch.putInt(NONCE, 0);
        scratch.putLong(NONCE + 4, counter);
    }

    @Override
    public final int seal(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
        int len = src.remaining();
        if (dst.remaining() < len + TAG_SIZE) {
            throw new IllegalArgumentException("destination too small for " + len + " bytes and a tag");
        }
        if (key == lastSealKey && counter == lastSealCounter) {
            throw new IllegalStateException("ChaCha20-Poly1305: key and nonce used twice for sealing");
        }
        lastSealKey = key;
        lastSealCounter = counter;
        nonce(counter);
        long in = sources.of(src, len);
        long out = destinations.of(dst, len + TAG_SIZE);
        seal(key, in, len, out);
        destinations.copyBack(dst, len + TAG_SIZE);
        src.position(src.limit());
        dst.position(dst.position() + len + TAG_SIZE);
        return len + TAG_SIZE;
    }

    @Override
    public final int open(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
        int len = src.remaining();
        if (len < TAG_SIZE || dst.remaining() < len - TAG_SIZE) {
            return -1;
        }
        nonce(counter);
        long in = sources.of(src, len);
        long out = destinations.of(dst, len - TAG_SIZE);
        if (!open(key, in, len, out)) {
            return -1;
        }
        destinations.copyBack(dst, len - TAG_SIZE);
        src.position(src.limit());
        dst.position(dst.position() + len - TAG_SIZE);
        return len - TAG_SIZE;
    }
}
