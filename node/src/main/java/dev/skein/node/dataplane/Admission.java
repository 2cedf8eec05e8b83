package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.protocol.cookie.CookieChecker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Predicate;

/**
 * What an unauthenticated datagram must pass before it may cost the node anything: cheap checks first, then
 * the rate limits, and only then the Diffie-Hellman of a handshake or the signature checks of a join. The
 * length and type checks come before this ({@code MessageType.of}: a handshake or join message of the wrong size
 * never gets here).
 *
 * <p>Handshake messages (initiations and responses, which cost two X25519 operations each): MAC1, which proves
 * the sender knows our public key; then the sender's own token bucket, {@link #Constants.HANDSHAKES_PER_SOURCE} a second,
 * keyed by its address. MAC2, a cookie that proves the sender receives at its source address, is required
 * (without it the sender gets a cookie reply, smaller than its message) in two cases: when the node is under
 * load, more than {@link #Constants.HANDSHAKES_UNDER_LOAD} messages a second admitted from all sources (many sources,
 * likely spoofed); and from a source whose bucket is empty, which then has a second bucket of the same size for
 * messages with a valid cookie. So one flooding host never puts the node under load (its excess is refused or
 * asked for a cookie, never admitted), and a spoofer that drains an honest address's bucket cannot lock that
 * address out: the honest sender receives the cookie and uses the second bucket.
 *
 * <p>Join messages (one or two Ed25519 checks on the membership thread) have budgets of their own, so that no
 * source of garbage can crowd out another: members and the seeds we joined through ({@code knownSource}: where a
 * member's packets come from or may come from) get {@link #Constants.JOINS_PER_KNOWN_SOURCE} a second each; every other
 * source {@link #Constants.JOINS_PER_STRANGER} a second, and all strangers together {@link #Constants.JOINS_FROM_STRANGERS}, so one
 * stranger's flood takes only its own share of the newcomers' budget.
 *
 * <p>Used by the receive thread only. Every refusal is counted by the caller.
 */
final class Admission {

    /** The outcome for a handshake message. */
    enum Verdict {
        /** Go ahead: the Diffie-Hellman work may be done. */
        ADMIT,
        /** MAC1 is wrong: not for us, or garbage. */
        BAD_MAC,
        /** Under load without a valid cookie: answer with a cookie reply, do nothing else. */
        SEND_COOKIE,
        /** Its source has used its budget: drop it. */
        RATE_LIMITED
    }

    private final CookieChecker cookies;
    private final Predicate<InetAddress> knownSource;
    private final SourceRateLimiter handshakes =
            new SourceRateLimiter(Constants.HANDSHAKES_PER_SOURCE, Constants.HANDSHAKE_BURST, Constants.TRACKED_SOURCES);
    /** Per source, for messages that carry a valid cookie (MAC2): those that proved their address. */
    private final SourceRateLimiter provenHandshakes =
            new SourceRateLimiter(Constants.HANDSHAKES_PER_SOURCE, Constants.HANDSHAKE_BURST, Constants.TRACKED_SOURCES);
    private final SourceRateLimiter strangerJoins =
            new SourceRateLimiter(Constants.JOINS_PER_STRANGER, Constants.STRANGER_BURST, Constants.TRACKED_SOURCES);
    private final SourceRateLimiter memberJoins =
            new SourceRateLimiter(Constants.JOINS_PER_KNOWN_SOURCE, Constants.JOINS_PER_KNOWN_SOURCE, Constants.TRACKED_SOURCES);
    /** All strangers together, as one source (key 0) with a second's worth of burst. */
    private final SourceRateLimiter allStrangers =
            new SourceRateLimiter(Constants.JOINS_FROM_STRANGERS, Constants.JOINS_FROM_STRANGERS, 1);
    private long loadWindowStart;
    private int handshakesInWindow;

    Admission(CookieChecker cookies, Predicate<InetAddress> knownSource) {
        this.cookies = cookies;
        this.knownSource = knownSource;
    }

    /**
     * Decides on a handshake message (initiation or response) from {@code from}. {@code relaySource}: when it came
     * through a relay, the key id of the member the relay forwarded it for (the relay checked that member's
     * address), which then stands for the source and counts as proven; else 0.
     */
    Verdict handshake(byte[] msg, InetSocketAddress from, long relaySource, long now) {
        if (!cookies.checkMac1(msg, 0, msg.length)) {
            return Verdict.BAD_MAC;
        }
        if (now - loadWindowStart > 1_000_000_000L) {
            loadWindowStart = now;
            handshakesInWindow = 0;
        }
        long key = relaySource != 0 ? relaySource : SourceRateLimiter.key(from.getAddress());
        boolean underLoad = handshakesInWindow >= Constants.HANDSHAKES_UNDER_LOAD;
        // A refused allow() charges nothing: the bucket only refills to now.
        if (!underLoad && handshakes.allow(key, now)) {
            handshakesInWindow++;
            return Verdict.ADMIT;
        }
        // Under load, or this source used its budget: only a message that proves its address goes on. A relayed
        // one has been proven by the relay, which forwards only from a member at the address its authenticated
        // packets come from (and could not pass a cookie on: the relay's address is not the sender's).
        if (relaySource == 0 && !cookies.checkMac2(msg, 0, msg.length, cookieSource(from), now)) {
            return Verdict.SEND_COOKIE;
        }
        if (!provenHandshakes.allow(key, now)) {
            return Verdict.RATE_LIMITED;
        }
        handshakesInWindow++;
        return Verdict.ADMIT;
    }

    /** The cookie reply to a handshake message that got {@link Verdict#SEND_COOKIE}. */
    byte[] cookieReply(byte[] msg, InetSocketAddress from, long now) {
        return cookies.createReply(msg, 0, msg.length, cookieSource(from), now);
    }

    /**
     * True if a join message (already known to be of the right size) from {@code from} may go on to membership.
     * {@code relaySource} as for {@link #handshake}: a relayed join comes from a member's relay, a known source.
     */
    boolean join(InetSocketAddress from, long relaySource, long now) {
        if (relaySource != 0) {
            return memberJoins.allow(relaySource, now);
        }
        InetAddress address = from.getAddress();
        if (knownSource.test(address)) {
            return memberJoins.allow(address, now);
        }
        // Per source first: a flooding stranger is stopped by its own bucket before it reaches the shared one.
        return strangerJoins.allow(address, now) && allStrangers.allow(0L, now);
    }

    /** The cookie binds the source address and port (as WireGuard's does). */
    private static byte[] cookieSource(InetSocketAddress from) {
        byte[] ip = from.getAddress().getAddress();
        byte[] out = new byte[ip.length + 2];
        System.arraycopy(ip, 0, out, 0, ip.length);
        out[ip.length] = (byte) (from.getPort() >>> 8);
        out[ip.length + 1] = (byte) from.getPort();
        return out;
    }
}
