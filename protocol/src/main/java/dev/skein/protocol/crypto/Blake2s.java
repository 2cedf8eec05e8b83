package dev.skein.protocol.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The BLAKE2s functions of the WireGuard paper (§5.4): HASH, MAC, HMAC and the HKDF-style KDF<sub>n</sub>.
 * Used by the handshake and the cookie mechanism, never per transport packet, so each call may allocate.
 */
public final class Blake2s {
    /** HASH output and KDF block size. */
    public static final int HASH_SIZE = 32;
    /** MAC1, MAC2 and cookie size. */
    public static final int MAC_SIZE = 16;

    private Blake2s() {}

    /** HASH(parts[0] || parts[1] || ...): unkeyed BLAKE2s-256. */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest digest = new Blake2sDigest(256);
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[HASH_SIZE];
        digest.doFinal(out, 0);
        return out;
    }

    /** MAC(key, input): keyed BLAKE2s with a 16-byte output, over {@code input[off, off+len)}. */
    public static byte[] mac(byte[] key, byte[] input, int off, int len) {
        Blake2sDigest digest = new Blake2sDigest(key, MAC_SIZE, null, null);
        digest.update(input, off, len);
        byte[] out = new byte[MAC_SIZE];
        digest.doFinal(out, 0);
        return out;
    }

    /** HMAC(key, parts...): RFC 2104 HMAC over BLAKE2s-256 (block size 64), as WireGuard's KDF uses it. */
    public static byte[] hmac(byte[] key, byte[]... parts) {
        HMac hmac = new HMac(new Blake2sDigest(256));
        hmac.init(new KeyParameter(key));
        for (byte[] part : parts) {
            hmac.update(part, 0, part.length);
        }
        byte[] out = new byte[HASH_SIZE];
        hmac.doFinal(out, 0);
        return out;
    }

    /**
     * KDF<sub>n</sub>(key, input): τ0 = HMAC(key, input); τ1 = HMAC(τ0, 0x1); τi = HMAC(τ0, τ(i-1) || i).
     * Returns τ1..τn.
     */
    public static byte[][] kdf(int n, byte[] key, byte[] input) {
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("WireGuard uses KDF1..KDF3, not KDF" + n);
        }
        byte[] prk = hmac(key, input);
        byte[][] out = new byte[n][];
        byte[] previous = new byte[0];
        for (int i = 0; i < n; i++) {
            out[i] = hmac(prk, previous, new byte[] {(byte) (i + 1)});
            previous = out[i];
        }
        java.util.Arrays.fill(prk, (byte) 0);
        return out;
    }
}
