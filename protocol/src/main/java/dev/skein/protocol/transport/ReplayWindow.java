package dev.skein.protocol.transport;

/**
 * The sliding window of received transport counters (RFC 6479): a ring of 64-bit blocks, so that moving the
 * window forward clears whole blocks instead of shifting bits. Accepts each counter at most once, counters up
 * to {@link #WINDOW_SIZE} behind the highest seen (out of order inside the window is fine), and none at or
 * beyond the limit. Counters are unsigned 64-bit.
 *
 * <p>Call {@link #accept} only after the packet has authenticated, or a forger could move the window. Not
 * thread-safe: the receive path of one session serialises access.
 */
public final class ReplayWindow {
    private static final int BLOCK_BITS_LOG = 6;
    private static final int BLOCK_BITS = 1 << BLOCK_BITS_LOG;
    private static final int RING_BLOCKS = 128;
    /** How far behind the highest counter a packet may arrive: 127 blocks of 64, as wireguard-go. */
    public static final int WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS;

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    /** Accepts {@code counter} once if it is below {@code limit} and not too old; records it. */
    public boolean accept(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        long block = counter >>> BLOCK_BITS_LOG;
        if (Long.compareUnsigned(counter, last) > 0) {
            long current = last >>> BLOCK_BITS_LOG;
            long diff = Math.min(block - current, RING_BLOCKS);
            for (long i = 1; i <= diff; i++) {
                ring[(int) ((current + i) & (RING_BLOCKS - 1))] = 0;
            }
            last = counter;
        } else if (last - counter > WINDOW_SIZE) {
            return false;
        }
        int index = (int) (block & (RING_BLOCKS - 1));
        long bit = 1L << (counter & (BLOCK_BITS - 1));
        long old = ring[index];
        ring[index] = old | bit;
        return (old & bit) == 0;
    }

    /** True if {@code counter} could still be accepted: a cheap check before decrypting. Records nothing. */
    public boolean mayAccept(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        if (Long.compareUnsigned(counter, last) > 0) {
            return true;
        }
        if (last - counter > WINDOW_SIZE) {
            return false;
        }
        long bit = 1L << (counter & (BLOCK_BITS - 1));
        return (ring[(int) ((counter >>> BLOCK_BITS_LOG) & (RING_BLOCKS - 1))] & bit) == 0;
    }
}
