package dev.skein.node.os;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.lang.invoke.MethodHandle;

/**
 * libsodium's ChaCha20-Poly1305 (IETF variant) as two static calls on raw native addresses, for
 * {@link SodiumAead}. Bound in one of two ways:
 * <ul>
 *   <li>on a JDK with the Foreign Function API (22+), through a downcall handle: about 0.05 us a call;</li>
 *   <li>else through JNA direct mapping: about 0.35 us more a call, with nine arguments to convert; a profile of
 *       the data plane found JNA's dispatcher taking 9% of each data-plane thread.</li>
 * </ul>
 * The handles come from {@link Downcalls} and are static finals, so that the JIT treats them as constants.
 */
final class Sodium {
    /** "ffm", "jna", or null when libsodium is not installed. */
    static final String BINDING;
    private static final MethodHandle ENCRYPT;
    private static final MethodHandle DECRYPT;

    static {
        String binding = null;
        MethodHandle encrypt = null;
        MethodHandle decrypt = null;
        if (Jna.load()) {
            binding = "jna";
            if (!"jna".equals(System.getProperty("skein.sodium.binding"))) {
                try {
                    Downcalls sodium = new Downcalls(NativeLibrary.getInstance("sodium").getFile().getPath());
                    Class<?>[] nineLongs = new Class<?>[9];
                    java.util.Arrays.fill(nineLongs, long.class);
                    encrypt = sodium.handle("crypto_aead_chacha20poly1305_ietf_encrypt", int.class, nineLongs);
                    decrypt = sodium.handle("crypto_aead_chacha20poly1305_ietf_decrypt", int.class, nineLongs);
                    binding = "ffm";
                } catch (ReflectiveOperationException | RuntimeException e) {
                    encrypt = decrypt = null; // a JDK before 22, or native access denied: JNA it is
                }
            }
        }
        BINDING = binding;
        ENCRYPT = encrypt;
        DECRYPT = decrypt;
    }

    private Sodium() {}

    /** {@code crypto_aead_chacha20poly1305_ietf_encrypt(c, NULL, m, mlen, NULL, 0, NULL, npub, k)}: 0. */
    static int encrypt(long c, long m, long mlen, long npub, long k) {
        if (ENCRYPT != null) {
            try {
                return (int) ENCRYPT.invokeExact(c, 0L, m, mlen, 0L, 0L, 0L, npub, k);
            } catch (Throwable e) {
                throw new IllegalStateException("libsodium encrypt: " + e, e);
            }
        }
        return Jna.crypto_aead_chacha20poly1305_ietf_encrypt(c, 0, m, mlen, 0, 0, 0, npub, k);
    }

    /** {@code crypto_aead_chacha20poly1305_ietf_decrypt(m, NULL, NULL, c, clen, NULL, 0, npub, k)}: 0, or -1. */
    static int decrypt(long m, long c, long clen, long npub, long k) {
        if (DECRYPT != null) {
            try {
                return (int) DECRYPT.invokeExact(m, 0L, 0L, c, clen, 0L, 0L, npub, k);
            } catch (Throwable e) {
                throw new IllegalStateException("libsodium decrypt: " + e, e);
            }
        }
        return Jna.crypto_aead_chacha20poly1305_ietf_decrypt(m, 0, 0, c, clen, 0, 0, npub, k);
    }

    /** The JNA binding, by direct mapping; pointers are raw native addresses. */
    private static final class Jna {
        static boolean load() {
            try {
                Native.register(Jna.class, NativeLibrary.getInstance("sodium"));
                return sodium_init() >= 0;
            } catch (LinkageError e) {
                return false;
            }
        }

        static native int sodium_init();

        static native int crypto_aead_chacha20poly1305_ietf_encrypt(long c, long clenP, long m, long mlen, long ad,
                long adlen, long nsec, long npub, long k);

        static native int crypto_aead_chacha20poly1305_ietf_decrypt(long m, long mlenP, long nsec, long c, long clen,
                long ad, long adlen, long npub, long k);
    }
}
