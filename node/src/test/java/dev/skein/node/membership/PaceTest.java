package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skein.node.Constants;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PaceTest {
    @Test
    void theRealPaceIsTheHostsClock() {
        assertEquals(123_456_789L, Pace.REAL.host(123_456_789L));
        assertEquals(Duration.ofMillis(250), Pace.REAL.onHost(Duration.ofMillis(250)));
    }

    @Test
    void aSlowedPaceReadsTimeSlowerAndStretchesEveryDuration() {
        Pace slow = new Pace(4);
        assertEquals(1_000L, slow.host(4_000L));
        assertEquals(-1_000L, slow.host(-4_000L)); // System.nanoTime() may be negative
        assertEquals(Duration.ofSeconds(8), slow.onHost(Duration.ofSeconds(2)));
        // 2 s of silence on the slowed clock is 8 s of the host's
        long start = 1_000_000_000L;
        assertEquals(Duration.ofSeconds(2).toNanos(), slow.host(start + Duration.ofSeconds(8).toNanos()) - slow.host(start));
    }

    @Test
    void neverStaysNever() {
        assertEquals(Constants.NEVER, new Pace(8).host(Constants.NEVER));
        assertEquals(Long.MIN_VALUE, new Pace(8).host(Long.MIN_VALUE));
    }

    @Test
    void aPaceFasterThanRealIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Pace(0));
    }
}
