package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.PunchState;
import dev.skein.node.peer.Reach;
import dev.skein.protocol.path.PathMessage;
import dev.skein.protocol.path.PathStamps;
import dev.skein.protocol.wire.WireException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each member is reached: straight to one of its endpoints, or through a relay member.
 * <ul>
 *   <li>A direct path is one we have heard from lately: an authenticated packet or a pong that came straight
 *       from the member's endpoint. While it lasts, a ping now and then keeps the NAT mappings open and tells us
 *       our own public endpoint (every pong names the address our ping came from).</li>
 *   <li>When no direct path is known, packets go through a relay member (`relay: true`) that we reach
 *       directly, and the two ends punch a hole at a moment they agree on through the relay ({@link Punches}):
 *       each end's ping opens its own NAT for the other's. The first pong makes the path direct. With no relay,
 *       we ping all of the member's candidate endpoints every {@link Constants#PATH_PROBE_INTERVAL}.</li>
 *   <li>An authenticated ping from an address the member's record does not name (its NAT gave it a port of its
 *       own choosing) makes that address a candidate: we answer, and ping it back.</li>
 *   <li>A direct path silent for {@link Constants#DIRECT_PATH_TIMEOUT} is broken (the NAT rebooted, the laptop
 *       moved): packets go back to the relay and the probing starts again. While a direct path is silent, each
 *       ping on it goes through the relay too, and the member answers that one through the relay: an answer
 *       proves the member alive (membership's liveness counts it, so a path change is never taken for a death),
 *       and a direct path silent for {@link Constants#DIRECT_PATH_OUTRUN} after the relay answered is broken
 *       at once. A relayed member we have not heard from for {@link Constants#PING_WHEN_SILENT} is pinged
 *       through the relay the same way, so that a live member is heard every second on some path.</li>
 * </ul>
 * A probe is believed once and fresh ({@link PathStamps}): no one, replaying or spoofing, makes this node send
 * more than one pong, and one ping back, per ping the member really sent.
 * Probes run on the timers thread ({@link #tick}); answers arrive on the receive thread.
 */
final class Paths {
    private static final Logger log = LoggerFactory.getLogger(Paths.class);
    /** Read for every packet sent to a member (is its direct path alive?), so kept in nanos. */
    private static final long DIRECT_TIMEOUT_NANOS = Constants.DIRECT_PATH_TIMEOUT.toNanos();
    private static final long DIRECT_OUTRUN_NANOS = Constants.DIRECT_PATH_OUTRUN.toNanos();

    /**
     * Test hook: a node started with this system property (ADDRESS:PORT) names that address in every pong instead
     * of the ping's source. The end-to-end tests use it to play a member that lies about where others are; a real
     * node never sets it.
     */
    private static final InetSocketAddress LIE = lie(System.getProperty("skein.test.pong-observed"));

    private static InetSocketAddress lie(String property) {
        if (property == null) {
            return null;
        }
        int colon = property.lastIndexOf(':');
        return new InetSocketAddress(property.substring(0, colon), Integer.parseInt(property.substring(colon + 1)));
    }

    private final Device device;
    private final Random random;
    private final PathStamps.Clock clock = new PathStamps.Clock();
    /** Per sender's key id, not per peer object: a member removed and added again keeps its replay state. */
    private final Map<Long, PathStamps> stamps = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, PathStamps> eldest) {
            return size() > Constants.MAX_PATH_SENDERS;
        }
    };
    /** Our public endpoint as the last pong named it: call-me-maybe passes it on. */
    private volatile InetSocketAddress lastObserved;
    /** The relay chosen at the start of the current timer tick (timers thread). */
    private Peer relayThisTick;
    private final Punches punches;

    Paths(Device device, Random random) {
        this.device = device;
        this.random = random;
        this.punches = new Punches(device, this, random);
    }

    /** Our public endpoint as the last pong named it, or null before any. */
    InetSocketAddress observed() {
        return lastObserved;
    }

    void close() {
        punches.close();
    }

    static boolean direct(Reach r, long now) {
        long silent = now - r.lastDirectNanos();
        return silent < DIRECT_TIMEOUT_NANOS && r.lastDirectNanos() > r.brokenNanos()
                && (silent < DIRECT_OUTRUN_NANOS || !r.relayOutran());
    }

    /**
     * The relay member to use now: one reached directly, preferring the lowest round trip; else the one reached
     * directly last, or any with an endpoint (a moment's silence, a busy machine, a relay reinstalled with a new
     * certificate: better than sending straight to a member's NAT unannounced, see {@link Punches}); null if
     * none.
     */
    Peer chooseRelay(long now) {
        Peer best = null;
        Peer lately = null;
        for (Peer p : device.peers()) {
            Reach r = p.reach();
            if (r == null || !r.relayCapable() || p.relay() != null || p.endpoint() == null) {
                continue;
            }
            if (direct(r, now)) {
                if (best == null || rank(p) < rank(best)) {
                    best = p;
                }
            } else if (lately == null || r.lastDirectNanos() > lately.reach().lastDirectNanos()) {
                lately = p;
            }
        }
        return best != null ? best : lately;
    }

    /**
     * Whether a relay member other than {@code p} is known, only not reached directly yet (the node is starting):
     * then wait for it rather than ping {@code p}'s NAT unannounced (see {@link Punches} for why that spoils it).
     */
    private boolean relayExpected(Peer p) {
        for (Peer q : device.peers()) {
            if (q != p && q.reach() != null && q.reach().relayCapable() && q.relay() == null) {
                return true;
            }
        }
        return false;
    }

    private static long rank(Peer p) {
        return p.rttNanos() < 0 ? Long.MAX_VALUE : p.rttNanos();
    }

    void beginTick(long now) {
        relayThisTick = chooseRelay(now);
    }

    /** A member was just installed: pick its first path at once, so the first handshake takes it. */
    void place(Peer p, long now) {
        Reach r = p.reach();
        if (r != null && !direct(r, now)) {
            Peer via = chooseRelay(now);
            usePath(p, via == p ? null : via, now);
        }
    }

    /** Timers thread, every tick, for each peer. */
    void tick(Peer p, long now) {
        Reach r = p.reach();
        if (r == null) {
            return; // a plain WireGuard peer: its endpoint only
        }
        long silent = now - r.lastDirectNanos();
        boolean sending = now - p.lastDataSentNanos() < Constants.PING_WHEN_SILENT_SENDING.toNanos();
        if (direct(r, now) && sending && silent > Constants.DIRECT_PATH_OUTRUN_SENDING.toNanos() && r.relayOutran()) {
            r.broken(now); // our traffic gets no answer on it, the relay's ping did: move the traffic now
        }
        if (direct(r, now)) {
            if (p.relay() != null) {
                usePath(p, null, now);
            }
            long sincePing = now - r.lastPingNanos();
            long whenSilent = (sending ? Constants.PING_WHEN_SILENT_SENDING : Constants.PING_WHEN_SILENT).toNanos();
            if (silent < whenSilent && lastObserved != null) {
                r.punch().directFrom(lastObserved);
            }
            if ((silent > whenSilent && sincePing > whenSilent) || sincePing > Constants.PING_REFRESH.toNanos()) {
                ping(p, p.endpoint(), now);
                r.pingedDirect(now);
                Peer via = relayThisTick == p ? null : relayThisTick;
                // Is it the path that is silent, or the member? Asked once a ping went unanswered (or after a
                // second of silence anyway), so that a one-way flow's healthy path costs the relay nothing.
                if (via != null && (silent > 2 * whenSilent || silent > Constants.PING_WHEN_SILENT.toNanos())) {
                    pingThrough(p, via, now);
                }
            }
            return;
        }
        Peer via = relayThisTick == p ? null : relayThisTick;
        if (via != p.relay()) {
            usePath(p, via, now);
        }
        if (via != null) {
            punches.tick(p, via, now);
        } else if (now - r.lastProbeNanos() > Constants.PATH_PROBE_INTERVAL.toNanos() && !relayExpected(p)) {
            probe(p); // no relay to agree on a moment through: ping every candidate now and then
        }
        long whenSilent = Constants.PING_WHEN_SILENT.toNanos();
        if (via != null && now - p.lastHeardNanos() > whenSilent && now - r.lastPingThroughNanos() > whenSilent) {
            pingThrough(p, via, now); // relayed and quiet (traffic one way only): still there?
        }
    }

    private void usePath(Peer p, Peer via, long now) {
        Peer before = p.relay();
        if (p.endpoint() == null && !p.reach().candidates().isEmpty()) {
            p.endpoint(p.reach().candidates().get(0));
        }
        if (before == via) {
            return;
        }
        p.relay(via);
        if (via != null) {
            log.info("path to {}: {} (no direct path yet)", p.name(), p.path());
        } else if (direct(p.reach(), now)) {
            log.info("path to {}: direct at {}", p.name(), p.endpoint());
        } else {
            log.info("path to {}: no relay; trying {} directly", p.name(), p.endpoint());
        }
        if (device.sessions.handshakePending(p)) {
            device.sessions.retryNow(p); // the last initiation went the old way: send the next at once
            device.outbound.initiate(p, now);
        }
    }

    /** Pings every candidate endpoint of {@code p}. */
    private void probe(Peer p) {
        long now = System.nanoTime();
        Reach r = p.reach();
        r.probed(now);
        for (InetSocketAddress c : r.allCandidates()) {
            ping(p, c, now);
        }
    }

    /** Sends {@code m} to {@code p} through the relay {@code via}. */
    void sendThrough(Peer p, Peer via, PathMessage m) {
        device.outbound.datagram(m.encode(p.reach().pathKey()), p, via);
    }

    void ping(Peer p, InetSocketAddress to, long now) {
        ping(p, to, now, 0);
    }

    /** Pings {@code p} at {@code to}; with {@code hops} above 0, a ping that crosses at most that many routers. */
    void ping(Peer p, InetSocketAddress to, long now, int hops) {
        if (to == null) {
            return;
        }
        long tx = pingId();
        p.reach().pinged(tx, to, now);
        ByteBuffer ping = ByteBuffer.wrap(new PathMessage(PathMessage.Kind.PING, device.ownId, tx, stamp(), null)
                .encode(p.reach().pathKey()));
        if (hops > 0) {
            device.outbound.sendHopLimited(ping, to, hops);
        } else {
            device.outbound.send(ping, to, true);
        }
    }

    /**
     * A ping's id, which only pairs its pong with it: what makes a pong believable is its MAC under the two
     * members' path key and its fresh stamp, so the id need not be secret, and the node's SecureRandom (shared
     * with the handshakes, locked, a tenth of the timers thread's time in a 32-node start) is not needed.
     */
    private static long pingId() {
        return ThreadLocalRandom.current().nextLong();
    }

    /** Pings the member through the relay {@code via}: an answer proves it alive, not a direct path. */
    private void pingThrough(Peer p, Peer via, long now) {
        long tx = pingId();
        p.reach().pinged(tx, via.endpoint(), now);
        p.reach().pingedThrough(now);
        device.outbound.datagram(new PathMessage(PathMessage.Kind.PING, device.ownId, tx, stamp(), null)
                .encode(p.reach().pathKey()), p, via);
    }

    /** The relay member at {@code endpoint}, or null. */
    private Peer relayAt(InetSocketAddress endpoint, Peer besides) {
        for (Peer q : device.peers()) {
            if (q != besides && q.reach() != null && q.reach().relayCapable() && endpoint.equals(q.endpoint())) {
                return q;
            }
        }
        return null;
    }

    long stamp() {
        return clock.next(nowMicros());
    }

    private static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }

    /** True once for each fresh message of {@code sender}; call after its MAC checked. */
    private boolean fresh(long sender, long stamp) {
        PathStamps s;
        synchronized (stamps) {
            s = stamps.computeIfAbsent(sender, k -> new PathStamps());
        }
        return s.accept(stamp, nowMicros());
    }

    /**
     * The member published new candidates (it moved, or learned its public endpoint): with no relay, ping them
     * now; through a relay, the next tick offers a punch ({@link PunchState#shouldOffer} sees what is new).
     */
    void candidatesChanged(Peer p, long now) {
        if (p.reach() != null && p.relay() == null && !direct(p.reach(), now) && !relayExpected(p)) {
            probe(p);
        }
    }

    // ---- the receive thread

    /** A path message, straight from {@code from} or (with {@code relayed}) through the relay at {@code from}. */
    void onPathMessage(byte[] msg, InetSocketAddress from, boolean relayed, long now) {
        Peer p;
        PathMessage m;
        try {
            p = device.peerById(PathMessage.senderId(msg));
            if (p == null || p.reach() == null) {
                device.counters.garbage.incrementAndGet();
                return;
            }
            m = PathMessage.open(msg, p.reach().pathKey());
        } catch (WireException e) {
            device.counters.badMac.incrementAndGet();
            return;
        }
        if (!fresh(m.senderId(), m.stamp())) {
            device.counters.replayed.incrementAndGet();
            return;
        }
        Reach r = p.reach();
        p.recordHeard(now); // authenticated and fresh, on whatever path: the member is alive
        switch (m.kind()) {
            case PING -> {
                if (relayed) {
                    // It asks whether we are alive, its direct path being silent: answer the way it asked. No
                    // address in the answer: through a relay it says nothing of our endpoint.
                    Peer via = relayAt(from, p);
                    if (via != null) {
                        device.outbound.datagram(new PathMessage(PathMessage.Kind.PONG, device.ownId, m.tx(), stamp(),
                                null).encode(r.pathKey()), p, via);
                    }
                    return;
                }
                device.outbound.send(ByteBuffer.wrap(new PathMessage(PathMessage.Kind.PONG, device.ownId, m.tx(), stamp(),
                        LIE == null ? from : LIE)
                        .encode(r.pathKey())), from, false);
                r.learn(from); // its NAT may have given it a port no record names (peer-reflexive)
                // Its ping opened our NAT for it: answer with one through its NAT, unless we pinged that very
                // address just now. (Not "any ping of ours lately": a ping through the relay or to another
                // candidate, sent on the same tick as the member's, would hold the answer back round after round.)
                if (!direct(r, now) && now - r.lastPingTo(from) > Constants.PING_BACK_GAP.toNanos()) {
                    ping(p, from, now);
                }
            }
            case PONG -> pong(p, m, from, relayed, now);
            case CALL_ME_MAYBE -> {
                if (relayed) {
                    punches.onOffer(p, m, relayAt(from, p), now);
                }
            }
            case PUNCH_ACCEPT -> {
                if (relayed) {
                    punches.onAccept(p, m, now);
                }
            }
        }
    }

    private void pong(Peer p, PathMessage m, InetSocketAddress from, boolean relayed, long now) {
        Reach r = p.reach();
        Reach.Ping ping = r.answered(m.tx());
        if (ping == null || !ping.to().equals(from)) {
            return; // not an answer to a ping of ours at that address (or through that relay)
        }
        if (relayed) {
            r.heardRelayed(now); // alive; and if its direct path stays silent, that path is what broke
            return;
        }
        // Keep a direct path that works; take this one if there is none, or if ours fell silent (the member
        // moved: its new endpoint answered).
        boolean wasDirect = direct(r, now) && p.relay() == null;
        boolean keep = wasDirect && now - r.lastDirectNanos() < Constants.PING_WHEN_SILENT.toNanos();
        r.heardDirect(now);
        p.recordRtt(now - ping.sentNanos());
        if (!keep) {
            boolean moved = !from.equals(p.endpoint());
            p.endpoint(from);
            if (p.relay() != null) {
                usePath(p, null, now);
            } else if (moved || !wasDirect) {
                log.info("path to {}: direct at {}", p.name(), from);
            }
        }
        if (m.address() != null) {
            lastObserved = m.address();
            if (r.passObserved(m.address(), now, Constants.OBSERVED_REPORT_INTERVAL.toNanos())) {
                device.events.onObserved(m.address(), p.name());
            }
        }
    }

    /** An authenticated WireGuard message came straight from {@code from}: the path works both ways. */
    void heardDirect(Peer p, InetSocketAddress from, long now) {
        Reach r = p.reach();
        if (r != null) {
            r.heardDirect(now);
        }
        if (!from.equals(p.endpoint())) {
            log.info("{} moved to {}", p.name(), from);
            p.endpoint(from);
        }
        if (p.relay() != null) {
            usePath(p, null, now);
        }
    }

    /**
     * A handshake message came through the relay at {@code relayAt}: with no direct path, answer and keep
     * sending the same way.
     */
    void heardRelayed(Peer p, InetSocketAddress relayAt, long now) {
        Reach r = p.reach();
        if (r == null || direct(r, now) || p.relay() != null) {
            return;
        }
        Peer via = relayAt(relayAt, p);
        if (via != null) {
            usePath(p, via, now);
        }
    }
}
