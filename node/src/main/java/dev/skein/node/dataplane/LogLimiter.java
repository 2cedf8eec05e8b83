package dev.skein.node.dataplane;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a log line with a given key through at most once per interval, so that a flood of bad packets cannot
 * flood the log, while the first occurrence of each problem is always said.
 */
public final class LogLimiter {
    private static final int MAX_KEYS = 4096;
    private final long intervalNanos;
    private final ConcurrentHashMap<String, Long> last = new ConcurrentHashMap<>();

    public LogLimiter(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    public boolean allow(String key, long nowNanos) {
        if (last.size() > MAX_KEYS) {
            last.clear();
        }
        Long previous = last.get(key);
        if (previous != null && nowNanos - previous < intervalNanos) {
            return false;
        }
        last.put(key, nowNanos);
        return true;
    }
}
