package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a log line with a given key through at most once per interval, so that a flood of bad packets cannot
 * flood the log, while the first occurrence of each problem is always said. Callers key by what happened and
 * the sender's address, never its port: a flood from many ports of one host is one key.
 *
 * <p>Bounded: at most {@link #Constants.MAX_LOG_KEYS} keys are remembered. When that many are live (a flood from that many
 * addresses within one interval), lines with new keys are suppressed until old keys expire; the keys already
 * remembered are never pushed out, so a flood cannot make the node repeat the lines it already limited.
 */
public final class LogLimiter {
    private final long intervalNanos;
    private final ConcurrentHashMap<String, Long> last = new ConcurrentHashMap<>();
    private volatile long lastSweepNanos;
    private volatile boolean swept;

    public LogLimiter(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    public boolean allow(String key, long nowNanos) {
        Long previous = last.get(key);
        if (previous != null && nowNanos - previous < intervalNanos) {
            return false;
        }
        if (previous == null && last.size() >= Constants.MAX_LOG_KEYS) {
            // Forget expired keys, at most once a second (a full table under a flood must stay cheap).
            if (swept && nowNanos - lastSweepNanos < 1_000_000_000L) {
                return false;
            }
            swept = true;
            lastSweepNanos = nowNanos;
            last.values().removeIf(t -> nowNanos - t >= intervalNanos);
            if (last.size() >= Constants.MAX_LOG_KEYS) {
                return false;
            }
        }
        last.put(key, nowNanos);
        return true;
    }
}
