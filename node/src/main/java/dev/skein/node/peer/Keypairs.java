package dev.skein.node.peer;

/**
 * A peer's three keypairs, as wireguard-go's Keypairs: {@code current} carries traffic, {@code previous} drains
 * what was in flight when it was replaced, {@code next} waits (on the responder) for the initiator's first
 * transport message. Changes happen under this object's monitor; the packet paths read {@link #current} and
 * {@link #next} without it, which is why both are volatile.
 */
final class Keypairs {
    volatile Keypair current;
    private Keypair previous;
    volatile Keypair next;
    /** Wall-clock millis of the last completed handshake, 0 if none (for `skein peers`). */
    volatile long lastHandshakeMillis;

    /** {@code fresh} takes over; the one it replaces drains as previous; the one before that is forgotten. */
    synchronized void rotate(Keypair fresh, IndexTable indices) {
        if (previous != null) {
            indices.remove(previous.localIndex);
        }
        previous = current;
        current = fresh;
        lastHandshakeMillis = System.currentTimeMillis();
    }

    /** The responder's new keypair waits as next, replacing one that was never confirmed. */
    synchronized void offerNext(Keypair fresh, IndexTable indices) {
        if (next != null) {
            indices.remove(next.localIndex);
        }
        next = fresh;
    }

    /** True if {@code keypair} was next and now is current (the initiator's first message arrived). */
    boolean confirm(Keypair keypair, IndexTable indices) {
        if (next != keypair) {
            return false; // the common case, every transport message: no lock taken
        }
        synchronized (this) {
            if (next != keypair) {
                return false;
            }
            next = null;
            rotate(keypair, indices);
            return true;
        }
    }

    /** Forgets keypairs older than {@code maxAgeNanos}. */
    synchronized void expire(long nowNanos, long maxAgeNanos, IndexTable indices) {
        if (previous != null && previous.ageNanos(nowNanos) > maxAgeNanos) {
            indices.remove(previous.localIndex);
            previous = null;
        }
        if (next != null && next.ageNanos(nowNanos) > maxAgeNanos) {
            indices.remove(next.localIndex);
            next = null;
        }
        if (current != null && current.ageNanos(nowNanos) > maxAgeNanos) {
            indices.remove(current.localIndex);
            current = null;
        }
    }

    /** Forgets all three. */
    synchronized void clear(IndexTable indices) {
        for (Keypair k : new Keypair[] {previous, current, next}) {
            if (k != null) {
                indices.remove(k.localIndex);
            }
        }
        previous = next = current = null;
    }
}
