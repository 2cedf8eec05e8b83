package dev.skein.protocol.wire;

/** Little-endian field access for the fixed layouts of WireGuard messages. */
public final class Bytes {
    private Bytes() {}

    public static int getIntLE(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static long getLongLE(byte[] b, int off) {
        return (getIntLE(b, off) & 0xffffffffL) | ((long) getIntLE(b, off + 4)) << 32;
    }

    public static void putLongLE(byte[] b, int off, long v) {
        putIntLE(b, off, (int) v);
        putIntLE(b, off + 4, (int) (v >>> 32));
    }

    /** Constant-time comparison of {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)}. */
    public static boolean constantTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int diff = 0;
        for (int i = 0; i < len; i++) {
            diff |= a[aOff + i] ^ b[bOff + i];
        }
        return diff == 0;
    }

    public static byte[] slice(byte[] b, int off, int len) {
        return java.util.Arrays.copyOfRange(b, off, off + len);
    }
}
