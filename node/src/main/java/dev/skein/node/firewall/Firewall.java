package dev.skein.node.firewall;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The firewall between this node and its peers, in the data plane (Nebula's way): every decrypted packet from a
 * peer, after the check that its source belongs to that peer, and every packet for a peer before it is sealed
 * passes {@link #allows}. A packet of a flow already let through passes; otherwise the rules of its direction
 * decide, by the peer's {@link PeerIdentity}, and the flow is remembered so that its replies pass too. With no
 * rules (no `firewall:` section) everything passes and nothing is tracked.
 *
 * <p>Gossip between members is allowed whatever the rules say: without it there is no mesh. That is TCP and UDP
 * from a member's overlay address to our gossip port, and from us to its overlay address at its gossip port.
 *
 * <p>Rules and local scope are swapped whole ({@link #rules}, {@link #scope}); a flow opened under older rules or
 * an older certificate of its peer is judged again on its next packet, in the direction that opened it: kept if
 * still allowed, ended if not (see {@link Flow#ended}).
 */
public final class Firewall {
    private static final long SWEEP_NANOS = 1_000_000_000L;

    private volatile Rules rules;
    private volatile LocalScope scope = LocalScope.anyAddress();
    private final Map<FlowKey, Flow> flows = new ConcurrentHashMap<>();
    private volatile long nextSweep;

    private final AtomicLong inboundDropped = new AtomicLong();
    private final AtomicLong outboundDropped = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong untracked = new AtomicLong();
    private final AtomicLong related = new AtomicLong();
    private final AtomicLong gossip = new AtomicLong();

    /**
     * What one data-plane thread reads a packet's flow into: one per thread, so that a check allocates nothing.
     * It also remembers the last flow the thread found: a bulk transfer's packets are mostly of one flow, and
     * then the table is not even looked up.
     */
    public static final class Probe {
        final FlowKey key = new FlowKey();
        final FlowKey quoted = new FlowKey();
        final FlowKey lastKey = new FlowKey();
        Flow lastFlow;
    }

    /** New rules, or null for none (everything allowed). Hit counts of rules kept carry over. */
    public void rules(Rules fresh) {
        Rules old = rules;
        if (fresh != null && old != null) {
            fresh.carryHitsFrom(old);
        }
        rules = fresh;
        if (fresh == null) {
            flows.clear();
        }
    }

    public Rules rules() {
        return rules;
    }

    /** The node's own addresses and gossip port (its certificate); flows are judged by the new scope from now on. */
    public void scope(LocalScope fresh) {
        scope = fresh;
        for (Flow f : flows.values()) {
            f.rules = null; // opened under the old scope: judged again on its next packet
        }
    }

    /**
     * True if the packet (between position and limit) may pass: {@code inbound}, it came from the peer
     * {@code who}; else it goes to {@code who}. {@code now}: System.nanoTime(). A refused packet is counted.
     */
    public boolean allows(ByteBuffer packet, PeerIdentity who, boolean inbound, Probe probe, long now) {
        Rules r = rules;
        if (r == null) {
            return true;
        }
        FlowKey key = probe.key;
        int kind = Headers.read(packet, inbound, key, probe.quoted);
        if (kind == Headers.PACKET && isGossip(key, inbound, who, scope)) {
            gossip.incrementAndGet();
            return true;
        }
        boolean ok;
        switch (kind) {
            case Headers.PACKET -> ok = tracked(probe, inbound, who, r, now);
            case Headers.FRAGMENT -> ok = r.allows(key, inbound, true, who, System.currentTimeMillis(), scope);
            case Headers.ICMP_ERROR -> {
                // An error about a flow we let through (port unreachable, packet too big) belongs to that flow.
                Flow f = flows.get(probe.quoted);
                ok = f != null && !f.expired(now) || permitted(key, inbound, who, r);
                if (f != null && !f.expired(now)) {
                    related.incrementAndGet();
                }
            }
            default -> {
                malformed.incrementAndGet();
                ok = false;
            }
        }
        if (!ok) {
            (inbound ? inboundDropped : outboundDropped).incrementAndGet();
        }
        return ok;
    }

    private boolean tracked(Probe probe, boolean inbound, PeerIdentity who, Rules r, long now) {
        FlowKey key = probe.key;
        Flow f = probe.lastFlow;
        if (f != null && f.rules == r && f.identity == who && !f.ended && !f.expired(now) && key.equals(probe.lastKey)) {
            f.touch(now, r.timeoutNanos(key.proto));
            return true; // the same flow as this thread's last packet, still current: no lookup
        }
        f = flows.get(key);
        if (f != null) {
            long timeout = r.timeoutNanos(key.proto);
            if (f.expired(now) || f.ended && key.opensConnection()) {
                flows.remove(key, f); // gone, or a new connection on the ports of an ended one: judged afresh
            } else if (f.ended) {
                f.touch(now, timeout);
                return false;
            } else if (f.rules == r && f.identity == who) {
                f.touch(now, timeout);
                remember(probe, f);
                return true;
            } else if (permitted(key, f.inbound, who, r)) {
                f.rules = r;
                f.identity = who;
                f.touch(now, timeout);
                remember(probe, f);
                return true;
            } else {
                f.ended = true; // the new rules or certificate no longer allow it
                f.touch(now, timeout);
                return false;
            }
        }
        if (!permitted(key, inbound, who, r)) {
            return false;
        }
        if (flows.size() >= r.maxFlows) {
            untracked.incrementAndGet(); // passes, as its rule allows, but its replies need a rule of their own
            return true;
        }
        Flow fresh = new Flow(inbound, r, who, now + r.timeoutNanos(key.proto));
        Flow prior = flows.putIfAbsent(key.copy(), fresh);
        remember(probe, prior == null ? fresh : prior);
        return true;
    }

    private static void remember(Probe probe, Flow f) {
        probe.lastFlow = f;
        probe.lastKey.set(probe.key);
    }

    private boolean permitted(FlowKey key, boolean inbound, PeerIdentity who, Rules r) {
        return r.allows(key, inbound, false, who, System.currentTimeMillis(), scope);
    }

    /**
     * Gossip between a member's overlay address and ours, judged without state (membership opens a connection
     * per message, which would fill the flow table): to our gossip port, or from its gossip port. What comes
     * from its gossip port is a reply only: for TCP anything but a connection's opening SYN, and no UDP (its
     * gossip datagrams go from port to port), so that port cannot be used as a key to our other services.
     */
    private static boolean isGossip(FlowKey key, boolean inbound, PeerIdentity who, LocalScope s) {
        // The ports first: they rule out nearly every other packet at once.
        boolean ours = key.localPort == s.gossipPort();
        boolean theirs = key.remotePort == who.gossipPort();
        if (!ours && !theirs || !key.hasPorts()) {
            return false;
        }
        boolean reply = key.proto == FlowKey.TCP && !key.opensConnection();
        boolean allowed = inbound ? ours || reply && theirs : theirs || reply && ours;
        // A plain WireGuard peer has no overlay address here; a member's identity is that of a verified certificate.
        return allowed && who.isOverlayAddress(key) && s.isOwn(key);
    }

    /** Forgets flows idle past their timeout; the timers call it often, it works once a second. */
    public void sweep(long now) {
        if (now - nextSweep < 0) {
            return;
        }
        nextSweep = now + SWEEP_NANOS;
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
            if (it.next().expired(now)) {
                it.remove();
            }
        }
    }

    public int flows() {
        return flows.size();
    }

    public long inboundDropped() {
        return inboundDropped.get();
    }

    public long outboundDropped() {
        return outboundDropped.get();
    }

    /** Packets too short or inconsistent to say what flow they belong to (also counted as dropped). */
    public long malformed() {
        return malformed.get();
    }

    /** Allowed packets of new flows not remembered because the table was full. */
    public long untracked() {
        return untracked.get();
    }

    /** ICMP errors let through as part of a flow they quote. */
    public long related() {
        return related.get();
    }

    /** Flows let through as gossip between members (the built-in rule). */
    public long gossip() {
        return gossip.get();
    }
}
