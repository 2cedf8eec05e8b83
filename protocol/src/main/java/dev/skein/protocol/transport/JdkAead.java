package dev.skein.protocol.transport;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

/**
 * The JDK's own ChaCha20-Poly1305 (SunJCE). On JDK 20+ it runs on CPU intrinsics and is about three times
 * faster than Bouncy Castle. The Cipher must be re-initialised for every packet; {@link PacketCipherInit} keeps
 * the key spec and the nonce array. Sealing and opening use separate Cipher objects:
 * SunJCE refuses to initialise one object twice in a row with the same key and nonce, which opening a
 * message we just sealed (or a replayed one, before the window refuses it) would do.
 */
final class JdkAead extends ArrayBackedAead {
    private final Cipher sealer;
    private final Cipher opener;
    private final PacketCipherInit packet = new PacketCipherInit(IvParameterSpec::new);

    JdkAead() throws GeneralSecurityException {
        sealer = Cipher.getInstance("ChaCha20-Poly1305");
        opener = Cipher.getInstance("ChaCha20-Poly1305");
    }

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            packet.init(sealer, Cipher.ENCRYPT_MODE, key, counter);
            return sealer.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            // Only a repeated (key, counter) or a wrong key size gets here: both are bugs of the caller.
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed: " + e.getMessage(), e);
        }
    }

    @Override
    int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            packet.init(opener, Cipher.DECRYPT_MODE, key, counter);
            return opener.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed: " + e.getMessage(), e);
        }
    }
}
