package dev.skein.protocol.path;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** A path message is believed once, fresh, and in about the order it was sent. */
class PathStampsTest {
    private static final long NOW = 1_796_000_000_000_000L;

    @Test
    void eachStampOnceAndOutOfOrderOnlyByAMoment() {
        PathStamps s = new PathStamps();
        assertTrue(s.accept(NOW, NOW));
        assertFalse(s.accept(NOW, NOW + 1000), "the same stamp again: a replay");
        assertTrue(s.accept(NOW + 500_000, NOW + 500_000));
        assertTrue(s.accept(NOW + 100, NOW + 500_000), "sent just after the first, arrived late: fine");
        assertFalse(s.accept(NOW + 100, NOW + 500_000), "but once");
        assertTrue(s.accept(NOW + 5_000_000, NOW + 5_000_000));
        assertFalse(s.accept(NOW + 200, NOW + 5_000_000), "seconds older than the newest: a replay");
    }

    @Test
    void stampsFarFromTheReceiversClockAreRefused() {
        PathStamps s = new PathStamps();
        assertFalse(s.accept(NOW - PathStamps.MAX_SKEW_MICROS - 1, NOW), "captured long ago");
        assertFalse(s.accept(NOW + PathStamps.MAX_SKEW_MICROS + 1, NOW), "from the future");
        assertTrue(s.accept(NOW + PathStamps.MAX_SKEW_MICROS, NOW), "a clock ahead by the tolerance");
    }

    @Test
    void aFullTableForgetsTheOldestAndRefusesEverythingBelowIt() {
        PathStamps s = new PathStamps();
        for (int i = 0; i < PathStamps.MAX_RECENT + 10; i++) {
            assertTrue(s.accept(NOW + i, NOW), "stamp " + i);
        }
        for (int i = 0; i < PathStamps.MAX_RECENT + 10; i++) {
            assertFalse(s.accept(NOW + i, NOW), "forgotten or remembered, stamp " + i + " is still refused");
        }
        assertTrue(s.accept(NOW + 1000, NOW));
    }

    @Test
    void theClockNeverRepeatsNorGoesBack() {
        PathStamps.Clock c = new PathStamps.Clock();
        long a = c.next(NOW);
        long b = c.next(NOW);
        long d = c.next(NOW - 10_000_000); // the wall clock stepped back
        assertTrue(a < b && b < d, a + " " + b + " " + d);
        assertEquals(NOW + 20_000_000, c.next(NOW + 20_000_000));
    }
}
