package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A believed member the gossip layer does not list is probed again, less and less often, a few per round. */
class RediscoveryTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void anUnlistedMemberIsProbedAfterOneSecondThenAfterTwiceAsLongEachTimeUpToTheLongestWait() {
        Rediscovery r = new Rediscovery();
        List<Long> probedAt = new ArrayList<>();
        for (long t = 0; t <= 200 * SECOND; t += SECOND / 10) {
            if (!r.due(t, List.of("lab")).isEmpty()) {
                probedAt.add(t / (SECOND / 10));
            }
        }
        // Seen at 0: probed at 1 s, then 2, 4, 8, 16 and 32 s later, then every 32 s (in tenths of a second).
        assertEquals(List.of(10L, 30L, 70L, 150L, 310L, 630L, 950L, 1270L, 1590L, 1910L), probedAt);
    }

    @Test
    void aMemberListedAgainStartsOverAndNoRoundProbesMoreThanItsShare() {
        Rediscovery r = new Rediscovery();
        r.due(0, List.of("lab"));
        assertEquals(List.of("lab"), r.due(SECOND, List.of("lab")));
        assertEquals(List.of(), r.due(2 * SECOND, List.of()), "listed again: forgotten");
        r.due(2 * SECOND, List.of("lab"));
        assertEquals(List.of("lab"), r.due(3 * SECOND, List.of("lab")), "one second again, not two");

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add("n" + i);
        }
        r.due(10 * SECOND, many);
        int probed = 0;
        for (int round = 0; round < 7; round++) {
            int n = r.due(11 * SECOND + round, many).size();
            assertEquals(Math.min(Rediscovery.PER_ROUND, 100 - probed), n);
            probed += n;
        }
        assertEquals(100, probed, "all of them, a round's share at a time");
    }
}
