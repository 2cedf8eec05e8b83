package dev.skein.node.os;

import dev.skein.protocol.transport.TransportAead;
import java.lang.ref.Cleaner;

/**
 * ChaCha20-Poly1305 for transport data from OpenSSL's libcrypto (EVP, {@link LibCrypto}), on the data plane's
 * direct buffers: four short native calls a packet (re-key, cipher, finish, tag) on two cipher contexts kept for
 * the life of the instance, one sealing and one opening. Same nonce and construction as every other
 * {@link TransportAead} (WireGuard's: four zero bytes and the counter little-endian; no associated data);
 * {@code NativeAeadTest} checks it against the others byte for byte. Not thread-safe: one instance per thread.
 * Where libcrypto is missing, {@link #available()} says so.
 */
public final class OpenSslAead extends NativeAead {
    private static final Cleaner CONTEXTS = Cleaner.create();
    /** Where libcrypto writes the lengths it handled (in the scratch, after the key and nonce). */
    private static final int OUT_LENGTH = 48;
    private static final boolean AVAILABLE = LibCrypto.BINDING != null && probe();

    private final long sealing;
    private final long opening;
    /** The key each context holds now: a packet under the same key sets only the nonce (a re-key costs more). */
    private final byte[] sealingKey = new byte[32];
    private final byte[] openingKey = new byte[32];
    private boolean sealingKeyed;
    private boolean openingKeyed;

    /** True if libcrypto could be loaded and sets up ChaCha20-Poly1305. */
    public static boolean available() {
        return AVAILABLE;
    }

    private static boolean probe() {
        long ctx = LibCrypto.newContext(true);
        if (ctx == 0) {
            return false;
        }
        LibCrypto.freeContext(ctx);
        return true;
    }

    /** How libcrypto is called ("ffm" or "jna"), and which OpenSSL it is. */
    public static String binding() {
        return LibCrypto.BINDING + ", " + LibCrypto.VERSION;
    }

    public OpenSslAead() {
        if (!AVAILABLE) {
            throw new IllegalStateException("OpenSSL's libcrypto with ChaCha20-Poly1305 is not installed "
                    + "(Debian: apt-get install libssl3)");
        }
        sealing = LibCrypto.newContext(true);
        opening = LibCrypto.newContext(false);
        if (sealing == 0 || opening == 0) {
            LibCrypto.freeContext(sealing);
            LibCrypto.freeContext(opening);
            throw new IllegalStateException("libcrypto: no ChaCha20-Poly1305 context");
        }
        long s = sealing;
        long o = opening;
        CONTEXTS.register(this, () -> {
            LibCrypto.freeContext(s);
            LibCrypto.freeContext(o);
        });
    }

    @Override
    public String name() {
        return "openssl";
    }

    /**
     * The address of {@code key} for the context's next init, or 0 ("keep the key") when the context holds it
     * already ({@code held}, if {@code keyed}).
     */
    private long key(byte[] key, byte[] held, boolean keyed) {
        if (keyed && java.util.Arrays.equals(held, key)) {
            return 0;
        }
        System.arraycopy(key, 0, held, 0, 32);
        scratch.put(KEY, key);
        return scratchAddress + KEY;
    }

    @Override
    void seal(byte[] key, long in, int length, long out) {
        long outLength = scratchAddress + OUT_LENGTH;
        // A failed init leaves the context's key unknown: the next packet keys it again.
        sealingKeyed = LibCrypto.init(sealing, key(key, sealingKey, sealingKeyed), scratchAddress + NONCE) == 1;
        if (!sealingKeyed || LibCrypto.update(sealing, out, outLength, in, length) != 1
                || LibCrypto.finish(sealing, out + length, outLength) != 1
                || LibCrypto.ctrl(sealing, LibCrypto.GET_TAG, TAG_SIZE, out + length) != 1) {
            throw new IllegalStateException("libcrypto refused to seal " + length + " bytes");
        }
    }

    @Override
    boolean open(byte[] key, long in, int length, long out) {
        int plain = length - TAG_SIZE;
        long outLength = scratchAddress + OUT_LENGTH;
        openingKeyed = LibCrypto.init(opening, key(key, openingKey, openingKeyed), scratchAddress + NONCE) == 1;
        // The tag is checked at the finish; until then the plaintext written is unauthenticated, and on a
        // mismatch nothing is advanced, so no caller sees it.
        return openingKeyed && LibCrypto.ctrl(opening, LibCrypto.SET_TAG, TAG_SIZE, in + plain) == 1
                && LibCrypto.update(opening, out, outLength, in, plain) == 1
                && LibCrypto.finish(opening, out + plain, outLength) == 1;
    }
}
