package dev.skein.protocol.cookie;

/**
 * Layout of the cookie reply (message type 3, 64 bytes; WireGuard paper §5.4.7).
 *
 * <pre>
 *  0  type=3, reserved (4)
 *  4  receiver index (4): the sender index of the message being answered
 *  8  nonce (24)
 * 32  encrypted cookie (16 + 16)
 * </pre>
 */
public final class CookieReply {
    public static final int SIZE = 64;
    public static final int RECEIVER = 4;
    public static final int NONCE = 8;
    public static final int COOKIE = 32;

    /** How long a cookie, and the secret it is made from, stays valid: Cookie-Refresh-Time. */
    public static final long COOKIE_REFRESH_NANOS = 120_000_000_000L;

    private CookieReply() {}
}
