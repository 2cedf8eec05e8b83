package dev.skein.node.membership;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Our own endpoints as members see them (the source address of our join request in a seed's reply, of our ping
 * in a member's pong), and which of them we publish in our record, where every member will probe them.
 *
 * <p>One member's word is not enough, or a lying member could make us publish addresses of its choosing and
 * have the whole mesh probe them in our name. An endpoint is published once two members report it, or one of
 * the seeds we joined through (we chose to trust those in our configuration). Each member's latest report
 * counts, one per member, so no member can hold more than one address in play; at most
 * {@link #MAX_PUBLISHED} are published, the newest first (after a NAT reboot or a move the new one is the one
 * that works), and one that nobody has reported for {@link #TTL_NANOS} is dropped.
 *
 * <p>Pure: time and the seed test are passed in. Used by the membership thread only.
 */
final class ObservedEndpoints {
    static final int MAX_PUBLISHED = 4;
    static final long TTL_NANOS = 30_000_000_000L;
    private static final int MAX_REPORTERS = 1024;

    private record Report(InetSocketAddress endpoint, long atNanos) {}

    private final Map<String, Report> reports = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Report> eldest) {
            return size() > MAX_REPORTERS;
        }
    };
    /** Published endpoints, newest first, with when they were last reported by anyone. */
    private LinkedHashMap<InetSocketAddress, Long> published = new LinkedHashMap<>();

    /**
     * {@code member} saw us at {@code endpoint}; {@code fromSeed}: it is one of our seeds. True if what we publish
     * changed (a new endpoint went first).
     */
    boolean report(InetSocketAddress endpoint, String member, boolean fromSeed, long nowNanos) {
        reports.put(member, new Report(endpoint, nowNanos));
        if (published.containsKey(endpoint)) {
            if (fromSeed || witnesses(endpoint, nowNanos) >= 2) {
                published.put(endpoint, nowNanos);
            }
            return false;
        }
        if (!fromSeed && witnesses(endpoint, nowNanos) < 2) {
            return false;
        }
        LinkedHashMap<InetSocketAddress, Long> fresh = new LinkedHashMap<>();
        fresh.put(endpoint, nowNanos);
        for (Map.Entry<InetSocketAddress, Long> e : published.entrySet()) {
            if (fresh.size() < MAX_PUBLISHED) {
                fresh.put(e.getKey(), e.getValue());
            }
        }
        published = fresh;
        return true;
    }

    private int witnesses(InetSocketAddress endpoint, long nowNanos) {
        Set<String> who = new HashSet<>();
        reports.forEach((member, r) -> {
            if (r.endpoint.equals(endpoint) && nowNanos - r.atNanos <= TTL_NANOS) {
                who.add(member);
            }
        });
        return who.size();
    }

    /** Drops endpoints nobody confirmed within {@link #TTL_NANOS}; true if any went. */
    boolean expire(long nowNanos) {
        return published.values().removeIf(seen -> nowNanos - seen > TTL_NANOS);
    }

    /** What we publish, newest first. */
    List<InetSocketAddress> published() {
        return List.copyOf(published.keySet());
    }
}
