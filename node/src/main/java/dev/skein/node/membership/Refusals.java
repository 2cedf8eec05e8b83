package dev.skein.node.membership;

import dev.skein.node.dataplane.LogLimiter;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What membership refused lately and why, for `skein status`, and a log line for each, rate-limited. One entry per
 * {@code who}: callers name a sender by its address, never its port, so that one host's flood of refusals with
 * changing ports or reasons takes one line and cannot push out the others'. Membership thread only.
 */
final class Refusals {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    static final int MAX = 32;

    private final LinkedHashMap<String, String> lines = new LinkedHashMap<>();
    private final LogLimiter logLimiter;
    /** Every refusal since the start, also those whose line was replaced or not logged (for the metrics). */
    final java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();

    Refusals(LogLimiter logLimiter) {
        this.logLimiter = logLimiter;
    }

    void refuse(String who, String why, long now) {
        total.incrementAndGet();
        String line = who + ": " + why;
        lines.remove(who);
        lines.put(who, line);
        while (lines.size() > MAX) {
            lines.remove(lines.keySet().iterator().next());
        }
        if (logLimiter.allow(who, now)) {
            log.warn("refused {}", line);
        }
    }

    /** The latest refusals, oldest first. */
    List<String> list() {
        return List.copyOf(lines.values());
    }
}
