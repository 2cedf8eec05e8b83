package dev.skein.protocol.transport;

import dev.skein.protocol.crypto.ChaChaPoly;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Initialises a SunJCE ChaCha20 cipher for one packet: keeps the key spec while the key stays the same, writes
 * the WireGuard nonce (four zero bytes, the counter little-endian) into a reused array, and, when opening,
 * steps around SunJCE's refusal to take the key and nonce it was last given (a replayed message, or one we just
 * sealed ourselves). Sealing never steps around it: a repeated nonce there is a bug that must surface.
 */
final class PacketCipherInit {
    private final byte[] nonce = new byte[ChaChaPoly.NONCE_SIZE];
    private final Function<byte[], AlgorithmParameterSpec> spec;
    private byte[] lastKey;
    private SecretKeySpec keySpec;

    /** {@code spec} turns the nonce into the cipher's parameters (an IV, or a ChaCha20 spec at block 0). */
    PacketCipherInit(Function<byte[], AlgorithmParameterSpec> spec) {
        this.spec = spec;
    }

    void init(Cipher cipher, int mode, byte[] key, long counter) throws GeneralSecurityException {
        if (key != lastKey) {
            keySpec = new SecretKeySpec(key, "ChaCha20");
            lastKey = key;
        }
        try {
            cipher.init(mode, keySpec, at(counter));
        } catch (InvalidKeyException sameKeyAndNonce) {
            if (mode == Cipher.ENCRYPT_MODE) {
                throw sameKeyAndNonce;
            }
            cipher.init(mode, keySpec, at(counter + 1));
            cipher.init(mode, keySpec, at(counter));
        }
    }

    private AlgorithmParameterSpec at(long counter) {
        ChaChaPoly.writeNonce(counter, nonce);
        return spec.apply(nonce);
    }
}
