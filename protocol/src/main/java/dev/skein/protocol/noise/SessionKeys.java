package dev.skein.protocol.noise;

/**
 * The result of a completed handshake: the two transport keys and the two session indices. {@code localIndex}
 * is the index we chose (peers put it in the receiver field of what they send us), {@code remoteIndex} is the
 * one the peer chose (we put it in the receiver field of what we send).
 */
public record SessionKeys(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, boolean initiator) {
    /** (T<sup>send</sup><sub>i</sub> = T<sup>recv</sup><sub>r</sub>, T<sup>recv</sup><sub>i</sub> = T<sup>send</sup><sub>r</sub>) := KDF2(C, ε). */
    static SessionKeys derive(byte[] chainKey, int localIndex, int remoteIndex, boolean initiator) {
        byte[][] t = dev.skein.protocol.crypto.Blake2s.kdf(2, chainKey, new byte[0]);
        return initiator
                ? new SessionKeys(t[0], t[1], localIndex, remoteIndex, true)
                : new SessionKeys(t[1], t[0], localIndex, remoteIndex, false);
    }
}
