package dev.skein.node.os;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.skein.protocol.transport.TransportAead;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ChaCha20-Poly1305 for transport data from libsodium ({@code crypto_aead_chacha20poly1305_ietf_*}, Debian's
 * {@code libsodium23}), called ({@link Sodium}) on the data plane's direct buffers: no copy into Java arrays,
 * and libsodium's vectorised ChaCha20 and Poly1305. Sealing a 1424-byte packet takes about 2.1 us here,
 * against 4.2 us for the JDK's ChaCha20 with Bouncy Castle's Poly1305 (the best pure-Java provider on CPUs
 * without AVX-512, where the JDK's own Poly1305 is generic big-number code); see docs/PERFORMANCE.md.
 *
 * <p>Same nonce and construction as every other {@link TransportAead} (WireGuard's: four zero bytes and the
 * counter little-endian; no associated data); {@code SodiumAeadTest} checks it against the pure-Java providers
 * byte for byte. Not thread-safe: one instance per thread. Where libsodium is missing, {@link #available()} says
 * so and the data plane uses the pure-Java providers.
 */
public final class SodiumAead implements TransportAead {
    private static final int KEY = 0;
    private static final int NONCE = 32;
    private static final boolean AVAILABLE = Sodium.BINDING != null;

    /** The key and nonce, where libsodium reads them. */
    private final ByteBuffer keyNonce = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
    private final long keyNonceAddress = Pointer.nativeValue(Native.getDirectBufferPointer(keyNonce));
    private final DirectAddress sources = new DirectAddress();
    private final DirectAddress destinations = new DirectAddress();
    private byte[] lastSealKey;
    private long lastSealCounter;

    /** True if libsodium could be loaded and initialised. */
    public static boolean available() {
        return AVAILABLE;
    }

    public SodiumAead() {
        if (!AVAILABLE) {
            throw new IllegalStateException("libsodium is not installed (Debian: apt-get install libsodium23)");
        }
    }

    @Override
    public String name() {
        return "sodium";
    }

    /** How libsodium is called: "ffm" (the Foreign Function API, JDK 22+) or "jna". */
    public static String binding() {
        return Sodium.BINDING;
    }

    /**
     * Puts the key and nonce where libsodium reads them. Sealing twice in a row under one key and counter is a
     * bug that would leak the key stream: refused, as the JDK's cipher refuses it.
     */
    private void key(byte[] key, long counter, boolean sealing) {
        if (sealing) {
            if (key == lastSealKey && counter == lastSealCounter) {
                throw new IllegalStateException("ChaCha20-Poly1305: key and nonce used twice for sealing");
            }
            lastSealKey = key;
            lastSealCounter = counter;
        }
        keyNonce.put(KEY, key);
        keyNonce.putInt(NONCE, 0);
        keyNonce.putLong(NONCE + 4, counter);
    }

    @Override
    public int seal(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
        int len = src.remaining();
        if (dst.remaining() < len + TAG_SIZE) {
            throw new IllegalArgumentException("destination too small for " + len + " bytes and a tag");
        }
        key(key, counter, true);
        long in = sources.of(src, len);
        long out = destinations.of(dst, len + TAG_SIZE);
        Sodium.encrypt(out, in, len, keyNonceAddress + NONCE, keyNonceAddress + KEY);
        destinations.copyBack(dst, len + TAG_SIZE);
        src.position(src.limit());
        dst.position(dst.position() + len + TAG_SIZE);
        return len + TAG_SIZE;
    }

    @Override
    public int open(byte[] key, long counter, ByteBuffer src, ByteBuffer dst) {
        int len = src.remaining();
        if (len < TAG_SIZE || dst.remaining() < len - TAG_SIZE) {
            return -1;
        }
        key(key, counter, false);
        long in = sources.of(src, len);
        long out = destinations.of(dst, len - TAG_SIZE);
        if (Sodium.decrypt(out, in, len, keyNonceAddress + NONCE, keyNonceAddress + KEY) != 0) {
            return -1;
        }
        destinations.copyBack(dst, len - TAG_SIZE);
        src.position(src.limit());
        dst.position(dst.position() + len - TAG_SIZE);
        return len - TAG_SIZE;
    }
}
