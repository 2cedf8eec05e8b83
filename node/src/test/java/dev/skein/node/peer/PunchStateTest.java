package dev.skein.node.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.Constants;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The punch schedule on a clock of our own: when to offer, when to accept, when to ping. */
class PunchStateTest {
    private static final long MS = 1_000_000;
    private static final long S = 1000 * MS;
    private static final InetSocketAddress US = new InetSocketAddress("198.18.0.21", 51820);
    private static final InetSocketAddress THEM = new InetSocketAddress("198.18.0.22", 51820);
    private static final InetSocketAddress THEM_LAN = new InetSocketAddress("198.19.2.2", 51820);
    private static final List<InetSocketAddress> CANDIDATES = List.of(THEM_LAN, THEM);

    private final PunchState s = new PunchState();

    /** Offers, is accepted after a relay round trip of {@code roundTrip}, and sets the punch; returns the wait. */
    private long punch(long now, long roundTrip) {
        assertTrue(s.shouldOffer(CANDIDATES, US, now));
        s.offered(42, now);
        long wait = s.accepted(42, now + roundTrip);
        s.punching(now + roundTrip + wait, CANDIDATES, US);
        return wait;
    }

    @Test
    void bothEndsPingAtTheMomentTheOfferCrossedPlusTheLead() {
        long wait = punch(10 * S, 80 * MS);
        // The answerer got the offer 40 ms after it left and pings PUNCH_LEAD later; so do we, 80 ms after.
        assertEquals(Constants.PUNCH_LEAD.toNanos() - 40 * MS, wait);
        s.offered(43, 20 * S);
        assertEquals(-1, s.accepted(42, 20 * S + MS), "an answer to another offer");
        assertEquals(-1, s.accepted(43, 20 * S + 2 * Constants.PUNCH_LEAD.toNanos() + MS),
                "too late to meet the moment");
    }

    @Test
    void noOfferWithoutAnEndpointOfOursNorWhileOneIsPending() {
        assertFalse(s.shouldOffer(CANDIDATES, null, 10 * S));
        s.offered(1, 10 * S);
        assertFalse(s.shouldOffer(CANDIDATES, US, 10 * S + 100 * MS));
        // Unanswered (the member declined): asked again after the probe interval, nothing having been pinged.
        assertTrue(s.shouldOffer(CANDIDATES, US, 10 * S + Constants.PATH_PROBE_INTERVAL.toNanos() + MS));
    }

    @Test
    void aPunchThatFailedIsRepeatedOnlyAfterTheBackOffUnlessSomethingIsNew() {
        long t = 10 * S;
        punch(t, 80 * MS);
        long punched = s.lastPunchNanos();
        for (long later = 3 * S; later < Constants.PUNCH_BACKOFF.toNanos(); later += S) {
            assertFalse(s.shouldOffer(CANDIDATES, US, punched + later), "offered again " + later / S + " s later");
        }
        assertTrue(s.shouldOffer(CANDIDATES, US, punched + Constants.PUNCH_BACKOFF.toNanos() + MS));
        // A new candidate, or our own endpoint moved: after the short gap.
        InetSocketAddress moved = new InetSocketAddress("198.18.0.23", 51820);
        assertFalse(s.shouldOffer(List.of(THEM_LAN, THEM, moved), US, punched + S));
        assertTrue(s.shouldOffer(List.of(THEM_LAN, THEM, moved), US, punched + 3 * S));
        InetSocketAddress remapped = new InetSocketAddress("198.18.0.21", 27109);
        assertTrue(s.shouldOffer(CANDIDATES, remapped, punched + 3 * S));
        // Members see us at two ports (our router kept 51820 only where it could): flipping between them is no news.
        s.punching(punched + 3 * S, CANDIDATES, remapped);
        for (long later = 6 * S; later < Constants.PUNCH_BACKOFF.toNanos(); later += S) {
            assertFalse(s.shouldOffer(CANDIDATES, later % (2 * S) == 0 ? US : remapped, punched + later));
        }
    }

