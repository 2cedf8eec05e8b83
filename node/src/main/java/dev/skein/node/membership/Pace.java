package dev.skein.node.membership;

import dev.skein.node.Constants;
import java.time.Duration;

/**
 * How fast membership's clock runs against the host's: {@link #REAL} on every real node. A simulation of
 * hundreds of nodes in one process slows them all down by {@code slowdown}: every interval, timeout and grace
 * (SWIM's included) lasts that many times longer on the host's clock, and membership reads its time that many
 * times slower, so it sees the same protocol. The host then does the same work in that many times longer, and
 * what the simulation measures (in the protocol's time) is what the protocol does, not what one machine's CPU
 * could keep up with.
 */
public record Pace(int slowdown) {
    public static final Pace REAL = new Pace(1);

    public Pace {
        if (slowdown < 1) {
            throw new IllegalArgumentException("slowdown must be 1 or more, not " + slowdown);
        }
    }

    /** Membership's clock now, in nanoseconds (System.nanoTime() on a real node). */
    public long nanos() {
        return host(System.nanoTime());
    }

    /** A reading of the host's System.nanoTime() on membership's clock ({@link Constants#NEVER} stays never). */
    public long host(long hostNanos) {
        return slowdown == 1 || hostNanos <= Constants.NEVER ? hostNanos : hostNanos / slowdown;
    }

    /** How long {@code protocol} lasts on the host's clock. */
    public Duration onHost(Duration protocol) {
        return protocol.multipliedBy(slowdown);
    }
}
