package dev.skein.protocol.transport;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private static final long LIMIT = SessionLimits.REJECT_AFTER_MESSAGES;

    @Test
    void inOrderOnceEach() {
        ReplayWindow w = new ReplayWindow();
        for (long c = 0; c < 10_000; c++) {
            assertTrue(w.accept(c, LIMIT), "counter " + c);
            assertFalse(w.accept(c, LIMIT), "replay of " + c);
        }
    }

    @Test
    void outOfOrderInsideTheWindowIsAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(100, LIMIT));
        assertTrue(w.accept(98, LIMIT));
        assertTrue(w.accept(99, LIMIT));
        assertFalse(w.accept(98, LIMIT));
        assertTrue(w.accept(0, LIMIT));
        assertTrue(w.accept(ReplayWindow.WINDOW_SIZE + 200, LIMIT));
        assertTrue(w.accept(200, LIMIT), "exactly WINDOW_SIZE behind");
        assertFalse(w.accept(199, LIMIT), "one further behind is too old");
        assertFalse(w.mayAccept(199, LIMIT));
    }

    @Test
    void largeJumpsClearTheRing() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(5, LIMIT));
        assertTrue(w.accept(1_000_000, LIMIT));
        assertTrue(w.accept(1_000_000 - ReplayWindow.WINDOW_SIZE, LIMIT), "the oldest counter still inside");
        assertFalse(w.accept(1_000_000 - ReplayWindow.WINDOW_SIZE - 1, LIMIT), "one older is outside");
        assertFalse(w.accept(5, LIMIT), "far behind");
        assertTrue(w.accept(1_000_000 - 64, LIMIT), "slot cleared by the jump, not a stale bit");
    }

    @Test
    void countersAtOrBeyondTheLimitAreRefused() {
        ReplayWindow w = new ReplayWindow();
        assertFalse(w.accept(LIMIT, LIMIT));
        assertFalse(w.accept(-1L, LIMIT), "2^64-1 is beyond the limit (unsigned)");
        assertTrue(w.accept(LIMIT - 1, LIMIT));
        assertFalse(w.accept(LIMIT - 1, LIMIT));
    }

    /** Random arrival orders against a naive reference: a set of seen counters and the highest one. */
    @Test
    void agreesWithANaiveReference() {
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            ReplayWindow w = new ReplayWindow();
            Set<Long> seen = new HashSet<>();
            long highest = -1;
            long base = 0;
            for (int i = 0; i < 20_000; i++) {
                base += random.nextInt(3);
                long c = Math.max(0, base + random.nextInt(12_000) - 10_000);
                if (random.nextInt(50) == 0) {
                    base += random.nextInt(20_000);
                }
                boolean expected = !seen.contains(c) && (highest < 0 || c > highest || highest - c <= ReplayWindow.WINDOW_SIZE);
                assertEquals(expected, w.mayAccept(c, LIMIT), "mayAccept " + c + " highest " + highest);
                assertEquals(expected, w.accept(c, LIMIT), "accept " + c + " highest " + highest);
                if (expected) {
                    seen.add(c);
                    highest = Math.max(highest, c);
                }
            }
        }
    }
}
