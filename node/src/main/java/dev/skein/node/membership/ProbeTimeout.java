package dev.skein.node.membership;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long a SWIM probe waits for its answer: SWIM's configured timeout while probes come back quickly, longer
 * while they do not. The timeout is twice the slowest round trip answered in the last {@link #MAX_MULTIPLIER}
 * configured timeouts (4 s for SWIM's 500 ms), never below the configured timeout and never above
 * {@link #MAX_MULTIPLIER} times it.
 *
 * <p>Why stretch at all: a probe's answer is late when either end is starved of CPU, not only when its target is
 * gone. On a saturated host (32 nodes forming on two cores) probes timed out by the hundred, each timeout became a
 * suspicion broadcast to every member, each suspicion a refutation broadcast to every member, and that traffic
 * kept the host saturated: an idle 32-node mesh used both cores. Lifeguard (Dadgar et al., 2018, memberlist's
 * "awareness") answers this by stretching a slow member's own timeouts up to 8 times; here the stretch follows the
 * round trips this member measures. A member that has died answers nothing, so it does not lengthen the timeout.
 *
 * <p>Why a window in time rather than a smoothed mean (RFC 6298's, used before): the smoothed mean forgot a late
 * answer only after some seventeen quicker ones, and a member whose probes are slow also probes less often
 * ({@link ProbePacing}), so the start of a node, its JIT compiling while the mesh forms, stretched its timeouts
 * for ten seconds and more after its host had caught up: a member killed a second after a five-node mesh formed
 * was removed only 10.1 s later (CI, session 29). A window forgets a late answer after a fixed time however
 * few probes there were, which also bounds what a member answering late on purpose can do to those probing it.
 *
 * <p>Thread-safe; samples come from the gossip layer's receiving thread, reads from SWIM's.
 */
final class ProbeTimeout {
    /** Lifeguard's (and memberlist's) bound on how far a member stretches its own timeouts. */
    static final int MAX_MULTIPLIER = 8;
    /** How many times the slowest recent round trip a probe waits: the margin over what was just seen. */
    static final int MARGIN = 2;
    /**
     * Round trips kept at most. SWIM probes at most 8 times a second, so a window of 4 s holds 32 of them; a
     * fuller buffer keeps the newest (whose slowest is then what counts, a little shorter than the window).
     */
    private static final int KEPT = 64;

    private final LongSupplier clock;
    private final long[] answeredAt = new long[KEPT];
    private final long[] roundTrip = new long[KEPT];
    private int next;
    private int count;

    ProbeTimeout() {
        this(System::nanoTime);
    }

    /** {@code clock}: the host's System.nanoTime(), or a test's. */
    ProbeTimeout(LongSupplier clock) {
        this.clock = clock;
    }

    /** One answered probe's round trip, from its first request to its answer (a late answer counts too). */
    synchronized void answeredAfter(Duration rtt) {
        answeredAt[next] = clock.getAsLong();
        roundTrip[next] = Math.max(0, rtt.toNanos());
        next = (next + 1) % KEPT;
        count = Math.min(KEPT, count + 1);
    }

    /** The time a probe waits now, given SWIM's configured timeout. */
    synchronized Duration timeout(Duration configured) {
        long base = configured.toNanos();
        long window = MAX_MULTIPLIER * base;
        long now = clock.getAsLong();
        long slowest = 0;
        for (int i = 0; i < count; i++) {
            if (now - answeredAt[i] <= window) {
                slowest = Math.max(slowest, roundTrip[i]);
            }
        }
        long wanted = slowest > window / MARGIN ? window : MARGIN * slowest;
        return Duration.ofNanos(Math.min(window, Math.max(base, wanted)));
    }
}
