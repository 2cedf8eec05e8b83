package dev.skein.node.peer;

import dev.skein.node.Constants;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node knows about reaching one member: the candidate endpoints from its record (observed public ones
 * first, then local ones), the key that MACs path probes between the two, and what the probes have shown so
 * far. Plain WireGuard peers have none: they are reached at their configured or last-seen endpoint only.
 *
 * <p>Written by the receive thread (answers) and the timers thread (probes): the fields are volatile and the
 * table of unanswered pings is guarded by its own monitor.
 */
public final class Reach {

    private volatile byte[] pathKey;
    private volatile List<InetSocketAddress> candidates;
    private volatile boolean relayCapable;
    /** System.nanoTime() of the last authenticated packet or pong that came straight from the member. */
    volatile long lastDirectNanos = Constants.NEVER;
    /** When a pong last came back through a relay: the member is alive, whatever its direct path does. */
    volatile long lastRelayedNanos = Constants.NEVER;
    /** When the direct path was last found broken while it carried our traffic: nothing before counts. */
    volatile long brokenNanos = Constants.NEVER;
    /** When we last pinged its direct path (the endpoint in use). */
    volatile long lastDirectPingNanos = Constants.NEVER;
    /** When we last asked through a relay whether the member is alive. */
    volatile long lastPingThroughNanos = Constants.NEVER;
    volatile long lastPingNanos = Constants.NEVER;
    volatile long lastProbeNanos = Constants.NEVER;
    private final Map<Long, Ping> outstanding = new LinkedHashMap<>();
    /** Addresses its authenticated pings came from that its record does not name (peer-reflexive), newest last. */
    private volatile List<InetSocketAddress> learned = List.of();
    private final PunchState punch = new PunchState();
    /** What its pongs last said our endpoint is, and when that was last passed to membership. */
    private InetSocketAddress observedPassed;
    private long observedPassedNanos = Constants.NEVER;

    /** A ping we sent and the address it went to; a pong counts only from that very address. */
    public record Ping(InetSocketAddress to, long sentNanos) {}

    public Reach(byte[] pathKey, List<InetSocketAddress> candidates, boolean relayCapable) {
        this.pathKey = pathKey.clone();
        this.candidates = List.copyOf(candidates);
        this.relayCapable = relayCapable;
    }

    /**
     * True if membership should hear now that this member sees us at {@code observed}: it said something else
     * before, or it last said so to membership at least {@code every} ago (membership forgets a report after 30 s).
     */
    public synchronized boolean passObserved(InetSocketAddress observed, long now, long every) {
        if (observed.equals(observedPassed) && now - observedPassedNanos < every) {
            return false;
        }
        observedPassed = observed;
        observedPassedNanos = now;
        return true;
    }

    public byte[] pathKey() {
        return pathKey;
    }

    /** Our static key changed: path probes are MACed with the key of the new pair. */
    public void pathKey(byte[] fresh) {
        this.pathKey = fresh.clone();
    }

    public List<InetSocketAddress> candidates() {
        return candidates;
    }

    public void candidates(List<InetSocketAddress> fresh) {
        this.candidates = List.copyOf(fresh);
    }

    /**
     * An authenticated, fresh ping came straight from {@code from}: the member is reachable there (behind a NAT
     * that gave it a port its record cannot know). Kept as a candidate, at most
     * {@link Constants#MAX_LEARNED_CANDIDATES}, the oldest forgotten first.
     */
    public synchronized void learn(InetSocketAddress from) {
        if (candidates.contains(from) || learned.contains(from)) {
            return;
        }
        List<InetSocketAddress> next = new java.util.ArrayList<>(learned);
        next.add(from);
        while (next.size() > Constants.MAX_LEARNED_CANDIDATES) {
            next.remove(0);
        }
        learned = List.copyOf(next);
    }

    /** The candidates from its record, then the learned ones. */
    public List<InetSocketAddress> allCandidates() {
        List<InetSocketAddress> learnt = learned;
        if (learnt.isEmpty()) {
            return candidates;
        }
        List<InetSocketAddress> all = new java.util.ArrayList<>(candidates);
        for (InetSocketAddress a : learnt) {
            if (!all.contains(a)) {
                all.add(a);
            }
        }
        return all;
    }

    public PunchState punch() {
        return punch;
    }

    /** The member has `relay: true` in its record: it forwards for others. */
    public boolean relayCapable() {
        return relayCapable;
    }

    public void relayCapable(boolean relay) {
        this.relayCapable = relay;
    }

    public long lastDirectNanos() {
        return lastDirectNanos;
    }

    public void heardDirect(long nowNanos) {
        lastDirectNanos = nowNanos;
    }

    public long brokenNanos() {
        return brokenNanos;
    }

    /** The direct path is broken now: it is direct again only once something comes straight from the member. */
    public void broken(long nowNanos) {
        brokenNanos = nowNanos;
    }

    public void pingedDirect(long nowNanos) {
        lastDirectPingNanos = nowNanos;
    }

    /**
     * The relay outran the direct path: our last ping on the direct path is unanswered, while an answer came
     * through the relay after we sent it (the two go out together). Not merely "the relay answered last": the
     * relay's answer to a round whose direct answer came first is no sign of anything.
     */
    public boolean relayOutran() {
        long ping = lastDirectPingNanos;
        return ping > lastDirectNanos && lastRelayedNanos > ping;
    }

    public long lastRelayedNanos() {
        return lastRelayedNanos;
    }

    public void heardRelayed(long nowNanos) {
        lastRelayedNanos = nowNanos;
    }

    public long lastPingThroughNanos() {
        return lastPingThroughNanos;
    }

    public void pingedThrough(long nowNanos) {
        lastPingThroughNanos = nowNanos;
    }

    public long lastPingNanos() {
        return lastPingNanos;
    }

    public long lastProbeNanos() {
        return lastProbeNanos;
    }

    public void probed(long nowNanos) {
        lastProbeNanos = nowNanos;
    }

    /** Remembers a ping sent with transaction id {@code tx}. */
    public void pinged(long tx, InetSocketAddress to, long nowNanos) {
        lastPingNanos = nowNanos;
        synchronized (outstanding) {
            outstanding.put(tx, new Ping(to, nowNanos));
            while (outstanding.size() > Constants.MAX_OUTSTANDING_PINGS) {
                outstanding.remove(outstanding.keySet().iterator().next());
            }
        }
    }

    /**
     * System.nanoTime() of our latest unanswered ping to {@code to}, or {@link Constants#NEVER}. (Answered pings
     * are gone from the table: an answer from there made the path direct, or told us it works.)
     */
    public long lastPingTo(InetSocketAddress to) {
        long last = Constants.NEVER;
        synchronized (outstanding) {
            for (Ping p : outstanding.values()) {
                if (p.to().equals(to) && p.sentNanos() - last > 0) {
                    last = p.sentNanos();
                }
            }
        }
        return last;
    }

    /** The ping a pong answers, removed, or null if we sent none with that id. */
    public Ping answered(long tx) {
        synchronized (outstanding) {
            return outstanding.remove(tx);
        }
    }
}
