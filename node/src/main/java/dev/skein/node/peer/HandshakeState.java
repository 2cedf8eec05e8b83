package dev.skein.node.peer;

import dev.skein.node.Constants;
import dev.skein.protocol.noise.InitiatorHandshake;

/**
 * One peer's handshake bookkeeping: the initiation we wait to have answered, and the times that pace
 * initiations both ways. Every field is guarded by this object's monitor, which {@link Sessions} takes before
 * the peer's {@link Keypairs} when it needs both (never the other way round).
 */
final class HandshakeState {
    /** DH(our static, its static), computed once: it never changes for the pair (cleared by a key rotation). */
    byte[] staticStatic;
    /** The initiation we sent and wait to see answered, or null. */
    InitiatorHandshake pending;
    /** When the first initiation of the pending attempt went out (Rekey-Attempt-Time counts from here). */
    long startedNanos;
    long lastInitiationSentNanos = Constants.NEVER;
    long lastInitiationConsumedNanos = Constants.NEVER;
    long lastCookieRetryNanos = Constants.NEVER;
}
