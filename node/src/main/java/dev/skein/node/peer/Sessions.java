package dev.skein.node.peer;

import dev.skein.node.Constants;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.InitiatorHandshake;
import dev.skein.protocol.noise.Layout;
import dev.skein.protocol.noise.ResponderHandshake;
import dev.skein.protocol.noise.SessionKeys;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.noise.Tai64n;
import dev.skein.protocol.wire.WireException;
import dev.skein.protocol.wire.WireException.Reason;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * Creates and consumes handshake messages for all peers and rotates their keypairs. No I/O: the caller sends
 * what these methods return. Time is {@code nowNanos} from a monotonic clock.
 */
public final class Sessions {
    /** Our static key; replaced by {@link #rekey} (a key rotation), read once per handshake. */
    private volatile StaticIdentity local;
    private final IndexTable indices;
    private final SecureRandom random;
    /**
     * The greatest initiation timestamp accepted per static key. Kept here, not in the peer object, because that
     * is dropped and made again (a member that left and came back): an initiation captured before must not be
     * accepted once more.
     */
    private final java.util.Map<java.nio.ByteBuffer, byte[]> acceptedTimestamps =
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<java.nio.ByteBuffer, byte[]> eldest) {
                    return size() > Constants.MAX_REMEMBERED_KEYS;
                }
            };

    public Sessions(StaticIdentity local, IndexTable indices, SecureRandom random) {
        this.local = local;
        this.indices = indices;
        this.random = random;
    }

    public StaticIdentity local() {
        return local;
    }

    /**
     * Handshakes from now on use {@code fresh}; {@code peers} forget the static-static results of the old key.
     * Sessions made before go on until they expire or the peers replace them.
     */
    public void rekey(StaticIdentity fresh, Iterable<Peer> peers) {
        local = fresh;
        for (Peer p : peers) {
            synchronized (p.handshake) {
                p.handshake.staticStatic = null;
            }
        }
    }

    /**
     * A new initiation to {@code peer} with MACs filled in, or null when one was sent less than
     * {@code retryNanos} ago. The previous pending handshake, if any, is abandoned.
     */
    public byte[] createInitiation(Peer peer, long nowNanos, long retryNanos) {
        HandshakeState hs = peer.handshake;
        synchronized (hs) {
            if (nowNanos - hs.lastInitiationSentNanos < retryNanos) {
                return null;
            }
            if (hs.pending == null) {
                hs.startedNanos = nowNanos;
            } else {
                indices.remove(hs.pending.senderIndex());
            }
            int index = indices.reserve(peer);
            byte[] msg = new byte[Layout.INITIATION_SIZE];
            try {
                hs.pending = InitiatorHandshake.create(local, peer.publicKey(), staticStatic(peer),
                        peer.presharedKey(), index, Curve25519.generatePrivateKey(random), Tai64n.of(Instant.now()),
                        msg, 0);
            } catch (WireException e) {
                indices.remove(index);
                hs.pending = null;
                return null; // the peer's key is a low-order point: nothing can ever be sent to it
            }
            peer.cookies.addMacs(msg, 0, msg.length, nowNanos);
            hs.lastInitiationSentNanos = nowNanos;
            return msg;
        }
    }

    /**
     * The static-static Diffie-Hellman result with {@code peer}: fixed for the pair, so computed once and kept
     * (a handshake then costs the two ephemeral operations only).
     *
     * @throws WireException BAD_PUBLIC_KEY when the peer's key is a low-order point
     */
    private byte[] staticStatic(Peer peer) throws WireException {
        HandshakeState hs = peer.handshake;
        synchronized (hs) {
            if (hs.staticStatic == null) {
                byte[] shared = local.agree(peer.publicKey());
                if (shared == null) {
                    throw new WireException(Reason.BAD_PUBLIC_KEY);
                }
                hs.staticStatic = shared;
            }
            return hs.staticStatic;
        }
    }

    /** True while a handshake we initiated awaits its response. */
    public boolean handshakePending(Peer peer) {
        synchronized (peer.handshake) {
            return peer.handshake.pending != null;
        }
    }

    /** Nanos since the current handshake attempt began (first initiation), or -1 if none is pending. */
    public long handshakeAgeNanos(Peer peer, long nowNanos) {
        HandshakeState hs = peer.handshake;
        synchronized (hs) {
            return hs.pending == null ? -1 : nowNanos - hs.startedNanos;
        }
    }

    /** Lets the next initiation go out at once (the path just changed, so the last one was likely lost). */
    public void retryNow(Peer peer) {
        synchronized (peer.handshake) {
            peer.handshake.lastInitiationSentNanos = Constants.NEVER;
        }
    }

    /**
     * Our pending initiation was answered with a cookie: lets the next initiation go out at once, unless that was
     * already done within {@code minGapNanos}. True if the caller should send it now.
     */
    public boolean retryAfterCookie(Peer peer, long nowNanos, long minGapNanos) {
        HandshakeState hs = peer.handshake;
        synchronized (hs) {
            if (hs.pending == null || nowNanos - hs.lastCookieRetryNanos < minGapNanos) {
                return false;
            }
            hs.lastCookieRetryNanos = nowNanos;
            hs.lastInitiationSentNanos = Constants.NEVER;
            return true;
        }
    }

    /** Gives up a pending handshake (Rekey-Attempt-Time passed). */
    public void abandonHandshake(Peer peer) {
        HandshakeState hs = peer.handshake;
        synchronized (hs) {
            if (hs.pending != null) {
                indices.remove(hs.pending.senderIndex());
                hs.pending = null;
            }
        }
    }

    /** Whom an initiation's static key belongs to. */
    @FunctionalInterface
    public interface Senders {
        /** The peer holding {@code publicKey}, or null. */
        Peer peer(byte[] publicKey);

        /**
         * Whether {@code publicKey}, no peer's, is a former member's whose record says it still runs: its
         * initiation is then authenticated in full, as proof the member is alive. None by default.
         */
        default boolean formerPeer(byte[] publicKey) {
            return false;
        }
    }

    /** What an authenticated initiation amounts to: {@link Answer} or {@link FormerPeerAlive}. */
    public sealed interface Initiated permits Answer, FormerPeerAlive {}

    /** An initiation from a peer: who it was from and the response to send back. */
    public record Answer(Peer peer, byte[] response) implements Initiated {}

    /**
     * An initiation from a former member's key ({@link Senders#formerPeer}), authenticated and newer than any
     * accepted from that key: proof it is alive. Nothing is answered, as there is no peer to answer for
     * (membership, told, makes it a peer again and starts a handshake of its own).
     */
    public record FormerPeerAlive(String publicKeyBase64) implements Initiated {}

    /**
     * Authenticates an initiation (MAC1 already checked), checks it against replay and flooding, and answers
     * it. The new keypair waits as the peer's "next" until the initiator's first transport message confirms it.
     * An initiation from a former member's key is authenticated the same way, in the same pass, and its
     * timestamp becomes the last accepted from that key, so the same message proves nothing twice.
     *
     * @throws WireException naming why the initiation was refused: UNKNOWN_PEER (detail: the key in base64)
     *                       for a key that is neither a peer's nor a former member's, after one Diffie-Hellman
     */
    public Initiated consumeInitiation(byte[] msg, Senders senders, long nowNanos) throws WireException {
        Peer[] sender = new Peer[1];
        StaticIdentity me = local;
        // A peer's static-static secret was computed once, when it was first needed; a former member's is
        // computed for this initiation alone (a rare event, and admission has bounded the rate already).
        ResponderHandshake.Initiation init = ResponderHandshake.consumeInitiation(me, msg, 0, msg.length, key -> {
            sender[0] = senders.peer(key);
            if (sender[0] != null) {
                return staticStatic(sender[0]);
            }
            if (!senders.formerPeer(key)) {
                return null;
            }
            byte[] shared = me.agree(key);
            if (shared == null) {
                throw new WireException(Reason.BAD_PUBLIC_KEY);
            }
            return shared;
        });
        Peer peer = sender[0];
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(init.remoteStatic());
        if (peer == null) {
            // Nothing more to make: the initiation is the proof, and it counts once.
            synchronized (acceptedTimestamps) {
                requireNewer(key, init.timestamp(), "a former member's initiation");
                recordAccepted(key, init.timestamp());
            }
            return new FormerPeerAlive(Curve25519.encodeBase64(init.remoteStatic()));
        }
        HandshakeState hs = peer.handshake;
        synchronized (hs) {
            // A peer's initiation counts only once the response is made (a failure there leaves it unspent).
            requireNewer(key, init.timestamp(), "the initiation");
            if (nowNanos - hs.lastInitiationConsumedNanos < Constants.MIN_INITIATION_INTERVAL.toNanos()) {
                throw new WireException(Reason.REPLAYED, "initiations arrive faster than one per 20 ms");
            }
            int index = indices.reserve(peer);
            byte[] response = new byte[Layout.RESPONSE_SIZE];
            SessionKeys keys;
            try {
                keys = ResponderHandshake.createResponse(init, peer.presharedKey(), index,
                        Curve25519.generatePrivateKey(random), response, 0);
            } catch (WireException e) {
                indices.remove(index);
                throw e;
            }
            recordAccepted(key, init.timestamp());
            hs.lastInitiationConsumedNanos = nowNanos;
            peer.cookies.addMacs(response, 0, response.length, nowNanos);
            Keypair keypair = new Keypair(peer, keys, nowNanos);
            peer.keypairs.offerNext(keypair, indices);
            indices.bind(keypair);
            return new Answer(peer, response);
        }
    }

    /** Refuses, as a replay, an initiation from {@code key} whose timestamp is not after the last accepted. */
    private void requireNewer(java.nio.ByteBuffer key, byte[] timestamp, String what) throws WireException {
        synchronized (acceptedTimestamps) {
            if (!Tai64n.isAfter(timestamp, acceptedTimestamps.get(key))) {
                throw new WireException(Reason.REPLAYED, what + "'s timestamp is not newer than the last one");
            }
        }
    }

    /** Remembers {@code timestamp} as the last initiation accepted from {@code key} (it outlives the peer). */
    private void recordAccepted(java.nio.ByteBuffer key, byte[] timestamp) {
        synchronized (acceptedTimestamps) {
            acceptedTimestamps.put(key, timestamp);
        }
    }

    /**
     * Completes the handshake that {@code entry} names with its response (MAC1 already checked). The new
     * keypair becomes current at once: the initiator may send as soon as it has it.
     */
    public Keypair consumeResponse(IndexTable.Entry entry, byte[] msg, long nowNanos) throws WireException {
        Peer peer = entry.peer();
        HandshakeState hs = peer.handshake;
        synchronized (hs) {
            InitiatorHandshake pending = hs.pending;
            if (entry.keypair() != null || pending == null) {
                throw new WireException(Reason.UNEXPECTED);
            }
            SessionKeys keys = pending.consumeResponse(msg, 0, msg.length);
            hs.pending = null;
            peer.rttNanos = nowNanos - hs.lastInitiationSentNanos;
            Keypair keypair = new Keypair(peer, keys, nowNanos);
            indices.bind(keypair);
            peer.keypairs.rotate(keypair, indices);
            return keypair;
        }
    }

    /**
     * Called for every authenticated transport message: the responder's "next" keypair becomes current on the
     * initiator's first message. Returns true if this confirmed a new session.
     */
    public boolean confirm(Keypair keypair) {
        return keypair.peer.keypairs.confirm(keypair, indices);
    }

    /** Forgets keypairs older than {@code maxAgeNanos} (3 x Reject-After-Time: nothing can use them). */
    public void expire(Peer peer, long nowNanos, long maxAgeNanos) {
        peer.keypairs.expire(nowNanos, maxAgeNanos, indices);
    }

    /** Forgets everything about a peer's sessions (the peer is being removed). */
    public void forget(Peer peer) {
        synchronized (peer.handshake) {
            abandonHandshake(peer);
            peer.keypairs.clear(indices);
        }
        peer.clearStaged();
    }
}