    @Test
    void whenBothOfferAtOnceTheLowerIdGoesAheadAndTheOtherAnswers() {
        PunchState low = new PunchState();
        PunchState high = new PunchState();
        long now = 10 * S;
        low.offered(1, now);
        high.offered(2, now);
        assertFalse(low.shouldAccept(5, 9, CANDIDATES, US, now + 40 * MS), "the lower id keeps its own offer");
        assertTrue(high.shouldAccept(9, 5, CANDIDATES, THEM, now + 40 * MS), "the higher id answers the lower's");
        assertEquals(-1, high.accepted(2, now + 80 * MS), "and its own offer is withdrawn");
        assertTrue(low.accepted(1, now + 80 * MS) >= 0);
    }

    @Test
    void offersAreAcceptedAtMostOncePerGapAndNotWithoutAnEndpoint() {
        long now = 10 * S;
        assertFalse(s.shouldAccept(9, 5, CANDIDATES, null, now));
        assertTrue(s.shouldAccept(9, 5, CANDIDATES, US, now));
        assertFalse(s.shouldAccept(9, 5, CANDIDATES, US, now + S), "a member offering every second makes us ping at most so often");
        assertTrue(s.shouldAccept(9, 5, CANDIDATES, US, now + Constants.PUNCH_MIN_GAP.toNanos() + MS));
    }

    /**
     * Issue 25: a member installed from its join before its record arrived has no candidates; a punch with it
     * would prime our router toward the one address its offer names and nothing else. Neither offered nor
     * accepted until the record is here, and the decline does not count as an acceptance.
     */
    @Test
    void noPunchWithAMemberWhoseRecordHasNotArrived() {
        long now = 10 * S;
        assertFalse(s.shouldOffer(List.of(), US, now));
        assertFalse(s.shouldAccept(9, 5, List.of(), US, now));
        assertTrue(s.shouldAccept(9, 5, CANDIDATES, US, now + 100 * MS), "its record came: the next offer is taken");
        PunchState fresh = new PunchState();
        assertTrue(fresh.shouldOffer(CANDIDATES, US, now));
    }

    @Test
    void aBrokenDirectPathIsRecalledOnlyFromTheEndpointItWorkedFrom() {
        assertFalse(s.recallable(US));
        s.directFrom(US);
        assertTrue(s.recallable(US));
        assertFalse(s.recallable(new InetSocketAddress("198.18.0.12", 51820)), "we moved: their router never saw us there");
    }

    /**
     * Behind a NAT that takes a port per destination, members see us (and we see the member) at ever new ports:
     * a second port at an address is news and calls for a punch, a third is not, until the back-off ends.
     */
    @Test
    void aThirdPortAtTheSameAddressIsNoNews() {
        punch(10 * S, 80 * MS);
        long punched = s.lastPunchNanos();
        InetSocketAddress usAgain = new InetSocketAddress("198.18.0.21", 40001);
        assertTrue(s.shouldOffer(CANDIDATES, usAgain, punched + 3 * S), "a second port of ours is news");
        s.offered(7, punched + 3 * S);
        s.punching(punched + 3 * S + 300 * MS, CANDIDATES, usAgain);
        long again = s.lastPunchNanos();
        assertFalse(s.shouldOffer(CANDIDATES, new InetSocketAddress("198.18.0.21", 40002), again + 3 * S),
                "a third port of ours");
        List<InetSocketAddress> moved = List.of(THEM_LAN, THEM, new InetSocketAddress("198.18.0.22", 40003));
        assertTrue(s.shouldOffer(moved, usAgain, again + 3 * S), "a second port of theirs is news");
        s.offered(8, again + 3 * S);
        s.punching(again + 3 * S + 300 * MS, moved, usAgain);
        long third = s.lastPunchNanos();
        List<InetSocketAddress> movedAgain = List.of(THEM_LAN, new InetSocketAddress("198.18.0.22", 40004));
        assertFalse(s.shouldOffer(movedAgain, usAgain, third + 3 * S), "a third port of theirs");
        assertTrue(s.shouldOffer(movedAgain, new InetSocketAddress("198.18.7.1", 51820), third + 3 * S),
                "an address of ours never seen is news");
        assertTrue(s.shouldOffer(movedAgain, usAgain, third + Constants.PUNCH_BACKOFF.toNanos() + MS),
                "after the back-off, anything goes");
    }
}
