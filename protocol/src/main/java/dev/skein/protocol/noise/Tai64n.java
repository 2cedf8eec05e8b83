package dev.skein.protocol.noise;

import java.time.Instant;
import java.util.Arrays;

/**
 * TAI64N timestamps, the initiation's replay protection: 8 bytes big-endian seconds (TAI64 label, 2^62 + 10 +
 * Unix seconds), then 4 bytes big-endian nanoseconds. Like wireguard-go, the nanoseconds are rounded down to
 * 2^24 ns (~16 ms) so that a timestamp does not leak a fine-grained clock. A responder accepts an initiation
 * only when its timestamp is strictly greater than the last one accepted from the same peer.
 */
public final class Tai64n {
    public static final int SIZE = 12;
    private static final long BASE = 0x400000000000000aL;
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {}

    public static byte[] of(Instant t) {
        byte[] out = new byte[SIZE];
        long secs = BASE + t.getEpochSecond();
        int nanos = t.getNano() & ~WHITENER_MASK;
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (secs >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
        return out;
    }

    /** True when {@code a} is strictly later than {@code b} (null counts as earlier than everything). */
    public static boolean isAfter(byte[] a, byte[] b) {
        return b == null || Arrays.compareUnsigned(a, b) > 0;
    }
}
