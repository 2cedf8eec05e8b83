package dev.skein.protocol.noise;

import static dev.skein.protocol.noise.Layout.*;

import dev.skein.protocol.crypto.ChaChaPoly;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.wire.Bytes;
import dev.skein.protocol.wire.MessageType;
import dev.skein.protocol.wire.WireException;
import dev.skein.protocol.wire.WireException.Reason;

/**
 * The initiator's side of one handshake: {@link #create} writes the initiation (message type 1) and keeps the
 * state needed to consume the matching response (message type 2) into {@link SessionKeys}.
 *
 * <p>A pure state machine: keys, indices, the ephemeral key and the timestamp come in as arguments so that
 * tests can replay fixed vectors; MAC1 and MAC2 are left zero for {@code dev.skein.protocol.cookie} to fill.
 * Not thread-safe: the owning peer serialises access.
 */
public final class InitiatorHandshake {
    private final StaticIdentity local;
    private final byte[] remoteStatic;
    private final byte[] presharedKey;
    private final int senderIndex;
    private final byte[] ephemeralPrivate;
    private final SymmetricState state;

    private InitiatorHandshake(StaticIdentity local, byte[] remoteStatic, byte[] presharedKey, int senderIndex,
                               byte[] ephemeralPrivate, SymmetricState state) {
        this.local = local;
        this.remoteStatic = remoteStatic;
        this.presharedKey = presharedKey;
        this.senderIndex = senderIndex;
        this.ephemeralPrivate = ephemeralPrivate;
        this.state = state;
    }

    /**
     * Writes a 148-byte initiation to {@code out[off..]} (MAC fields zero) and returns the state that awaits its
     * response.
     *
     * @throws WireException BAD_PUBLIC_KEY when the responder's static key is a low-order point
     */
    public static InitiatorHandshake create(StaticIdentity local, byte[] remoteStatic, byte[] presharedKey,
                                            int senderIndex, byte[] ephemeralPrivate, byte[] timestamp,
                                            byte[] out, int off) throws WireException {
        return create(local, remoteStatic, dh(local.privateKey(), remoteStatic), presharedKey, senderIndex,
                ephemeralPrivate, timestamp, out, off);
    }

    /**
     * As the other form, with the static-static Diffie-Hellman result already computed (a peer's never changes:
     * the caller keeps it).
     */
    public static InitiatorHandshake create(StaticIdentity local, byte[] remoteStatic, byte[] staticStatic,
                                            byte[] presharedKey, int senderIndex, byte[] ephemeralPrivate,
                                            byte[] timestamp, byte[] out, int off) throws WireException {
        SymmetricState s = SymmetricState.towards(remoteStatic);
        byte[] ephemeralPublic = Curve25519.publicKey(ephemeralPrivate);
        s.mixKey(ephemeralPublic);
        s.mixHash(ephemeralPublic);

        byte[] es = dh(ephemeralPrivate, remoteStatic);
        byte[] sealedStatic = s.encryptAndHash(s.mixKeyAndDeriveKey(es), local.publicKey());

        byte[] sealedTimestamp = s.encryptAndHash(s.mixKeyAndDeriveKey(staticStatic), timestamp);

        java.util.Arrays.fill(out, off, off + INITIATION_SIZE, (byte) 0);
        Bytes.putIntLE(out, off, MessageType.INITIATION.code());
        Bytes.putIntLE(out, off + INITIATION_SENDER, senderIndex);
        System.arraycopy(ephemeralPublic, 0, out, off + INITIATION_EPHEMERAL, 32);
        System.arraycopy(sealedStatic, 0, out, off + INITIATION_STATIC, sealedStatic.length);
        System.arraycopy(sealedTimestamp, 0, out, off + INITIATION_TIMESTAMP, sealedTimestamp.length);
        return new InitiatorHandshake(local, remoteStatic.clone(), presharedKey.clone(), senderIndex,
                ephemeralPrivate.clone(), s);
    }

    public int senderIndex() {
        return senderIndex;
    }

    public byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    /**
     * Consumes the response to this initiation. MAC1 must already have been checked by the caller.
     *
     * @throws WireException MALFORMED (size or type), UNEXPECTED (receiver index is not ours), BAD_PUBLIC_KEY,
     *                       DECRYPTION_FAILED (wrong key, wrong pre-shared key, or tampered)
     */
    public SessionKeys consumeResponse(byte[] msg, int off, int len) throws WireException {
        if (len != RESPONSE_SIZE || Bytes.getIntLE(msg, off) != MessageType.RESPONSE.code()) {
            throw new WireException(Reason.MALFORMED, "not a 92-byte handshake response");
        }
        if (Bytes.getIntLE(msg, off + RESPONSE_RECEIVER) != senderIndex) {
            throw new WireException(Reason.UNEXPECTED, "response is for another handshake");
        }
        // Work on a copy: a forged response must leave this handshake able to accept the genuine one.
        SymmetricState s = new SymmetricState(state.chainKey, state.hash);
        byte[] remoteEphemeral = Bytes.slice(msg, off + RESPONSE_EPHEMERAL, 32);
        s.mixKey(remoteEphemeral);
        s.mixHash(remoteEphemeral);
        s.mixKey(dh(ephemeralPrivate, remoteEphemeral));
        s.mixKey(dh(local.privateKey(), remoteEphemeral));
        byte[] key = s.mixPresharedKey(presharedKey);
        if (s.decryptAndHash(key, msg, off + RESPONSE_EMPTY, ChaChaPoly.TAG_SIZE) == null) {
            throw new WireException(Reason.DECRYPTION_FAILED, "response does not authenticate");
        }
        int remoteIndex = Bytes.getIntLE(msg, off + RESPONSE_SENDER);
        return SessionKeys.derive(s.chainKey, senderIndex, remoteIndex, true);
    }

    static byte[] dh(byte[] privateKey, byte[] publicKey) throws WireException {
        byte[] shared = Curve25519.sharedSecret(privateKey, publicKey);
        if (shared == null) {
            throw new WireException(Reason.BAD_PUBLIC_KEY);
        }
        return shared;
    }
}
