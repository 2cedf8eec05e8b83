package dev.skein.protocol.crypto;

import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc7748.X25519;

/** X25519 key pairs and Diffie-Hellman, as WireGuard uses them (32-byte clamped scalars and u-coordinates). */
public final class Curve25519 {
    public static final int KEY_SIZE = 32;

    private Curve25519() {}

    /** A new random private key, already clamped as `wg genkey` writes it. */
    public static byte[] generatePrivateKey(SecureRandom random) {
        byte[] key = new byte[KEY_SIZE];
        X25519.generatePrivateKey(random, key);
        return key;
    }

    public static byte[] publicKey(byte[] privateKey) {
        requireKey(privateKey, "private key");
        byte[] pub = new byte[KEY_SIZE];
        X25519.generatePublicKey(privateKey, 0, pub, 0);
        return pub;
    }

    /**
     * DH(private, public). Returns null when the result is all zeros (a low-order public key): the
     * handshake must then be refused, as wireguard-go does.
     */
    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) {
        requireKey(privateKey, "private key");
        requireKey(publicKey, "public key");
        byte[] shared = new byte[KEY_SIZE];
        return X25519.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0) ? shared : null;
    }

    /** Parses a key written as base64 (the format of `wg genkey` and `wg pubkey`). */
    public static byte[] decodeBase64(String text) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a base64 key: " + e.getMessage());
        }
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("a key is 32 bytes, this one is " + key.length);
        }
        return key;
    }

    public static String encodeBase64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    private static void requireKey(byte[] key, String what) {
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException(what + " must be " + KEY_SIZE + " bytes");
        }
    }
}
