package dev.skein.node.peer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a member's pongs say of our endpoint reaches membership when it is news, or to keep it fresh. */
class ReachTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void anObservedEndpointIsPassedOnWhenNewAndThenOnlyToKeepItFresh() {
        Reach r = new Reach(new byte[32], List.of(), false);
        InetSocketAddress seen = new InetSocketAddress("198.18.0.9", 51820);
        InetSocketAddress moved = new InetSocketAddress("198.18.0.9", 40001);
        long every = 5 * SECOND;
        assertTrue(r.passObserved(seen, 0, every), "the first report");
        assertFalse(r.passObserved(seen, 1 * SECOND, every), "the same address a second later");
        assertFalse(r.passObserved(seen, 4 * SECOND, every));
        assertTrue(r.passObserved(moved, 4 * SECOND + 1, every), "a new address at once (a NAT rebooted)");
        assertFalse(r.passObserved(moved, 6 * SECOND, every));
        assertTrue(r.passObserved(moved, 9 * SECOND + 1, every), "the same address again once 5 s have passed");
        assertTrue(r.passObserved(seen, 9 * SECOND + 2, every), "and back to the old one at once");
    }
}
