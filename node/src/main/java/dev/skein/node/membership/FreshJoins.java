package dev.skein.node.membership;

import dev.skein.protocol.member.JoinMessage;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells fresh join messages from replayed ones. A join is signed, but a captured one stays valid for
 * {@link JoinMessage#MAX_AGE}: replayed, it would keep a dead member in its join grace, or teach a node an address
 * as its own. So:
 * <ul>
 *   <li>each sender's joins must come with ever later timestamps (as WireGuard's initiations do): a join no later
 *       than the last one accepted from that name is a replay or a duplicate;</li>
 *   <li>a reply must echo the nonce of a request we sent within {@link #REPLY_WINDOW_NANOS}: a reply captured
 *       elsewhere answers no request of ours.</li>
 * </ul>
 * Bounded: senders are CA-certified names, and at most {@link #MAX_SENDERS} are remembered (the least recent go
 * first); at most {@link #MAX_NONCES} requests are outstanding. Used by the membership thread only.
 */
final class FreshJoins {
    /** Longer than a greeting is reused (30 s), since its replies echo the nonce it was signed with. */
    static final long REPLY_WINDOW_NANOS = 60_000_000_000L;
    private static final int MAX_SENDERS = 4096;
    private static final int MAX_NONCES = 128;

    private final SecureRandom random;
    private final Map<String, Long> lastMillis = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_SENDERS;
        }
    };
    private final LinkedHashMap<ByteBuffer, Long> nonces = new LinkedHashMap<>();

    FreshJoins(SecureRandom random) {
        this.random = random;
    }

    /** A nonce for the next request or greeting, remembered so that the replies to it are recognised. */
    byte[] newRequestNonce(long nowNanos) {
        byte[] nonce = new byte[JoinMessage.NONCE_SIZE];
        random.nextBytes(nonce);
        nonces.values().removeIf(t -> nowNanos - t > REPLY_WINDOW_NANOS);
        while (nonces.size() >= MAX_NONCES) {
            nonces.remove(nonces.keySet().iterator().next());
        }
        nonces.put(ByteBuffer.wrap(nonce.clone()), nowNanos);
        return nonce;
    }

    /**
     * Null if {@code j} (verified) is fresh, which is then remembered as the sender's latest; else why it is not.
     */
    String refusal(JoinMessage j, long nowNanos) {
        if (j.reply()) {
            Long sent = nonces.get(ByteBuffer.wrap(j.nonce()));
            if (sent == null || nowNanos - sent > REPLY_WINDOW_NANOS) {
                return "a reply to no request of ours";
            }
        }
        Long last = lastMillis.get(j.name());
        if (last != null && j.unixMillis() <= last) {
            return "not later than the last join from " + j.name();
        }
        lastMillis.put(j.name(), j.unixMillis());
        return null;
    }
}
