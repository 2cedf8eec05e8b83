package dev.skein.node.membership;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Members whose records we hold and believe but whom the gossip layer does not list: SWIM is asked to probe each
 * again ({@link MeshDiscovery#nudge}), {@link #FIRST} after we first find it unlisted, then after twice as long
 * each time, up to {@link #LONGEST}, while it stays unlisted.
 *
 * <p>Why: SWIM probes a member it has only discovered once at once, then only in its round robin, once every N
 * probe intervals (two minutes at 512 members). A node that joins after a member's arrival was gossiped learns
 * the member from its seed's record set; if that one probe is lost or late (a busy host), the member is not
 * listed and, its grace over, not routed for minutes: 26 of 261,632 pairs in a simulated 512-node formation.
 * Membership thread only; times passed in.
 */
final class Rediscovery {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration LONGEST = Duration.ofSeconds(32);
    /** Probes asked for per round at most, so a node that finds hundreds unlisted does not probe them at once. */
    static final int PER_ROUND = 16;

    private record Wait(long dueNanos, long lengthNanos) {}

    private final Map<String, Wait> unlisted = new HashMap<>();

    /** Of the members {@code unlistedNow} (believed, not listed), those to probe now; the others wait their turn. */
    List<String> due(long now, Collection<String> unlistedNow) {
        unlisted.keySet().retainAll(new HashSet<>(unlistedNow)); // listed again, or no longer believed: start over
        List<String> out = new ArrayList<>();
        for (String name : unlistedNow) {
            Wait w = unlisted.get(name);
            if (w == null) {
                unlisted.put(name, new Wait(now + FIRST.toNanos(), FIRST.toNanos()));
            } else if (out.size() < PER_ROUND && now - w.dueNanos() >= 0) {
                out.add(name);
                long next = Math.min(2 * w.lengthNanos(), LONGEST.toNanos());
                unlisted.put(name, new Wait(now + next, next));
            }
        }
        return out;
    }
}
