package dev.skein.node.os;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.lang.invoke.MethodHandle;

/**
 * The few calls of OpenSSL's libcrypto (EVP, 1.1 or 3.x: Debian's {@code libssl3}) that seal and open with
 * ChaCha20-Poly1305, for {@link OpenSslAead}: one cipher context per direction, re-keyed per packet (a
 * ChaCha20 key is no schedule, only 32 bytes to copy). OpenSSL's ChaCha20 and Poly1305 are hand-written
 * assembly for each x86 generation (AVX-512 where the CPU has it), chosen by OpenSSL at run time.
 * Bound as {@link Sodium} is: through the Foreign Function API on JDK 22+ ({@link Downcalls}), else JNA
 * direct mapping; pointers are raw native addresses.
 */
final class LibCrypto {
    /** {@code EVP_CTRL_AEAD_GET_TAG} and {@code _SET_TAG}: the tag after sealing, the tag to check when opening. */
    static final int GET_TAG = 0x10;
    static final int SET_TAG = 0x11;

    /** "ffm", "jna", or null when libcrypto is not installed. */
    static final String BINDING;
    /** OpenSSL's version text, e.g. "OpenSSL 3.0.19 27 Jan 2026", or null. */
    static final String VERSION;
    private static final MethodHandle INIT;
    private static final MethodHandle UPDATE;
    private static final MethodHandle FINAL;
    private static final MethodHandle CTRL;

    static {
        String binding = null;
        String version = null;
        MethodHandle init = null;
        MethodHandle update = null;
        MethodHandle fin = null;
        MethodHandle ctrl = null;
        NativeLibrary library = Jna.load();
        if (library != null) {
            binding = "jna";
            version = library.getFunction("OpenSSL_version").invokeString(new Object[] {0}, false);
            if (!"jna".equals(System.getProperty("skein.openssl.binding"))) {
                try {
                    Downcalls crypto = new Downcalls(library.getFile().getPath());
                    init = crypto.handle("EVP_CipherInit_ex", int.class,
                            long.class, long.class, long.class, long.class, long.class, int.class);
                    update = crypto.handle("EVP_CipherUpdate", int.class,
                            long.class, long.class, long.class, long.class, int.class);
                    fin = crypto.handle("EVP_CipherFinal_ex", int.class, long.class, long.class, long.class);
                    ctrl = crypto.handle("EVP_CIPHER_CTX_ctrl", int.class, long.class, int.class, int.class, long.class);
                    binding = "ffm";
                } catch (ReflectiveOperationException | RuntimeException e) {
                    init = update = fin = ctrl = null; // a JDK before 22, or native access denied: JNA it is
                }
            }
        }
        BINDING = binding;
        VERSION = version;
        INIT = init;
        UPDATE = update;
        FINAL = fin;
        CTRL = ctrl;
    }

    private LibCrypto() {}

    /** A new cipher context set up for ChaCha20-Poly1305, sealing ({@code encrypt}) or opening; 0 on failure. */
    static long newContext(boolean encrypt) {
        long ctx = Jna.EVP_CIPHER_CTX_new();
        if (ctx != 0 && Jna.EVP_CipherInit_ex(ctx, Jna.EVP_chacha20_poly1305(), 0, 0, 0, encrypt ? 1 : 0) != 1) {
            Jna.EVP_CIPHER_CTX_free(ctx);
            return 0;
        }
        return ctx;
    }

    static void freeContext(long ctx) {
        Jna.EVP_CIPHER_CTX_free(ctx);
    }

    /** {@code EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, -1)}: the same cipher and direction, a new key and nonce. */
    static int init(long ctx, long key, long iv) {
        if (INIT != null) {
            try {
                return (int) INIT.invokeExact(ctx, 0L, 0L, key, iv, -1);
            } catch (Throwable e) {
                throw new IllegalStateException("libcrypto EVP_CipherInit_ex: " + e, e);
            }
        }
        return Jna.EVP_CipherInit_ex(ctx, 0, 0, key, iv, -1);
    }

    /** {@code EVP_CipherUpdate(ctx, out, outl, in, inl)}: 1. */
    static int update(long ctx, long out, long outl, long in, int inl) {
        if (UPDATE != null) {
            try {
                return (int) UPDATE.invokeExact(ctx, out, outl, in, inl);
            } catch (Throwable e) {
                throw new IllegalStateException("libcrypto EVP_CipherUpdate: " + e, e);
            }
        }
        return Jna.EVP_CipherUpdate(ctx, out, outl, in, inl);
    }

    /** {@code EVP_CipherFinal_ex(ctx, out, outl)}: 1; when opening, anything else means the tag did not match. */
    static int finish(long ctx, long out, long outl) {
        if (FINAL != null) {
            try {
                return (int) FINAL.invokeExact(ctx, out, outl);
            } catch (Throwable e) {
                throw new IllegalStateException("libcrypto EVP_CipherFinal_ex: " + e, e);
            }
        }
        return Jna.EVP_CipherFinal_ex(ctx, out, outl);
    }

    /** {@code EVP_CIPHER_CTX_ctrl(ctx, type, arg, ptr)}: 1. */
    static int ctrl(long ctx, int type, int arg, long ptr) {
        if (CTRL != null) {
            try {
                return (int) CTRL.invokeExact(ctx, type, arg, ptr);
            } catch (Throwable e) {
                throw new IllegalStateException("libcrypto EVP_CIPHER_CTX_ctrl: " + e, e);
            }
        }
        return Jna.EVP_CIPHER_CTX_ctrl(ctx, type, arg, ptr);
    }

    /** The JNA binding, by direct mapping; also what sets up and frees contexts, which is not per packet. */
    private static final class Jna {
        /** libcrypto, registered for the natives below; null when it is not installed. */
        static NativeLibrary load() {
            // The unversioned name exists only with the -dev package; the runtime package has the .so.3 (or .1.1).
            for (String name : new String[] {"crypto", "libcrypto.so.3", "libcrypto.so.1.1"}) {
                try {
                    NativeLibrary library = NativeLibrary.getInstance(name);
                    Native.register(Jna.class, library);
                    return library;
                } catch (LinkageError e) {
                    // try the next name
                }
            }
            return null;
        }

        static native long EVP_CIPHER_CTX_new();

        static native void EVP_CIPHER_CTX_free(long ctx);

        static native long EVP_chacha20_poly1305();

        static native int EVP_CipherInit_ex(long ctx, long cipher, long engine, long key, long iv, int enc);

        static native int EVP_CipherUpdate(long ctx, long out, long outl, long in, int inl);

        static native int EVP_CipherFinal_ex(long ctx, long out, long outl);

        static native int EVP_CIPHER_CTX_ctrl(long ctx, int type, int arg, long ptr);
    }
}
