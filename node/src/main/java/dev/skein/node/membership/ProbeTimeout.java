package dev.skein.node.membership;

import java.time.Duration;

/**
 * How long a SWIM probe waits for its answer: SWIM's configured timeout while probes come back quickly, longer
 * while they do not. The round trip of each answered probe is smoothed as TCP smooths its round-trip time
 * (RFC 6298: a mean and a mean deviation, gains 1/8 and 1/4), and the timeout is the mean plus four deviations,
 * never below the configured timeout and never above {@link #MAX_MULTIPLIER} times it.
 *
 * <p>Why: a probe's answer is late when either end is starved of CPU, not only when its target is gone. On a
 * saturated host (32 nodes forming on two cores) probes timed out by the hundred, each timeout became a suspicion
 * broadcast to every member, each suspicion a refutation broadcast to every member, and that traffic kept the
 * host saturated: an idle 32-node mesh used both cores. Lifeguard (Dadgar et al., 2018, memberlist's "awareness")
 * answers this by stretching a slow member's own timeouts up to 8 times; here the stretch follows the round trips
 * this member measures. A member that has died answers nothing, so it does not lengthen the timeout: in a
 * healthy mesh, where a round trip takes a few milliseconds, failure detection is as fast as before.
 *
 * <p>Thread-safe; samples come from the gossip layer's receiving thread, reads from SWIM's.
 */
final class ProbeTimeout {
    /** Lifeguard's (and memberlist's) bound on how far a member stretches its own timeouts. */
    static final int MAX_MULTIPLIER = 8;

    private long smoothedNanos = -1;
    private long deviationNanos;

    /** One answered probe's round trip, from its first request to its answer (a late answer counts too). */
    synchronized void answeredAfter(Duration roundTrip) {
        long rtt = Math.max(0, roundTrip.toNanos());
        if (smoothedNanos < 0) {
            smoothedNanos = rtt;
            deviationNanos = rtt / 2;
        } else {
            deviationNanos = (3 * deviationNanos + Math.abs(smoothedNanos - rtt)) / 4;
            smoothedNanos = (7 * smoothedNanos + rtt) / 8;
        }
    }

    /** The time a probe waits now, given SWIM's configured timeout. */
    synchronized Duration timeout(Duration configured) {
        long base = configured.toNanos();
        long wanted = smoothedNanos < 0 ? base : smoothedNanos + 4 * deviationNanos;
        return Duration.ofNanos(Math.min(MAX_MULTIPLIER * base, Math.max(base, wanted)));
    }
}
