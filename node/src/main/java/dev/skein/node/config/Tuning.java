package dev.skein.node.config;

import dev.skein.protocol.transport.SessionLimits;
import java.time.Duration;

/**
 * The session timers. Defaults are the WireGuard paper's; the optional {@code tuning:} section of the
 * configuration shortens them, which the tests use to watch several rekeys in seconds. Changing them breaks
 * nothing on the wire, but a node with shorter timers rekeys more often than its peers expect.
 */
public record Tuning(Duration rekeyAfterTime, Duration rejectAfterTime, Duration rekeyAttemptTime,
                     Duration rekeyTimeout, Duration keepaliveTimeout, long rekeyAfterMessages) {
    public static final Tuning WIREGUARD = new Tuning(SessionLimits.REKEY_AFTER_TIME, SessionLimits.REJECT_AFTER_TIME,
            SessionLimits.REKEY_ATTEMPT_TIME, SessionLimits.REKEY_TIMEOUT, SessionLimits.KEEPALIVE_TIMEOUT);

    /** The timers, with the paper's Rekey-After-Messages. */
    public Tuning(Duration rekeyAfterTime, Duration rejectAfterTime, Duration rekeyAttemptTime, Duration rekeyTimeout,
                  Duration keepaliveTimeout) {
        this(rekeyAfterTime, rejectAfterTime, rekeyAttemptTime, rekeyTimeout, keepaliveTimeout,
                SessionLimits.REKEY_AFTER_MESSAGES);
    }

    /** The same timers, with the initiator rekeying after {@code messages} sent (tests watch it happen). */
    public Tuning withRekeyAfterMessages(long messages) {
        return new Tuning(rekeyAfterTime, rejectAfterTime, rekeyAttemptTime, rekeyTimeout, keepaliveTimeout, messages);
    }
}
