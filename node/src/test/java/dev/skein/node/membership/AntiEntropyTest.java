package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whom our record set goes to: newcomers through us once, and one random member every five seconds. */
class AntiEntropyTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void newcomersThroughUsGetTheSetOnceAndEveryoneElseOnlyByTurn() {
        AntiEntropy a = new AntiEntropy(new Random(1));
        long now = 100 * SECOND;
        List<String> first = a.targets(now, Set.of("a", "b", "c"), true, "b"::equals);
        assertTrue(first.contains("b"), "the newcomer gets it at once: " + first);
        assertTrue(first.size() <= 2, "and one random member, perhaps the newcomer again: " + first);
        assertEquals(List.of(), a.targets(now + SECOND, Set.of("a", "b", "c"), true, "b"::equals),
                "nobody twice for being new, nobody else before five seconds");
        assertEquals(1, a.targets(now + 6 * SECOND, Set.of("a", "b", "c"), false, n -> false).size());
    }

    @Test
    void aMemberThatLeftTheListIsNewAgainWhenItComesBack() {
        AntiEntropy a = new AntiEntropy(new Random(1));
        long now = 100 * SECOND;
        a.targets(now, Set.of("a", "b"), true, n -> true);
        a.listed(Set.of("a"));
        List<String> back = a.targets(now + SECOND, Set.of("a", "b"), true, n -> true);
        assertEquals(List.of("b"), back);
    }

    @Test
    void aRecordSetCarriesOursFirst() throws Exception {
        byte[] set = AntiEntropy.recordSet(new byte[] {1}, List.of(), List.of(new byte[] {2}, new byte[] {3}));
        dev.skein.protocol.proto.RecordSet parsed = dev.skein.protocol.proto.RecordSet.parseFrom(set);
        assertEquals(3, parsed.getRecordsCount());
        assertEquals(1, parsed.getRecords(0).byteAt(0));
    }
}
