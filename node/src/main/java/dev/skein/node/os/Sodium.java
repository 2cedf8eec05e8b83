package dev.skein.node.os;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;

/**
 * libsodium's ChaCha20-Poly1305 (IETF variant) as two static calls on raw native addresses, for
 * {@link SodiumAead}. Bound in one of two ways:
 * <ul>
 *   <li>on a JDK with the Foreign Function API (22+), through a downcall handle: about 0.05 us a call;</li>
 *   <li>else through JNA direct mapping: about 0.35 us more a call, with nine arguments to convert; a profile of
 *       the data plane found JNA's dispatcher taking 9% of each data-plane thread.</li>
 * </ul>
 * Skein is compiled for Java 17, which has no {@code java.lang.foreign}: the handles are built by reflection,
 * once, and called with {@code invokeExact}, which compiles to a plain call with any JDK's bytecode. They are
 * static finals so that the JIT treats them as constants.
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
                    encrypt = downcall("crypto_aead_chacha20poly1305_ietf_encrypt");
                    decrypt = downcall("crypto_aead_chacha20poly1305_ietf_decrypt");
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

    /**
     * {@code Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, JAVA_LONG x 9))}, by
     * reflection. Pointers travel as longs: the C calling convention passes both alike.
     */
    private static MethodHandle downcall(String name) throws ReflectiveOperationException {
        Class<?> linker = Class.forName("java.lang.foreign.Linker");
        Class<?> lookup = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> arena = Class.forName("java.lang.foreign.Arena");
        Class<?> layout = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> descriptor = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> option = Class.forName("java.lang.foreign.Linker$Option");
        Object nativeLinker = linker.getMethod("nativeLinker").invoke(null);
        // The library JNA found, by its path, so that both bindings call the same code.
        String path = NativeLibrary.getInstance("sodium").getFile().getPath();
        Object library = lookup.getMethod("libraryLookup", java.nio.file.Path.class, arena)
                .invoke(null, java.nio.file.Path.of(path), arena.getMethod("global").invoke(null));
        Object symbol = ((Optional<?>) lookup.getMethod("find", String.class).invoke(library, name)).orElseThrow();
        Object args = Array.newInstance(layout, 9);
        for (int i = 0; i < 9; i++) {
            Array.set(args, i, valueLayout.getField("JAVA_LONG").get(null));
        }
        Object function = descriptor.getMethod("of", layout, args.getClass())
                .invoke(null, valueLayout.getField("JAVA_INT").get(null), args);
        // critical: a short call that never blocks nor calls back, so no thread-state transition is needed.
        Object options = Array.newInstance(option, 1);
        Array.set(options, 0, option.getMethod("critical", boolean.class).invoke(null, false));
        return (MethodHandle) linker.getMethod("downcallHandle", segment, descriptor, options.getClass())
                .invoke(nativeLinker, symbol, function, options);
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
