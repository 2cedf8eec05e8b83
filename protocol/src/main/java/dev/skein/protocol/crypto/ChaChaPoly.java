package dev.skein.protocol.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AEAD(key, counter, plain, aad) of the WireGuard paper: ChaCha20-Poly1305 (RFC 8439) with a 96-bit nonce of
 * 32 zero bits followed by the little-endian 64-bit counter. One-shot and allocating: for the handshake. The
 * transport hot path uses {@code dev.skein.protocol.transport.TransportAead} instead.
 */
public final class ChaChaPoly {
    public static final int KEY_SIZE = 32;
    public static final int TAG_SIZE = 16;
    public static final int NONCE_SIZE = 12;

    private ChaChaPoly() {}

    public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] aad) {
        ChaCha20Poly1305 aead = init(true, key, nonce(counter), aad);
        byte[] out = new byte[plaintext.length + TAG_SIZE];
        int n = aead.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            aead.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    /** Returns the plaintext, or null when the tag does not authenticate. */
    public static byte[] open(byte[] key, long counter, byte[] ciphertext, int off, int len, byte[] aad) {
        if (len < TAG_SIZE) {
            return null;
        }
        ChaCha20Poly1305 aead = init(false, key, nonce(counter), aad);
        byte[] out = new byte[len - TAG_SIZE];
        int n = aead.processBytes(ciphertext, off, len, out, 0);
        try {
            aead.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            return null;
        }
    }

    /** The 12-byte nonce for a counter: four zero bytes, then the counter little-endian. */
    public static byte[] nonce(long counter) {
        byte[] nonce = new byte[NONCE_SIZE];
        writeNonce(counter, nonce);
        return nonce;
    }

    public static void writeNonce(long counter, byte[] nonce) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
    }

    static ChaCha20Poly1305 init(boolean encrypt, byte[] key, byte[] nonce, byte[] aad) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
        }
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_SIZE * 8, nonce, aad));
        return aead;
    }
}
