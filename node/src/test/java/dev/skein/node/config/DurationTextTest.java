package dev.skein.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {
    @Test
    void readsEveryUnitTheConfigurationWrites() {
        assertEquals(Duration.ofMillis(500), DurationText.parse("500ms"));
        assertEquals(Duration.ofSeconds(2), DurationText.parse("2s"));
        assertEquals(Duration.ofMillis(1500), DurationText.parse(" 1.5s "));
        assertEquals(Duration.ofSeconds(90), DurationText.parse("90"));
        assertEquals(Duration.ofMinutes(12), DurationText.parse("12m"));
        assertEquals(Duration.ofHours(1), DurationText.parse("1h"));
    }

    @Test
    void refusesWhatIsNoPositiveDurationSayingWhatIs() {
        for (String bad : new String[] {"soon", "", "0s", "-5s", "12 parsecs", "ms"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("is not a duration above zero (e.g. 500ms, 2s, 12m, 1h)"),
                    e.getMessage());
        }
    }

    @Test
    void refusesWhatWouldOverflowNanos() {
        for (String huge : new String[] {"1e400s", "9999999h", "366d0h"}) {
            assertThrows(IllegalArgumentException.class, () -> DurationText.parse(huge), huge);
        }
        assertEquals(Duration.ofDays(365), DurationText.parse("8760h"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DurationText.parse("8761h")).getMessage()
                .contains("is longer than 365 days"));
    }
}
