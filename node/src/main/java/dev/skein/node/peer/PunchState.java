package dev.skein.node.peer;

import dev.skein.node.Constants;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Where the coordinated hole punch with one member stands: the offer we are waiting on, when we last punched and
 * what we tried then, when we last accepted one of its offers. The decisions that depend on this alone are made
 * here, so they can be tested without a network: whether to offer now, whether to accept an offer.
 *
 * <p>The timers thread offers, the receive thread answers: every method holds this object's monitor.
 */
public final class PunchState {
    private long offerTx;
    private long offerSentNanos = Constants.NEVER;
    private long lastOfferNanos = Constants.NEVER;
    private long lastPunchNanos = Constants.NEVER;
    private long lastAcceptNanos = Constants.NEVER;
    /** The addresses the last punches pinged, and our own public endpoint then: what "new" is measured against. */
    private final Set<InetSocketAddress> tried = new HashSet<>();
    /**
     * Our own public endpoints then: a set, since behind a NAT that keeps ports only where it can, members see us
     * at different ports and our latest observed endpoint flips among them (each flip is no news).
     */
    private final Set<InetSocketAddress> triedFrom = new HashSet<>();
    /** Our public endpoint while the direct path last worked: a path worth recalling only from there. */
    private InetSocketAddress directFrom;

    private static final long LEAD = Constants.PUNCH_LEAD.toNanos();

    /**
     * Whether to offer a punch now, given the member's candidates and our public endpoint: never twice within
     * {@link Constants#PATH_PROBE_INTERVAL}, not while an offer is pending; at once the first time; then after
     * {@link Constants#PUNCH_BACKOFF}, or after {@link Constants#PUNCH_MIN_GAP} if a candidate or our endpoint is
     * new since the last punch. Never while its record has given us no candidates (see {@link #shouldAccept}).
     */
    public synchronized boolean shouldOffer(Collection<InetSocketAddress> candidates, InetSocketAddress observed,
            long now) {
        if (observed == null || candidates.isEmpty() || offerPending(now) || now - lastOfferNanos < Constants.PATH_PROBE_INTERVAL.toNanos()) {
            return false;
        }
        long since = now - lastPunchNanos;
        if (lastPunchNanos == Constants.NEVER || since > Constants.PUNCH_BACKOFF.toNanos()) {
            return true;
        }
        boolean somethingNew = news(triedFrom, observed);
        for (InetSocketAddress c : candidates) {
            somethingNew |= news(tried, c);
        }
        return somethingNew && since > Constants.PUNCH_MIN_GAP.toNanos();
    }

    /**
     * Whether {@code a} is news beside what the punches since the back-off saw. A second port at an address is;
     * a third is not: behind a NAT that takes a port per destination, every member sees that side at another
     * port, and each would otherwise call for a punch every {@link Constants#PUNCH_MIN_GAP} that cannot work.
     */
    private static boolean news(Set<InetSocketAddress> seen, InetSocketAddress a) {
        if (seen.contains(a)) {
            return false;
        }
        int ports = 0;
        for (InetSocketAddress s : seen) {
            if (s.getAddress() != null && s.getAddress().equals(a.getAddress())) {
                ports++;
            }
        }
        return ports < 2;
    }

    private boolean offerPending(long now) {
        return offerSentNanos != Constants.NEVER && now - offerSentNanos < 2 * LEAD;
    }

    public synchronized void offered(long tx, long now) {
        offerTx = tx;
        offerSentNanos = now;
        lastOfferNanos = now;
    }

    /**
     * The member accepted offer {@code tx} now: the nanos to wait before pinging (the answerer pings
     * {@link Constants#PUNCH_LEAD} after it got the offer, half our round trip ago), or -1 if the answer is not to
     * our pending offer or came too late to meet that moment.
     */
    public synchronized long accepted(long tx, long now) {
        if (offerSentNanos == Constants.NEVER || tx != offerTx) {
            return -1;
        }
        long roundTrip = now - offerSentNanos;
        offerSentNanos = Constants.NEVER;
        long wait = LEAD - roundTrip / 2;
        return wait >= 0 ? wait : -1;
    }

    /**
     * Whether to accept the member's offer now. Not while we have an offer of our own pending and our id is the
     * lower (both offered at once: the lower id's goes ahead, the other answers it); not more than once per
     * {@link Constants#PUNCH_MIN_GAP} (each acceptance makes us ping its candidates); not without a public
     * endpoint of ours to name; not while its record has given us no {@code candidates}. Why the last: we would
     * prime our router only toward the one address its offer names, which need not be the port its punch pings
     * leave from, and those pings would then reach our router first and spoil it; it offers again
     * {@link Constants#PATH_PROBE_INTERVAL} later, by when its record is likely here. Accepting withdraws our
     * own pending offer.
     */
    public synchronized boolean shouldAccept(long ownId, long senderId, Collection<InetSocketAddress> candidates,
            InetSocketAddress observed, long now) {
        if (observed == null || candidates.isEmpty() || now - lastAcceptNanos < Constants.PUNCH_MIN_GAP.toNanos()) {
            return false;
        }
        if (offerPending(now) && Long.compareUnsigned(ownId, senderId) < 0) {
            return false;
        }
        offerSentNanos = Constants.NEVER;
        lastAcceptNanos = now;
        return true;
    }

    /** A punch is set for {@code at} (nanos), pinging {@code addresses} from our endpoint {@code observed}. */
    public synchronized void punching(long at, Collection<InetSocketAddress> addresses, InetSocketAddress observed) {
        if (lastPunchNanos == Constants.NEVER || at - lastPunchNanos > Constants.PUNCH_BACKOFF.toNanos()) {
            tried.clear();
            triedFrom.clear();
        }
        lastPunchNanos = at;
        tried.addAll(addresses);
        if (observed != null) {
            triedFrom.add(observed);
        }
    }

    public synchronized long lastPunchNanos() {
        return lastPunchNanos;
    }

    /** The direct path works while our public endpoint is {@code observed}. */
    public synchronized void directFrom(InetSocketAddress observed) {
        directFrom = observed;
    }

    /** Whether a silent direct path may be pinged again without a punch: we have not moved since it worked. */
    public synchronized boolean recallable(InetSocketAddress observed) {
        return directFrom != null && directFrom.equals(observed);
    }
}
