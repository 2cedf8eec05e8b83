package dev.skein.node.config;

import java.time.Duration;

/**
 * A duration as a configuration file writes it: {@code 500ms}, {@code 2s} or {@code 1.5s}, {@code 12m},
 * {@code 1h}, or a bare number of seconds; above zero, at most a year. One reading for every section (tuning,
 * firewall conntrack), so that the same text means the same time everywhere.
 */
public final class DurationText {
    /** The longest a configured time may be. */
    static final Duration LONGEST = Duration.ofDays(365);

    private DurationText() {}

    /**
     * The positive duration {@code text} names.
     *
     * @throws IllegalArgumentException saying what is accepted, when it is no duration or not above zero
     */
    public static Duration parse(String text) {
        String s = text.trim();
        try {
            Duration d;
            if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("h")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 3_600_000));
            } else if (s.endsWith("m")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000));
            } else {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s.endsWith("s") ? s.substring(0, s.length() - 1)
                        : s) * 1000));
            }
            if (d.compareTo(LONGEST) > 0) {
                // Every time in the configuration is used in nanos somewhere: a thousand years would overflow.
                throw new IllegalArgumentException("'" + s + "' is longer than " + LONGEST.toDays() + " days");
            }
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // said below
        }
        throw new IllegalArgumentException("'" + s + "' is not a duration above zero (e.g. 500ms, 2s, 12m, 1h)");
    }
}
