package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.PunchState;
import dev.skein.node.peer.Reach;
import dev.skein.protocol.path.PathMessage;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinated hole punching with members we reach through a relay.
 *
 * <p>Why coordinated: a ping that reaches the far NAT router before the far host has sent anything our way is,
 * on a router that does not drop unsolicited input, taken by the router itself, and the entry it leaves (kept 30
 * s, and again by every further ping) makes the router give the far host's own pings to us another source port,
 * which our router does not let in. So neither end pings a member's NAT on its own: one offers a punch through
 * the relay (call-me-maybe), the other accepts (punch-accept), and both ping each other's candidates at one
 * moment, {@link Constants#PUNCH_LEAD} after the offer crossed: each router then holds its own host's mapping
 * before the other's ping arrives, as long as the two pings leave less than the one-way delay between the
 * routers apart. The moment is measured on each side's own clock from the offer (half the offer's round trip
 * on the offerer's side), so the two clocks need not agree.
 *
 * <p>Two busy machines' timers can miss that moment by more than the one-way delay, so each end also primes its
 * own router first: the offerer before it sends the offer, the answerer before it sends its answer, it pings the
 * other's candidates with a TTL of {@link Constants#PUNCH_PRIME_HOPS}, which passes the router next to it and
 * dies before the far one. Every ping that carries the punch then leaves after both routers hold their mapping,
 * whenever it leaves. (Behind more than one router in a row only the nearest is primed; the moment still holds.)
 *
 * <p>A punch that did not work is not repeated for {@link Constants#PUNCH_BACKOFF}, long enough for the
 * routers to forget what it left behind, unless there is something new to try; so a relayed member is tried
 * about twice a minute. A direct path that broke lately is pinged again meanwhile ({@link
 * Constants#DIRECT_PATH_RECALL}). Pings run on their own timer thread, for a moment more precise than the
 * timers' tick.
 */
final class Punches implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Punches.class);

    private final Device device;
    private final Paths paths;
    private final Random random;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "skein-punch");
        t.setDaemon(true);
        return t;
    });

    Punches(Device device, Paths paths, Random random) {
        this.device = device;
        this.paths = paths;
        this.random = random;
    }

    /** Timers thread: member {@code p} has no direct path and is reached through {@code via}. */
    void tick(Peer p, Peer via, long now) {
        Reach r = p.reach();
        PunchState s = r.punch();
        InetSocketAddress observed = paths.observed();
        if (p.endpoint() != null && now - r.lastDirectNanos() < Constants.DIRECT_PATH_RECALL.toNanos()
                && s.recallable(observed) && now - r.lastPingNanos() > Constants.PATH_PROBE_INTERVAL.toNanos()) {
            paths.ping(p, p.endpoint(), now); // the path that broke lately: both routers still know it
        }
        // New candidates from its record call for a punch; learned ones do not (behind a symmetric NAT, each of
        // its pings comes from a new port: they would make a punch every few seconds).
        if (s.shouldOffer(r.candidates(), observed, now)) {
            long tx = random.nextLong();
            s.offered(tx, now);
            prime(p, targets(p, null), now); // before it can answer: its pings find our router ready
            paths.sendThrough(p, via, new PathMessage(PathMessage.Kind.CALL_ME_MAYBE, device.ownId, tx,
                    paths.stamp(), observed));
        }
    }

    /** Receive thread: {@code p} offers a punch, through the relay {@code via}. */
    void onOffer(Peer p, PathMessage offer, Peer via, long now) {
        InetSocketAddress observed = paths.observed();
        if (via == null) {
            return;
        }
        if (!p.reach().punch().shouldAccept(device.ownId, offer.senderId(), p.reach().candidates(), observed, now)) {
            log.debug("punch with {}: offer declined (too soon, our own offer goes first, or no record of it yet)",
                    p.name());
            return;
        }
        List<InetSocketAddress> targets = targets(p, offer.address());
        prime(p, targets, now); // before our answer leaves: its pings, on the answer, find our router ready
        paths.sendThrough(p, via, new PathMessage(PathMessage.Kind.PUNCH_ACCEPT, device.ownId, offer.tx(),
                paths.stamp(), observed));
        punchAt(p, targets, now, Constants.PUNCH_LEAD.toNanos(), observed);
    }

    /** Receive thread: {@code p} accepted our offer. */
    void onAccept(Peer p, PathMessage accept, long now) {
        long wait = p.reach().punch().accepted(accept.tx(), now);
        if (wait >= 0) {
            punchAt(p, targets(p, accept.address()), now, wait, paths.observed());
        } else {
            log.debug("punch with {}: an answer to no pending offer, or too late", p.name());
        }
    }

    /** Every candidate of {@code p}, and {@code extra} (where it says it is seen from; may be null). */
    private static List<InetSocketAddress> targets(Peer p, InetSocketAddress extra) {
        Set<InetSocketAddress> targets = new LinkedHashSet<>(p.reach().allCandidates());
        if (extra != null) {
            targets.add(extra);
        }
        return List.copyOf(targets);
    }

    /** Hop-limited pings to {@code targets}: our router maps us toward each, the far one never sees them. */
    private void prime(Peer p, List<InetSocketAddress> targets, long now) {
        for (InetSocketAddress to : targets) {
            paths.ping(p, to, now, Constants.PUNCH_PRIME_HOPS);
        }
    }

    /** Pings every one of {@code list} in {@code wait} nanos, then twice more (see the constants). */
    private void punchAt(Peer p, List<InetSocketAddress> list, long now, long wait, InetSocketAddress observed) {
        p.reach().punch().punching(now + wait, list, observed);
        log.debug("punch with {} in {} ms at {}", p.name(), wait / 1_000_000, list);
        try {
            clock.schedule(() -> pingAll(p, list), wait, TimeUnit.NANOSECONDS);
            clock.schedule(() -> pingAll(p, list), wait + Constants.PUNCH_REPEAT.toNanos(), TimeUnit.NANOSECONDS);
            clock.schedule(() -> pingAll(p, list), wait + Constants.PUNCH_LAST_ROUND.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void pingAll(Peer p, List<InetSocketAddress> targets) {
        long now = System.nanoTime();
        if (!device.running() || Paths.direct(p.reach(), now) && p.relay() == null) {
            return; // already direct: the first round did it
        }
        for (InetSocketAddress to : targets) {
            paths.ping(p, to, now);
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }
}
