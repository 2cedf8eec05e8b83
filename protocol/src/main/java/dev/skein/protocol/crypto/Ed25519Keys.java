package dev.skein.protocol.crypto;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Ed25519 (RFC 8032) signing keys: the CA signs certificates with one, each node signs its gossip records. */
public final class Ed25519Keys {
    public static final int KEY_SIZE = 32;
    public static final int SIGNATURE_SIZE = 64;

    private Ed25519Keys() {}

    public static byte[] generatePrivateKey(SecureRandom random) {
        return new Ed25519PrivateKeyParameters(random).getEncoded();
    }

    public static byte[] publicKey(byte[] privateKey) {
        return new Ed25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
    }

    public static byte[] sign(byte[] privateKey, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(privateKey, 0));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** False for a wrong signature, and for a key or signature of the wrong size or not on the curve. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != KEY_SIZE || signature == null
                || signature.length != SIGNATURE_SIZE) {
            return false;
        }
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
