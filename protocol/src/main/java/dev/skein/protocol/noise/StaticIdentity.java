package dev.skein.protocol.noise;

import dev.skein.protocol.crypto.Blake2s;
import dev.skein.protocol.crypto.Curve25519;

/**
 * This node's static X25519 key pair, with the two keys derived from its public half that every received
 * handshake needs: the MAC1 key HASH(LABEL_MAC1 || S<sub>pub</sub>) and the cookie key HASH(LABEL_COOKIE ||
 * S<sub>pub</sub>).
 */
public final class StaticIdentity {
    private final byte[] privateKey;
    private final byte[] publicKey;
    private final byte[] mac1Key;
    private final byte[] cookieKey;

    public StaticIdentity(byte[] privateKey) {
        this.privateKey = privateKey.clone();
        this.publicKey = Curve25519.publicKey(privateKey);
        this.mac1Key = mac1Key(publicKey);
        this.cookieKey = cookieKey(publicKey);
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    byte[] privateKey() {
        return privateKey;
    }

    /** X25519 of our private key with {@code peerPublicKey}: the same secret on both sides, for keys of our own. */
    public byte[] agree(byte[] peerPublicKey) {
        return Curve25519.sharedSecret(privateKey, peerPublicKey);
    }

    public byte[] mac1Key() {
        return mac1Key;
    }

    public byte[] cookieKey() {
        return cookieKey;
    }

    /** The key a sender uses for MAC1 of a message to the holder of {@code publicKey}. */
    public static byte[] mac1Key(byte[] publicKey) {
        return Blake2s.hash(Noise.LABEL_MAC1, publicKey);
    }

    /** The key that encrypts cookies sent by the holder of {@code publicKey}. */
    public static byte[] cookieKey(byte[] publicKey) {
        return Blake2s.hash(Noise.LABEL_COOKIE, publicKey);
    }
}
