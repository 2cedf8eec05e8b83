package dev.skein.protocol.transport;

import java.nio.ByteBuffer;

/**
 * ChaCha20-Poly1305 for transport data, the hot path of the data plane: AEAD(key, counter, packet, ε) with the
 * WireGuard nonce (four zero bytes, then the counter little-endian) and no associated data.
 *
 * <p>Works on caller-provided buffers and allocates nothing per packet of its own. An instance holds a
 * cipher object and scratch space, so it is <b>not thread-safe</b>: give each I/O or crypto thread its own
 * ({@link TransportAeads#create}). Three providers agree byte for byte: the JDK's ChaCha20 with Bouncy Castle's
 * Poly1305 (the default), the JDK's {@code ChaCha20-Poly1305} Cipher, and Bouncy Castle's pure-Java one.
 */
public interface TransportAead {
    int TAG_SIZE = 16;

    /** "split", "jdk" or "bouncycastle". */
    String name();

    /**
     * Encrypts {@code src}'s remaining bytes into {@code dst} as ciphertext || tag. Advances both buffers.
     *
     * @return bytes written to {@code dst}: {@code src.remaining() + 16}
     */
    int seal(byte[] key, long counter, ByteBuffer src, ByteBuffer dst);

    /**
     * Decrypts {@code src}'s remaining bytes (ciphertext || tag) into {@code dst}. On success advances both
     * buffers; when the tag does not authenticate nothing is advanced.
     *
     * @return plaintext length, or -1 when authentication fails
     */
    int open(byte[] key, long counter, ByteBuffer src, ByteBuffer dst);
}
