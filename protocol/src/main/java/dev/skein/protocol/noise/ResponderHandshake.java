package dev.skein.protocol.noise;

import static dev.skein.protocol.noise.InitiatorHandshake.dh;
import static dev.skein.protocol.noise.Layout.*;

import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.wire.Bytes;
import dev.skein.protocol.wire.MessageType;
import dev.skein.protocol.wire.WireException;
import dev.skein.protocol.wire.WireException.Reason;

/**
 * The responder's side: {@link #consumeInitiation} authenticates an initiation (type 1) and reveals who sent it
 * and when; the caller then looks the peer up, checks the timestamp against the last one it accepted from that
 * peer, and calls {@link #createResponse} to write the response (type 2) and derive the session keys.
 *
 * <p>Split in two because the pre-shared key and the replay check belong to the peer, which is only known
 * after the static key has been decrypted.
 */
public final class ResponderHandshake {
    private ResponderHandshake() {}

    /** An authenticated initiation, not yet checked for replay. */
    public static final class Initiation {
        private final byte[] remoteStatic;
        private final byte[] timestamp;
        private final int remoteIndex;
        private final byte[] remoteEphemeral;
        private final SymmetricState state;

        private Initiation(byte[] remoteStatic, byte[] timestamp, int remoteIndex, byte[] remoteEphemeral,
                           SymmetricState state) {
            this.remoteStatic = remoteStatic;
            this.timestamp = timestamp;
            this.remoteIndex = remoteIndex;
            this.remoteEphemeral = remoteEphemeral;
            this.state = state;
        }

        /** The initiator's static public key: who this is from. */
        public byte[] remoteStatic() {
            return remoteStatic.clone();
        }

        /** TAI64N; must be later than the last accepted from this peer ({@link Tai64n#isAfter}). */
        public byte[] timestamp() {
            return timestamp.clone();
        }

        public int remoteIndex() {
            return remoteIndex;
        }
    }

    /**
     * The static-static Diffie-Hellman result with the holder of a static key, computed once per peer and kept:
     * null when the key belongs to no peer, which ends the work after one DH instead of two.
     */
    @FunctionalInterface
    public interface StaticSecrets {
        byte[] staticStatic(byte[] remoteStatic) throws WireException;
    }

    /**
     * Authenticates an initiation addressed to {@code local}, computing both Diffie-Hellman results. MAC1 must
     * already have been checked.
     *
     * @throws WireException MALFORMED, BAD_PUBLIC_KEY, or DECRYPTION_FAILED (not for our key, or tampered)
     */
    public static Initiation consumeInitiation(StaticIdentity local, byte[] msg, int off, int len)
            throws WireException {
        return consumeInitiation(local, msg, off, len, remote -> dh(local.privateKey(), remote));
    }

    /**
     * Authenticates an initiation addressed to {@code local} with the static-static secret from {@code secrets}.
     *
     * @throws WireException as the other form, and UNKNOWN_PEER (detail: the key in base64) when {@code secrets}
     *                       has none for the sender's static key
     */
    public static Initiation consumeInitiation(StaticIdentity local, byte[] msg, int off, int len,
                                               StaticSecrets secrets) throws WireException {
        if (len != INITIATION_SIZE || Bytes.getIntLE(msg, off) != MessageType.INITIATION.code()) {
            throw new WireException(Reason.MALFORMED, "not a 148-byte handshake initiation");
        }
        SymmetricState s = SymmetricState.towards(local.publicKey());
        byte[] remoteEphemeral = Bytes.slice(msg, off + INITIATION_EPHEMERAL, 32);
        s.mixKey(remoteEphemeral);
        s.mixHash(remoteEphemeral);

        byte[] key = s.mixKeyAndDeriveKey(dh(local.privateKey(), remoteEphemeral));
        byte[] remoteStatic = s.decryptAndHash(key, msg, off + INITIATION_STATIC, 32 + 16);
        if (remoteStatic == null) {
            throw new WireException(Reason.DECRYPTION_FAILED, "initiation static key does not authenticate");
        }
        byte[] staticStatic = secrets.staticStatic(remoteStatic);
        if (staticStatic == null) {
            throw new WireException(Reason.UNKNOWN_PEER, Curve25519.encodeBase64(remoteStatic));
        }
        key = s.mixKeyAndDeriveKey(staticStatic);
        byte[] timestamp = s.decryptAndHash(key, msg, off + INITIATION_TIMESTAMP, Tai64n.SIZE + 16);
        if (timestamp == null) {
            throw new WireException(Reason.DECRYPTION_FAILED, "initiation timestamp does not authenticate");
        }
        int remoteIndex = Bytes.getIntLE(msg, off + INITIATION_SENDER);
        return new Initiation(remoteStatic, timestamp, remoteIndex, remoteEphemeral, s);
    }

    /**
     * Writes the 92-byte response (MAC fields zero) to {@code out[off..]} and returns the session keys. The
     * initiation must not be answered twice.
     */
    public static SessionKeys createResponse(Initiation initiation, byte[] presharedKey, int senderIndex,
                                             byte[] ephemeralPrivate, byte[] out, int off) throws WireException {
        SymmetricState s = new SymmetricState(initiation.state.chainKey, initiation.state.hash);
        byte[] ephemeralPublic = Curve25519.publicKey(ephemeralPrivate);
        s.mixKey(ephemeralPublic);
        s.mixHash(ephemeralPublic);
        s.mixKey(dh(ephemeralPrivate, initiation.remoteEphemeral));
        s.mixKey(dh(ephemeralPrivate, initiation.remoteStatic));
        byte[] key = s.mixPresharedKey(presharedKey);
        byte[] sealedNothing = s.encryptAndHash(key, new byte[0]);

        java.util.Arrays.fill(out, off, off + RESPONSE_SIZE, (byte) 0);
        Bytes.putIntLE(out, off, MessageType.RESPONSE.code());
        Bytes.putIntLE(out, off + RESPONSE_SENDER, senderIndex);
        Bytes.putIntLE(out, off + RESPONSE_RECEIVER, initiation.remoteIndex);
        System.arraycopy(ephemeralPublic, 0, out, off + RESPONSE_EPHEMERAL, 32);
        System.arraycopy(sealedNothing, 0, out, off + RESPONSE_EMPTY, sealedNothing.length);
        return SessionKeys.derive(s.chainKey, senderIndex, initiation.remoteIndex, false);
    }
}
