package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** A flood of refusals cannot flood the log, nor make it repeat what it already limited. */
class LogLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void eachKeyOncePerInterval() {
        LogLimiter l = new LogLimiter(10 * SECOND);
        assertTrue(l.allow("bad-mac/198.18.0.66", 0));
        int again = 0;
        for (int i = 1; i < 1000; i++) {
            again += l.allow("bad-mac/198.18.0.66", i * 1_000_000L) ? 1 : 0;
        }
        assertEquals(0, again, "a thousand repeats within the interval: no line");
        assertTrue(l.allow("bad-mac/198.18.0.7", SECOND), "another sender is still said");
        assertTrue(l.allow("bad-mac/198.18.0.66", 11 * SECOND), "and the first again after the interval");
    }

    @Test
    void aFullTableKeepsWhatItLimitedAndSaysNothingNewUntilKeysExpire() {
        LogLimiter l = new LogLimiter(10 * SECOND);
        for (int i = 0; i < Constants.MAX_LOG_KEYS; i++) {
            assertTrue(l.allow("k" + i, 0));
        }
        assertFalse(l.allow("new", SECOND), "full: a new key is suppressed");
        assertFalse(l.allow("k0", SECOND), "a key already limited is not forgotten (the old limiter cleared all)");
        int lines = 0;
        for (int i = 0; i < 10_000; i++) {
            lines += l.allow("flood" + i, 2 * SECOND) ? 1 : 0;
        }
        assertEquals(0, lines, "a flood of new keys while full writes nothing");
        assertTrue(l.allow("new", 11 * SECOND), "once the old keys expired, new ones are said again");
    }
}
