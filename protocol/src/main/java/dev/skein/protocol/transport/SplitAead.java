package dev.skein.protocol.transport;

import dev.skein.protocol.wire.Bytes;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * ChaCha20-Poly1305 (RFC 8439) put together from the JDK's ChaCha20 stream cipher and Bouncy Castle's Poly1305.
 * On CPUs without AVX-512 the JDK's own AEAD computes Poly1305 with its generic big-number code
 * ({@code IntegerPolynomial}), which a profile of the data plane found to take about half of the sender's time,
 * while its ChaCha20 keystream is intrinsic on AVX2; Bouncy Castle's Poly1305 is plain arithmetic on five 26-bit
 * limbs, several times cheaper. The construction is the RFC's: block 0 of the keystream gives the one-time
 * Poly1305 key, blocks 1.. encrypt, and the tag covers the ciphertext padded to 16 bytes and the two lengths
 * (no associated data here). {@code TransportAeadTest} checks it against both whole-AEAD providers byte for
 * byte.
 */
final class SplitAead extends ArrayBackedAead {
    private static final byte[] ZEROS = new byte[64];
    private final Cipher sealer;
    private final Cipher opener;
    private final Poly1305 mac = new Poly1305();
    private final PacketCipherInit packet = new PacketCipherInit(nonce -> new ChaCha20ParameterSpec(nonce, 0));
    private final byte[] block0 = new byte[64];
    private final byte[] tag = new byte[TAG_SIZE];
    private final byte[] lengths = new byte[16];

    SplitAead() throws GeneralSecurityException {
        sealer = Cipher.getInstance("ChaCha20");
        opener = Cipher.getInstance("ChaCha20");
    }

    @Override
    public String name() {
        return "split";
    }

    @Override
    int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            start(sealer, Cipher.ENCRYPT_MODE, key, counter);
            sealer.update(in, inOff, len, out, outOff);
            authenticate(out, outOff, len);
            System.arraycopy(tag, 0, out, outOff + len, TAG_SIZE);
            return len + TAG_SIZE;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed: " + e.getMessage(), e);
        }
    }

    @Override
    int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_SIZE) {
            return -1;
        }
        int ctLen = len - TAG_SIZE;
        try {
            start(opener, Cipher.DECRYPT_MODE, key, counter);
            authenticate(in, inOff, ctLen);
            if (!Bytes.constantTimeEquals(tag, 0, in, inOff + ctLen, TAG_SIZE)) {
                return -1;
            }
            opener.update(in, inOff, ctLen, out, outOff);
            return ctLen;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed: " + e.getMessage(), e);
        }
    }

    /** Initialises the cipher at block 0 for this packet's nonce and keys the MAC with that block. */
    private void start(Cipher cipher, int mode, byte[] key, long counter) throws GeneralSecurityException {
        packet.init(cipher, mode, key, counter);
        cipher.update(ZEROS, 0, 64, block0, 0); // block 0: the Poly1305 key; the stream goes on at block 1
        mac.init(new KeyParameter(block0, 0, 32));
    }

    /** The tag over {@code ct[off, off+len)}: MAC(ciphertext || pad16 || le64(0) || le64(len)). */
    private void authenticate(byte[] ct, int off, int len) {
        mac.update(ct, off, len);
        int pad = (16 - len % 16) % 16;
        if (pad > 0) {
            mac.update(ZEROS, 0, pad);
        }
        java.util.Arrays.fill(lengths, (byte) 0);
        for (int i = 0; i < 8; i++) {
            lengths[8 + i] = (byte) ((long) len >>> (8 * i));
        }
        mac.update(lengths, 0, 16);
        mac.doFinal(tag, 0);
    }
}
