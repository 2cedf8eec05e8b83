package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which of our endpoints, as members report them, we publish: never one liar's choice. */
class ObservedEndpointsTest {
    private static final long SECOND = 1_000_000_000L;
    private final ObservedEndpoints observed = new ObservedEndpoints();

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    @Test
    void aSeedsWordIsEnoughAnOrdinaryMembersIsNot() {
        assertFalse(observed.report(at("198.19.0.9", 4000), "liar", false, 0));
        assertEquals(List.of(), observed.published(), "one member's report publishes nothing");
        assertTrue(observed.report(at("198.19.0.5", 51820), "seed", true, SECOND));
        assertEquals(List.of(at("198.19.0.5", 51820)), observed.published());
    }

    @Test
    void twoMembersConfirmAnEndpoint() {
        assertFalse(observed.report(at("198.19.0.5", 40000), "office", false, 0));
        assertTrue(observed.report(at("198.19.0.5", 40000), "den", false, SECOND));
        assertEquals(List.of(at("198.19.0.5", 40000)), observed.published());
    }

    @Test
    void aLyingMemberCannotFloodOurRecordNorChangeWhatWePublish() {
        observed.report(at("198.19.0.5", 51820), "seed", true, 0);
        for (int i = 0; i < 16; i++) {
            assertFalse(observed.report(at("198.19.1." + i, 1000 + i), "liar", false, SECOND + i));
        }
        // Two liars (two stolen keys) each hold one report at a time: their last ones only.
        observed.report(at("198.19.2.2", 2222), "liar2", false, 2 * SECOND);
        assertEquals(List.of(at("198.19.0.5", 51820)), observed.published(), "the liar's addresses are not ours");
        assertTrue(observed.report(at("198.19.2.2", 2222), "liar", false, 3 * SECOND),
                "two reporters agree: published (two compromised members can)");
        assertEquals(2, observed.published().size());
    }

    @Test
    void boundedAndExpiring() {
        for (int i = 0; i < 10; i++) {
            observed.report(at("198.19.0." + i, 51820), "seed", true, i * SECOND);
        }
        assertEquals(ObservedEndpoints.MAX_PUBLISHED, observed.published().size());
        assertEquals(at("198.19.0.9", 51820), observed.published().get(0), "newest first");
        assertFalse(observed.expire(20 * SECOND));
        assertTrue(observed.expire(9 * SECOND + ObservedEndpoints.TTL_NANOS + 1));
        assertEquals(List.of(), observed.published());
    }
}
