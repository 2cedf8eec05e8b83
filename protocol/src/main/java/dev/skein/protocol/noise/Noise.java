package dev.skein.protocol.noise;

import dev.skein.protocol.crypto.Blake2s;
import java.nio.charset.StandardCharsets;

/** The strings and initial values of WireGuard's Noise_IKpsk2 instance (WireGuard paper §5.4). */
public final class Noise {
    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    public static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    public static final byte[] LABEL_MAC1 = ascii("mac1----");
    public static final byte[] LABEL_COOKIE = ascii("cookie--");

    /** C<sub>i</sub> := HASH(CONSTRUCTION). */
    static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(ascii(CONSTRUCTION));
    /** H<sub>i</sub> := HASH(C<sub>i</sub> || IDENTIFIER). */
    static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, ascii(IDENTIFIER));

    /** The pre-shared key Q when none is configured: 32 zero bytes. */
    public static final byte[] NO_PRESHARED_KEY = new byte[32];

    private Noise() {}

    public static byte[] initialChainKey() {
        return INITIAL_CHAIN_KEY.clone();
    }

    public static byte[] initialHash() {
        return INITIAL_HASH.clone();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
