package dev.skein.protocol.transport;

import java.time.Duration;

/** The WireGuard paper's protocol constants (§6.1): when sessions must be renewed, refused, kept alive. */
public final class SessionLimits {
    /** After this many messages a new handshake is started. 2^60. */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** A session never sends or accepts counter values at or beyond this: 2^64 - 2^13 - 1 (unsigned). */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;
    public static final Duration REKEY_AFTER_TIME = Duration.ofSeconds(120);
    public static final Duration REJECT_AFTER_TIME = Duration.ofSeconds(180);
    public static final Duration REKEY_ATTEMPT_TIME = Duration.ofSeconds(90);
    public static final Duration REKEY_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

    private SessionLimits() {}
}
