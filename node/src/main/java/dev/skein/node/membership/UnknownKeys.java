package dev.skein.node.membership;

import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Handshakes from keys that are no peer of ours. Usually a member whose record reaches us a moment later, so we
 * look again after {@link #WAIT}, then once more after 4 x {@link #WAIT}: by then it is a member (we start the
 * handshake ourselves, saving its retry), a member no longer alive (ignored), or worth a refusal. At most
 * {@link #MAX_PENDING} keys wait at a time, so a flood of strangers' keys costs nothing more.
 */
final class UnknownKeys {
    static final Duration WAIT = Duration.ofSeconds(1);
    static final int MAX_PENDING = 256;

    /** What to do about a key that waited. */
    enum Verdict { HANDSHAKE, LOOK_AGAIN, FORMER_MEMBER, REFUSE }

    private final ConcurrentHashMap<String, InetSocketAddress> pending = new ConcurrentHashMap<>();

    /** Any thread: true if {@code key} is newly waiting (the caller schedules a look after {@link #WAIT}). */
    boolean heard(String key, InetSocketAddress from) {
        return pending.size() < MAX_PENDING && pending.putIfAbsent(key, from) == null;
    }

    /**
     * The membership thread, after a wait: {@code installed}, the members installed now; {@code known}, every name
     * the table holds; {@code last}, the second look. The key stops waiting unless the verdict is LOOK_AGAIN.
     */
    Verdict check(String key, boolean last, Collection<String> installed, Collection<String> known, MemberTable table) {
        if (holderOf(key, installed, table) != null) {
            pending.remove(key);
            return Verdict.HANDSHAKE;
        }
        if (!last) {
            return Verdict.LOOK_AGAIN;
        }
        pending.remove(key);
        return holderOf(key, known, table) != null ? Verdict.FORMER_MEMBER : Verdict.REFUSE;
    }

    /** Where the handshake of a waiting key came from, or null. */
    InetSocketAddress from(String key) {
        return pending.get(key);
    }

    /** The one of {@code names} whose record holds the static key {@code keyBase64}, or null. */
    static String holderOf(String keyBase64, Collection<String> names, MemberTable table) {
        for (String name : names) {
            MemberRecord r = table.record(name);
            if (r != null && keyBase64.equals(Curve25519.encodeBase64(r.certificate().x25519PublicKey()))) {
                return name;
            }
        }
        return null;
    }
}
