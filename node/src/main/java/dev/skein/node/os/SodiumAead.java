package dev.skein.node.os;

import dev.skein.protocol.transport.TransportAead;

/**
 * ChaCha20-Poly1305 for transport data from libsodium ({@code crypto_aead_chacha20poly1305_ietf_*}, Debian's
 * {@code libsodium23}), called ({@link Sodium}) on the data plane's direct buffers: no copy into Java arrays,
 * and libsodium's vectorised ChaCha20 and Poly1305. Sealing a 1424-byte packet takes about 2.1 us here,
 * against 4.2 us for the JDK's ChaCha20 with Bouncy Castle's Poly1305 (the best pure-Java provider on CPUs
 * without AVX-512, where the JDK's own Poly1305 is generic big-number code); see docs/PERFORMANCE.md.
 *
 * <p>Same nonce and construction as every other {@link TransportAead} (WireGuard's: four zero bytes and the
 * counter little-endian; no associated data); {@code NativeAeadTest} checks it against the pure-Java providers
 * byte for byte. Not thread-safe: one instance per thread. Where libsodium is missing, {@link #available()} says
 * so and the data plane uses the pure-Java providers.
 */
public final class SodiumAead extends NativeAead {
    private static final boolean AVAILABLE = Sodium.BINDING != null;

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

    @Override
    void seal(byte[] key, long in, int length, long out) {
        scratch.put(KEY, key);
        Sodium.encrypt(out, in, length, scratchAddress + NONCE, scratchAddress + KEY);
    }

    @Override
    boolean open(byte[] key, long in, int length, long out) {
        scratch.put(KEY, key);
        return Sodium.decrypt(out, in, length, scratchAddress + NONCE, scratchAddress + KEY) == 0;
    }
}
