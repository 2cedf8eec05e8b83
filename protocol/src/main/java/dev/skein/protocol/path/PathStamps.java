package dev.skein.protocol.path;

/**
 * The stamps of path messages: the sender's side makes them ({@link Clock}), the receiver's side refuses a
 * replay ({@link #accept}). A stamp is accepted once, if it is within {@link #MAX_SKEW_MICROS} of the receiver's
 * clock and at most {@link #REORDER_MICROS} older than the newest stamp accepted from that sender: probes sent
 * over different paths a moment apart may arrive out of order, a replay of one from seconds ago may not.
 * Bounded: the stamps inside the reorder window are kept, at most {@link #MAX_RECENT}; when that is full the
 * oldest is forgotten and nothing at or below it is accepted any more. One instance per sender.
 */
public final class PathStamps {
    /** The clocks of two members may differ this much: as much as a join's age may be (JoinMessage.MAX_AGE). */
    public static final long MAX_SKEW_MICROS = 300_000_000L;
    public static final long REORDER_MICROS = 2_000_000L;
    static final int MAX_RECENT = 64;

    private final long[] recent = new long[MAX_RECENT];
    private int count;
    private long newest = Long.MIN_VALUE;
    /** Nothing at or below this is accepted: the stamps forgotten when the table was full. */
    private long floor = Long.MIN_VALUE;

    /** True, once, for a fresh {@code stamp}; {@code nowMicros} is the receiver's clock. Call after the MAC check. */
    public synchronized boolean accept(long stamp, long nowMicros) {
        if (Math.abs(stamp - nowMicros) > MAX_SKEW_MICROS || stamp <= floor
                || (newest != Long.MIN_VALUE && stamp < newest - REORDER_MICROS)) {
            return false;
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (recent[i] == stamp) {
                return false;
            }
            if (recent[i] >= Math.max(newest, stamp) - REORDER_MICROS) {
                recent[kept++] = recent[i]; // still inside the reorder window: must stay refusable
            }
        }
        count = kept;
        if (count == MAX_RECENT) {
            int oldest = 0;
            for (int i = 1; i < count; i++) {
                if (recent[i] < recent[oldest]) {
                    oldest = i;
                }
            }
            floor = Math.max(floor, recent[oldest]);
            recent[oldest] = recent[--count];
            if (stamp <= floor) {
                return false;
            }
        }
        recent[count++] = stamp;
        newest = Math.max(newest, stamp);
        return true;
    }

    /** The sender's side: microseconds since the epoch, never the same twice, never going back. */
    public static final class Clock {
        private long last;

        public synchronized long next(long nowMicros) {
            last = Math.max(last + 1, nowMicros);
            return last;
        }
    }
}
