package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SourceRateLimiterTest {
    private static final long MS = 1_000_000L;

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static int allowed(SourceRateLimiter l, InetAddress a, int tries, long now) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            if (l.allow(a, now)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aBurstPassesThenTheRate() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(20, 5, 64);
        InetAddress a = ip("198.18.0.7");
        long t = 1_000 * MS;
        assertEquals(5, allowed(l, a, 100, t), "the burst, then nothing at the same instant");
        // 20 a second: one more every 50 ms, never more than that however often it tries.
        assertEquals(0, allowed(l, a, 10, t + 49 * MS));
        assertEquals(1, allowed(l, a, 10, t + 50 * MS));
        int over = 0;
        for (int ms = 51; ms <= 1050; ms++) {
            over += allowed(l, a, 3, t + ms * MS);
        }
        assertEquals(20, over, "one second of tries earns 20");
    }

    @Test
    void refillsToTheBurstAndNoFurther() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(10, 3, 64);
        InetAddress a = ip("198.18.0.7");
        long t = 5_000 * MS;
        assertEquals(3, allowed(l, a, 10, t));
        // A long silence earns a full bucket, not a minute's worth of messages.
        assertEquals(3, allowed(l, a, 100, t + 60_000 * MS));
    }

    @Test
    void sourcesDoNotShareBuckets() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(1, 2, 64);
        long t = 0;
        assertEquals(2, allowed(l, ip("198.18.0.1"), 10, t));
        assertEquals(2, allowed(l, ip("198.18.0.2"), 10, t), "a flooding neighbour leaves others their budget");
        assertEquals(0, allowed(l, ip("198.18.0.1"), 10, t));
    }

    @Test
    void anIpv6Slash64IsOneSource() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(1, 2, 64);
        assertEquals(2, allowed(l, ip("2001:db8:1:2::1"), 1, 0) + allowed(l, ip("2001:db8:1:2:ffff::9"), 1, 0));
        assertFalse(l.allow(ip("2001:db8:1:2:abcd::5"), 0), "the same /64");
        assertTrue(l.allow(ip("2001:db8:1:3::1"), 0), "another /64");
        assertNotEquals(SourceRateLimiter.key(ip("198.18.0.1")), SourceRateLimiter.key(ip("2001:db8::1")));
    }

    @Test
    void idleSourcesAreForgottenAtTheNextSweep() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(20, 5, 64);
        long t = 0;
        for (int i = 1; i <= 30; i++) {
            l.allow(ip("198.18.1." + i), t);
        }
        assertEquals(30, l.size());
        l.allow(ip("198.18.0.1"), t + 500 * MS);
        assertEquals(31, l.size(), "within the expiry nothing is forgotten");
        l.allow(ip("198.18.0.1"), t + 1_100 * MS);
        assertEquals(1, l.size(), "only the source seen within the last second stays");
    }

    @Test
    void aFullTableSharesOneOverflowBucketAndKeepsKnownSources() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(1, 2, 24);
        long t = 0;
        InetAddress known = ip("198.18.0.1");
        assertTrue(l.allow(known, t));
        int strangers = 0;
        for (int i = 0; i < 2000; i++) {
            if (l.allow(ip("198.19." + (i / 250) + "." + (i % 250)), t)) {
                strangers++;
            }
        }
        assertEquals(24, l.size(), "memory stays bounded however many sources");
        // 23 new sources fit (one burst each is 2, but each sent once), then the rest share one bucket of 2.
        assertEquals(23 + 2, strangers);
        assertTrue(l.allow(known, t), "a source already in the table keeps its own budget");
    }

    @Test
    void refusesNonsenseSettings() {
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(1, 0, 1));
    }
}
