package dev.skein.protocol.transport;

import dev.skein.protocol.crypto.ChaChaPoly;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/** Bouncy Castle's pure-Java ChaCha20-Poly1305: the reference the JDK provider is tested against. */
final class BouncyCastleAead extends ArrayBackedAead {
    private final ChaCha20Poly1305 cipher = new ChaCha20Poly1305();
    private final byte[] nonce = new byte[ChaChaPoly.NONCE_SIZE];
    private byte[] lastKey;
    private KeyParameter keyParameter;

    @Override
    public String name() {
        return "bouncycastle";
    }

    @Override
    int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        init(true, key, counter);
        int n = cipher.processBytes(in, inOff, len, out, outOff);
        try {
            return n + cipher.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
    }

    @Override
    int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        init(false, key, counter);
        int n = cipher.processBytes(in, inOff, len, out, outOff);
        try {
            return n + cipher.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            return -1;
        }
    }

    private void init(boolean encrypt, byte[] key, long counter) {
        if (key != lastKey) {
            keyParameter = new KeyParameter(key);
            lastKey = key;
        }
        ChaChaPoly.writeNonce(counter, nonce);
        cipher.init(encrypt, new ParametersWithIV(keyParameter, nonce));
    }
}
