package dev.skein.protocol.cookie;

import dev.skein.protocol.crypto.Blake2s;
import dev.skein.protocol.crypto.XChaChaPoly;
import dev.skein.protocol.noise.Layout;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.wire.Bytes;

/**
 * The sending side of the cookie mechanism, one per peer: writes MAC1 (always) and MAC2 (while we hold a fresh
 * cookie from that peer) into each handshake message we send it, and takes the cookie out of a cookie reply.
 * Time comes in as {@code nowNanos}. Thread-safe.
 */
public final class CookieGenerator {
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private byte[] lastMac1;
    private byte[] cookie;
    private long cookieSetAt;

    /** @param peerPublic the static public key of the peer we send handshake messages to */
    public CookieGenerator(byte[] peerPublic) {
        this.mac1Key = StaticIdentity.mac1Key(peerPublic);
        this.cookieKey = StaticIdentity.cookieKey(peerPublic);
    }

    /** Fills MAC1 and MAC2 of the handshake message {@code msg[off, off+len)}, in place. */
    public synchronized void addMacs(byte[] msg, int off, int len, long nowNanos) {
        int mac1 = Layout.mac1Offset(len);
        int mac2 = Layout.mac2Offset(len);
        lastMac1 = Blake2s.mac(mac1Key, msg, off, mac1);
        System.arraycopy(lastMac1, 0, msg, off + mac1, Blake2s.MAC_SIZE);
        if (cookie != null && nowNanos - cookieSetAt < CookieReply.COOKIE_REFRESH_NANOS) {
            System.arraycopy(Blake2s.mac(cookie, msg, off, mac2), 0, msg, off + mac2, Blake2s.MAC_SIZE);
        } else {
            java.util.Arrays.fill(msg, off + mac2, off + mac2 + Blake2s.MAC_SIZE, (byte) 0);
        }
    }

    /**
     * Takes the cookie from a 64-byte cookie reply. Returns false (and keeps any previous cookie) when the
     * reply does not answer the last message we sent or does not authenticate.
     */
    public synchronized boolean consumeReply(byte[] reply, int off, int len, long nowNanos) {
        if (lastMac1 == null || len != CookieReply.SIZE
                || Bytes.getIntLE(reply, off) != dev.skein.protocol.wire.MessageType.COOKIE_REPLY.code()) {
            return false;
        }
        byte[] nonce = Bytes.slice(reply, off + CookieReply.NONCE, XChaChaPoly.NONCE_SIZE);
        byte[] sealed = Bytes.slice(reply, off + CookieReply.COOKIE, CookieReply.SIZE - CookieReply.COOKIE);
        byte[] opened = XChaChaPoly.open(cookieKey, nonce, sealed, lastMac1);
        if (opened == null) {
            return false;
        }
        cookie = opened;
        cookieSetAt = nowNanos;
        lastMac1 = null;
        return true;
    }
}
