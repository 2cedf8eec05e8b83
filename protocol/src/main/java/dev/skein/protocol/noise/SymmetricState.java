package dev.skein.protocol.noise;

import dev.skein.protocol.crypto.Blake2s;
import dev.skein.protocol.crypto.ChaChaPoly;

/**
 * The running chaining key C and hash H of one handshake, with the operations of the WireGuard paper named as
 * in wireguard-go: mixHash, mixKey, and AEAD under the current hash. Not thread-safe; one per handshake.
 */
final class SymmetricState {
    byte[] chainKey;
    byte[] hash;

    SymmetricState(byte[] chainKey, byte[] hash) {
        this.chainKey = chainKey;
        this.hash = hash;
    }

    /** The state every handshake towards {@code responderStatic} starts from: H := HASH(H<sub>i</sub> || S<sub>pub</sub>r). */
    static SymmetricState towards(byte[] responderStatic) {
        return new SymmetricState(Noise.initialChainKey(), Blake2s.hash(Noise.INITIAL_HASH, responderStatic));
    }

    /** H := HASH(H || data). */
    void mixHash(byte[] data) {
        hash = Blake2s.hash(hash, data);
    }

    /** C := KDF1(C, input). */
    void mixKey(byte[] input) {
        chainKey = Blake2s.kdf(1, chainKey, input)[0];
    }

    /** (C, κ) := KDF2(C, input); returns κ. */
    byte[] mixKeyAndDeriveKey(byte[] input) {
        byte[][] t = Blake2s.kdf(2, chainKey, input);
        chainKey = t[0];
        return t[1];
    }

    /** (C, τ, κ) := KDF3(C, Q); H := HASH(H || τ); returns κ. The pre-shared key step. */
    byte[] mixPresharedKey(byte[] psk) {
        byte[][] t = Blake2s.kdf(3, chainKey, psk);
        chainKey = t[0];
        mixHash(t[1]);
        return t[2];
    }

    /** msg := AEAD(κ, 0, plain, H); H := HASH(H || msg). */
    byte[] encryptAndHash(byte[] key, byte[] plaintext) {
        byte[] sealed = ChaChaPoly.seal(key, 0, plaintext, hash);
        mixHash(sealed);
        return sealed;
    }

    /** The inverse of {@link #encryptAndHash}; null when the message does not authenticate. */
    byte[] decryptAndHash(byte[] key, byte[] msg, int off, int len) {
        byte[] plain = ChaChaPoly.open(key, 0, msg, off, len, hash);
        if (plain != null) {
            mixHash(java.util.Arrays.copyOfRange(msg, off, off + len));
        }
        return plain;
    }
}
