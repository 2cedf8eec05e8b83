package dev.skein.protocol.cookie;

import dev.skein.protocol.crypto.Blake2s;
import dev.skein.protocol.crypto.XChaChaPoly;
import dev.skein.protocol.noise.Layout;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.wire.Bytes;
import dev.skein.protocol.wire.MessageType;
import java.security.SecureRandom;

/**
 * The receiving side of the cookie mechanism: checks MAC1 of every handshake message addressed to us, and,
 * when the node is under load, MAC2, answering messages without a valid MAC2 with a cookie reply instead of
 * doing the expensive Diffie-Hellman work. The cookie is MAC(R<sub>m</sub>, source address), where the secret
 * R<sub>m</sub> changes every two minutes, so only a sender that can receive at its source address can get one.
 *
 * <p>Time comes in as {@code nowNanos} (any monotonic clock) so tests can move it. Thread-safe.
 */
public final class CookieChecker {
    private volatile byte[] mac1Key;
    private volatile byte[] cookieKey;
    private final SecureRandom random;
    private byte[] secret;
    private long secretSetAt;

    public CookieChecker(StaticIdentity local, SecureRandom random) {
        this.mac1Key = local.mac1Key();
        this.cookieKey = local.cookieKey();
        this.random = random;
    }

    /** Our static key changed (a key rotation): MAC1 and cookie replies are keyed by the new public key. */
    public void rekey(StaticIdentity local) {
        this.mac1Key = local.mac1Key();
        this.cookieKey = local.cookieKey();
    }

    /** MAC1 = MAC(HASH(LABEL_MAC1 || S<sub>pub</sub>), msg up to MAC1): proves the sender knows our public key. */
    public boolean checkMac1(byte[] msg, int off, int len) {
        int mac1 = Layout.mac1Offset(len);
        byte[] expected = Blake2s.mac(mac1Key, msg, off, mac1);
        return Bytes.constantTimeEquals(expected, 0, msg, off + mac1, Blake2s.MAC_SIZE);
    }

    /** MAC2 = MAC(cookie for {@code source}, msg up to MAC2); false when no fresh secret exists. */
    public synchronized boolean checkMac2(byte[] msg, int off, int len, byte[] source, long nowNanos) {
        if (secret == null || nowNanos - secretSetAt > CookieReply.COOKIE_REFRESH_NANOS) {
            return false;
        }
        byte[] cookie = Blake2s.mac(secret, source, 0, source.length);
        int mac2 = Layout.mac2Offset(len);
        byte[] expected = Blake2s.mac(cookie, msg, off, mac2);
        return Bytes.constantTimeEquals(expected, 0, msg, off + mac2, Blake2s.MAC_SIZE);
    }

    /**
     * The 64-byte cookie reply to a handshake message (whose MAC1 was valid) from {@code source}: the cookie
     * encrypted with XAEAD(HASH(LABEL_COOKIE || S<sub>pub</sub>), nonce, cookie, MAC1 of the message).
     */
    public synchronized byte[] createReply(byte[] msg, int off, int len, byte[] source, long nowNanos) {
        if (secret == null || nowNanos - secretSetAt > CookieReply.COOKIE_REFRESH_NANOS) {
            secret = new byte[32];
            random.nextBytes(secret);
            secretSetAt = nowNanos;
        }
        byte[] cookie = Blake2s.mac(secret, source, 0, source.length);
        byte[] nonce = new byte[XChaChaPoly.NONCE_SIZE];
        random.nextBytes(nonce);
        byte[] mac1 = Bytes.slice(msg, off + Layout.mac1Offset(len), Blake2s.MAC_SIZE);
        byte[] sealed = XChaChaPoly.seal(cookieKey, nonce, cookie, mac1);

        byte[] reply = new byte[CookieReply.SIZE];
        Bytes.putIntLE(reply, 0, MessageType.COOKIE_REPLY.code());
        // Both handshake messages carry the sender index at offset 4.
        Bytes.putIntLE(reply, CookieReply.RECEIVER, Bytes.getIntLE(msg, off + 4));
        System.arraycopy(nonce, 0, reply, CookieReply.NONCE, nonce.length);
        System.arraycopy(sealed, 0, reply, CookieReply.COOKIE, sealed.length);
        return reply;
    }
}
