package dev.skein.node.peer;

import dev.skein.protocol.noise.SessionKeys;
import dev.skein.protocol.transport.ReplayWindow;
import dev.skein.protocol.transport.SessionLimits;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One session's transport keys (WireGuard's "keypair"): the send key with its counter, the receive key with
 * its replay window, the two indices, who initiated, and when it was made.
 */
public final class Keypair {
    final Peer peer;
    final byte[] sendKey;
    final byte[] receiveKey;
    final int localIndex;
    final int remoteIndex;
    final boolean initiator;
    final long createdNanos;
    private final AtomicLong sendCounter = new AtomicLong();
    private final ReplayWindow window = new ReplayWindow();

    Keypair(Peer peer, SessionKeys keys, long nowNanos) {
        this.peer = peer;
        this.sendKey = keys.sendKey();
        this.receiveKey = keys.receiveKey();
        this.localIndex = keys.localIndex();
        this.remoteIndex = keys.remoteIndex();
        this.initiator = keys.initiator();
        this.createdNanos = nowNanos;
    }

    public Peer peer() {
        return peer;
    }

    public byte[] sendKey() {
        return sendKey;
    }

    public byte[] receiveKey() {
        return receiveKey;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    public int localIndex() {
        return localIndex;
    }

    public boolean initiator() {
        return initiator;
    }

    public long ageNanos(long nowNanos) {
        return nowNanos - createdNanos;
    }

    /** The next send counter, or -1 once the session has sent all it may (Reject-After-Messages). */
    public long nextCounter() {
        long c = sendCounter.getAndIncrement();
        return Long.compareUnsigned(c, SessionLimits.REJECT_AFTER_MESSAGES) >= 0 ? -1 : c;
    }

    public long sentCount() {
        return sendCounter.get();
    }

    /** Cheap pre-check before decrypting. */
    public boolean mayAccept(long counter) {
        synchronized (window) {
            return window.mayAccept(counter, SessionLimits.REJECT_AFTER_MESSAGES);
        }
    }

    /** Records an authenticated counter; false if it is a replay or too old. */
    public boolean accept(long counter) {
        synchronized (window) {
            return window.accept(counter, SessionLimits.REJECT_AFTER_MESSAGES);
        }
    }
}
