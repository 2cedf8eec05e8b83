package dev.skein.node.firewall;

/**
 * A flow the firewall let through: which direction opened it, under which rules and for which peer identity (a
 * reload or a new certificate makes both stale, and the flow is judged again), until when it is remembered
 * without traffic, and whether a new judgement ended it.
 */
final class Flow {
    /** Refreshing the expiry on every packet would make both data-plane threads write one field all the time. */
    private static final long REFRESH_NANOS = 1_000_000_000L;

    final boolean inbound;
    volatile Rules rules;
    volatile PeerIdentity identity;
    /**
     * Judged again (new rules or a new certificate) and no longer allowed: its packets are dropped both ways
     * until it has been idle for its timeout, or, for TCP, until a SYN opens a new connection on the same ports.
     * Otherwise the end that may still send (outbound allowed) would open it again for the end that may not.
     */
    volatile boolean ended;
    private volatile long expiresNanos;

    Flow(boolean inbound, Rules rules, PeerIdentity identity, long expiresNanos) {
        this.inbound = inbound;
        this.rules = rules;
        this.identity = identity;
        this.expiresNanos = expiresNanos;
    }

    boolean expired(long now) {
        return now - expiresNanos > 0;
    }

    /** Traffic at {@code now}: remembered for another {@code timeout}, to within a second. */
    void touch(long now, long timeoutNanos) {
        long until = now + timeoutNanos;
        if (until - expiresNanos > REFRESH_NANOS) {
            expiresNanos = until;
        }
    }
}
