package dev.skein.protocol.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.util.Pack;

/**
 * XAEAD of the WireGuard paper (the cookie reply): XChaCha20-Poly1305 with a 24-byte nonce, per
 * draft-irtf-cfrg-xchacha. The subkey is HChaCha20(key, nonce[0..16)); the message is then sealed with
 * ChaCha20-Poly1305 under that subkey and the nonce 0x00000000 || nonce[16..24).
 *
 * <p>Bouncy Castle has no XChaCha20-Poly1305 AEAD, but exposes its ChaCha core: HChaCha20 is that core's
 * 20 rounds without the final feed-forward, which we undo by subtracting the input words.
 */
public final class XChaChaPoly {
    public static final int NONCE_SIZE = 24;

    private XChaChaPoly() {}

    public static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] aad) {
        ChaCha20Poly1305 aead = ChaChaPoly.init(true, hChaCha20(key, nonce), innerNonce(nonce), aad);
        byte[] out = new byte[plaintext.length + ChaChaPoly.TAG_SIZE];
        int n = aead.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            aead.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    /** Returns the plaintext, or null when the tag does not authenticate. */
    public static byte[] open(byte[] key, byte[] nonce, byte[] ciphertext, byte[] aad) {
        if (ciphertext.length < ChaChaPoly.TAG_SIZE) {
            return null;
        }
        ChaCha20Poly1305 aead = ChaChaPoly.init(false, hChaCha20(key, nonce), innerNonce(nonce), aad);
        byte[] out = new byte[ciphertext.length - ChaChaPoly.TAG_SIZE];
        int n = aead.processBytes(ciphertext, 0, ciphertext.length, out, 0);
        try {
            aead.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            return null;
        }
    }

    /** HChaCha20(key, nonce[0..16)) → 32-byte subkey. */
    static byte[] hChaCha20(byte[] key, byte[] nonce) {
        if (key.length != ChaChaPoly.KEY_SIZE || nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("XChaCha20 takes a 32-byte key and a 24-byte nonce");
        }
        int[] state = new int[16];
        // "expand 32-byte k"
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        Pack.littleEndianToInt(key, 0, state, 4, 8);
        Pack.littleEndianToInt(nonce, 0, state, 12, 4);
        int[] x = new int[16];
        ChaChaEngine.chachaCore(20, state, x);
        byte[] subkey = new byte[32];
        for (int i = 0; i < 4; i++) {
            Pack.intToLittleEndian(x[i] - state[i], subkey, 4 * i);
            Pack.intToLittleEndian(x[12 + i] - state[12 + i], subkey, 16 + 4 * i);
        }
        return subkey;
    }

    private static byte[] innerNonce(byte[] nonce) {
        byte[] inner = new byte[ChaChaPoly.NONCE_SIZE];
        System.arraycopy(nonce, 16, inner, 4, 8);
        return inner;
    }
}
