package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.config.Tuning;
import dev.skein.node.io.MemoryNetwork;
import dev.skein.node.io.UdpPackets;
import dev.skein.node.peer.Peer;
import java.util.ArrayList;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Members' paths ({@link Paths}) with whole data planes in memory, without root: home and office each behind a
 * NAT router that filters what it did not ask for, a public seed that relays. Where the routers keep ports, the
 * two punch a hole and go direct; while the link between them is cut they go through the relay, and come back
 * to direct once it heals; behind routers that pick a new port per destination they stay on the relay.
 */
class PathsTest {
    /** WireGuard's timers, but a lost handshake message is sent again after 0.5 s instead of 5. */
    private static final Tuning FAST = new Tuning(Tuning.WIREGUARD.rekeyAfterTime(),
            Tuning.WIREGUARD.rejectAfterTime(), Tuning.WIREGUARD.rekeyAttemptTime(), java.time.Duration.ofMillis(500),
            Tuning.WIREGUARD.keepaliveTimeout());
    private final MemoryNetwork network = new MemoryNetwork(7);
    private final List<MemoryNode> nodes = new ArrayList<>();
    private MemoryNode seed;
    private MemoryNode home;
    private MemoryNode office;
    private Peer officeAtHome;

    @AfterEach
    void close() {
        nodes.forEach(MemoryNode::close);
        network.close();
    }

    private MemoryNode node(String name, String overlay, String underlay) {
        MemoryNode n = new MemoryNode(network, name, overlay, underlay, FAST);
        nodes.add(n);
        return n;
    }

    /**
     * The seed at 198.18.0.1 (relay); home at 198.19.1.2 behind 198.18.0.21, office at 198.19.2.2 behind
     * 198.18.0.22, both routers of {@code kind}. Each learns the other's candidates as membership would publish
     * them: its LAN address and its public address as the seed saw it.
     */
    private void mesh(MemoryNetwork.Nat.Mapping kind) {
        network.nat("198.18.0.21", "198.19.1.", kind);
        network.nat("198.18.0.22", "198.19.2.", kind);
        seed = node("seed", "100.64.0.1", "198.18.0.1");
        home = node("home", "100.64.0.2", "198.19.1.2");
        office = node("office", "100.64.0.3", "198.19.2.2");
        seed.device.relayEnabled(true);
        seed.member(home, List.of(), false); // the seed learns where they are from their packets
        seed.member(office, List.of(), false);
        Peer seedAtHome = home.member(seed, List.of(seed.socket.address()), true);
        Peer seedAtOffice = office.member(seed, List.of(seed.socket.address()), true);
        officeAtHome = home.member(office, List.of(office.socket.address(),
                MemoryNetwork.endpoint("198.18.0.22", 51820)), false);
        office.member(home, List.of(home.socket.address(), MemoryNetwork.endpoint("198.18.0.21", 51820)), false);
        nodes.forEach(MemoryNode::start);
        // As membership does on a real node: sessions with the seed first (a relay forwards only between
        // members whose authenticated packets it has had, from the address they came from).
        home.device.startHandshake(seedAtHome);
        office.device.startHandshake(seedAtOffice);
    }

    /** Sends {@code text} every 200 ms until it arrives, for up to {@code millis}; true if it did. */
    private boolean reaches(MemoryNode from, MemoryNode to, String text, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            from.send(to, text);
            if (to.receives(text, 200)) {
                return true;
            }
        }
        return false;
    }

    private boolean becomes(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Test
    void throughTheRelayWhileTheLinkIsCutThenDirectOnceItHeals() throws Exception {
        network.block("198.18.0.21", "198.18.0.22", true);
        mesh(MemoryNetwork.Nat.Mapping.PORT_PRESERVING);
        assertTrue(reaches(home, office, "through the relay", 8000));
        assertNotNull(officeAtHome.relay(), "home reaches office, not directly: through the seed");
        assertEquals("seed", officeAtHome.relay().name());
        assertTrue(office.peer(home).relay() != null);
        office.send(home, "back through the relay");
        assertTrue(home.receives("back through the relay", 2000));
        assertTrue(seed.device.counters().relayedPackets.get() > 0);

        network.block("198.18.0.21", "198.18.0.22", false);
        long healed = System.nanoTime();
        assertTrue(becomes(() -> officeAtHome.relay() == null, 8000),
                "home never went direct after the link healed");
        System.out.printf("direct %.1f s after the link healed%n", (System.nanoTime() - healed) / 1e9);
        assertEquals("198.18.0.22", officeAtHome.endpoint().getAddress().getHostAddress());
        long relayedBefore = seed.device.counters().relayedPackets.get();
        assertTrue(reaches(home, office, "direct now", 2000));
        office.send(home, "direct back");
        assertTrue(home.receives("direct back", 2000));
        assertTrue(becomes(() -> office.peer(home).relay() == null, 4000));
        Thread.sleep(300);
        long relayedAfter = seed.device.counters().relayedPackets.get();
        home.send(office, "not through the seed");
        assertTrue(office.receives("not through the seed", 2000));
        Thread.sleep(200);
        assertTrue(seed.device.counters().relayedPackets.get() - relayedAfter == 0,
                "a packet went through the relay after the path became direct (" + relayedBefore + " before)");
    }

    @Test
    void behindRoutersThatPickANewPortPerDestinationTheRelayCarriesTheTraffic() throws Exception {
        mesh(MemoryNetwork.Nat.Mapping.RANDOM_PORT);
        assertTrue(reaches(home, office, "relayed", 8000));
        Thread.sleep(4500); // two rounds of probes (every 2 s): none gets through such routers
        assertNotNull(officeAtHome.relay(), "a direct path through two symmetric NATs cannot be");
        for (int i = 0; i < 20; i++) {
            home.send(office, "r" + i);
        }
        List<String> got = office.drain(2000);
        assertTrue(got.size() >= 19, "the relay carried " + got.size() + " of 20");
        office.send(home, "back");
        assertTrue(home.receives("back", 2000));
    }

    @Test
    void aPathThatFallsSilentGoesBackToTheRelay() throws Exception {
        mesh(MemoryNetwork.Nat.Mapping.PORT_PRESERVING);
        assertTrue(reaches(home, office, "hello", 8000));
        assertTrue(becomes(() -> officeAtHome.relay() == null, 8000), "never direct");
        network.block("198.18.0.21", "198.18.0.22", true);
        long cut = System.nanoTime();
        assertTrue(becomes(() -> officeAtHome.relay() != null, 6000), "still direct on a cut link");
        System.out.printf("back to the relay %.1f s after the cut%n", (System.nanoTime() - cut) / 1e9);
        assertTrue(reaches(home, office, "through the relay again", 4000));
    }

    /**
     * Issue 25: a member whose direct path breaks is never taken for dead. Home sends to office every 50 ms; the
     * link between their routers is cut. Through the seed a ping asks whether office is alive, office answers the
     * same way, so home keeps hearing office (membership's liveness allows 2 s of silence), and the traffic moves
     * to the relay once the direct path that carries home's traffic has stayed silent for 0.5 s while the relay
     * answered: no packet goes missing for a second (issue 25's bound), not for the 3 s a silent path takes when
     * no relay answers.
     */
    @Test
    void aMemberWhoseDirectPathBreaksIsHeardThroughoutAndTheTrafficMovesToTheRelay() throws Exception {
        mesh(MemoryNetwork.Nat.Mapping.PORT_PRESERVING);
        assertTrue(reaches(home, office, "hello", 8000));
        assertTrue(becomes(() -> officeAtHome.relay() == null && office.peer(home).relay() == null, 8000),
                "never direct");
        Thread.sleep(1500); // every ping of the punching settled
        network.block("198.18.0.21", "198.18.0.22", true);
        long cut = System.nanoTime();
        long worstSilence = 0;
        long lastArrival = cut;
        long longestGap = 0;
        long relayedAt = 0;
        int sent = 0;
        while (System.nanoTime() - cut < 5_000_000_000L) {
            home.send(office, "p" + sent++);
            long now = System.nanoTime();
            worstSilence = Math.max(worstSilence, now - officeAtHome.lastHeardNanos());
            for (byte[] got; (got = office.tun.toStack(0)) != null; ) {
                long t = System.nanoTime();
                if (UdpPackets.payload(got).startsWith("p")) {
                    longestGap = Math.max(longestGap, t - lastArrival);
                    lastArrival = t;
                }
            }
            if (relayedAt == 0 && officeAtHome.relay() != null) {
                relayedAt = now;
            }
            Thread.sleep(50);
        }
        System.out.printf("after the cut: relayed at %.2f s, longest gap between arrivals %.2f s, longest silence "
                + "%.2f s; %d sent%n", (relayedAt - cut) / 1e9, longestGap / 1e9, worstSilence / 1e9, sent);
        assertTrue(relayedAt != 0, "still direct on a cut link");
        assertTrue(relayedAt - cut < 1_000_000_000L, "relayed only " + (relayedAt - cut) / 1e9 + " s after the cut");
        assertTrue(worstSilence < 2_000_000_000L, "office was silent for " + worstSilence / 1e9
                + " s: membership would have taken it for dead");
        assertTrue(longestGap < 1_000_000_000L, "no packet arrived for " + longestGap / 1e9 + " s");
        assertEquals("seed", officeAtHome.relay().name());
    }

    /**
     * Issue 25: home and office behind bare Linux masquerade routers (nothing filters what reaches the router
     * itself), 20 ms apart. A ping that reaches the far router before the far host pinged spoils that router's
     * port for the far host's own pings; so neither pings unannounced, both ping at one moment agreed through the
     * seed, and the path goes direct at the first punch. Pinging at once on the offer instead (the receiver some 40 ms
     * after the sender: the relay's two legs) with no priming fails this test: checked by mutation.
     */
    @Test
    void behindBareMasqueradeRoutersBothEndsPunchAtOneMomentAndGoDirect() throws Exception {
        network.faults(0, 0, 20, 0);
        mesh(MemoryNetwork.Nat.Mapping.BARE_MASQUERADE);
        assertDirectThroughBareRouters("");
        long relayedAfter = seed.device.counters().relayedPackets.get();
        assertTrue(reaches(home, office, "direct now", 2000));
        Thread.sleep(200);
        assertEquals(relayedAfter, seed.device.counters().relayedPackets.get(), "traffic still went through the seed");
    }

    /**
     * The agreed moment missed by far more than the routers' distance: the seed's datagrams to home take 300 ms
     * longer than the rest, so whichever end offers, the two ends' punch pings leave some 150 ms apart (the
     * offerer takes half the offer's round trip for the way there). What keeps the first punch working is that
     * each end primed its own router (a TTL-limited ping) before the other could ping it: with the priming taken
     * out, this test fails (checked by mutation: office's router gives office's pings to home another port).
     */
    @Test
    void behindBareRoutersAPunchWhoseMomentIsMissedStillGoesDirect() throws Exception {
        network.faults(0, 0, 20, 0);
        network.slowLeg("198.18.0.1", "198.18.0.21", 300);
        mesh(MemoryNetwork.Nat.Mapping.BARE_MASQUERADE);
        assertDirectThroughBareRouters(", punches 150 ms apart,");
    }

    /**
     * Issue 25, seen once in CI: something from the seed reached home's bare router before home sent there, so
     * its mapping toward the seed took another port and the seed saw home at that odd port; office had installed
     * home from its join alone, with no candidates. Had office taken home's first offer, it would have primed its
     * router toward the odd port only (the one the offer names), and home's punch pings, from home's own port,
     * would have spoiled it. Office waits for home's record instead, which names the odd port and the same
     * address at home's own port (as {@code OwnRecord} publishes it), and the punch goes direct at once. Without
     * the own-port candidate, or with office taking the offer that came before the record, this test fails
     * (checked by mutation).
     */
    @Test
    void aMemberTheSeedSawAtAnOddPortIsPunchedAtItsOwnPortOnceItsRecordIsHere() throws Exception {
        network.nat("198.18.0.21", "198.19.1.", MemoryNetwork.Nat.Mapping.BARE_MASQUERADE);
        network.nat("198.18.0.22", "198.19.2.", MemoryNetwork.Nat.Mapping.BARE_MASQUERADE);
        seed = node("seed", "100.64.0.1", "198.18.0.1");
        home = node("home", "100.64.0.2", "198.19.1.2");
        office = node("office", "100.64.0.3", "198.19.2.2");
        // Before the delay is set, so it reaches the router at once: before home's first datagram can leave.
        network.inject(seed.socket.address(), MemoryNetwork.endpoint("198.18.0.21", 51820), new byte[16]);
        network.faults(0, 0, 20, 0);
        seed.device.relayEnabled(true);
        seed.member(home, List.of(), false);
        seed.member(office, List.of(), false);
        Peer seedAtHome = home.member(seed, List.of(seed.socket.address()), true);
        Peer seedAtOffice = office.member(seed, List.of(seed.socket.address()), true);
        officeAtHome = home.member(office, List.of(office.socket.address(),
                MemoryNetwork.endpoint("198.18.0.22", 51820)), false);
        Peer homeAtOffice = office.member(home, List.of(), false); // from its join: its record is not here yet
        nodes.forEach(MemoryNode::start);
        home.device.startHandshake(seedAtHome);
        office.device.startHandshake(seedAtOffice);
        assertTrue(becomes(() -> seed.peer(home).endpoint() != null && officeAtHome.relay() != null, 4000),
                "home never reached the seed");
        InetSocketAddress seen = seed.peer(home).endpoint();
        assertTrue(seen.getPort() != 51820, "home's router kept its port toward the seed: " + seen);
        Thread.sleep(1000); // home offers punches meanwhile, office has nothing to prime toward
        homeAtOffice.reach().candidates(List.of(seen, MemoryNetwork.endpoint("198.18.0.21", 51820),
                home.socket.address()));
        office.device.candidatesChanged(homeAtOffice);
        assertDirectThroughBareRouters(", seen by the seed at " + seen + ",");
    }

    /** Home and office go direct within 8 s, each at the other router's own port (no ping spoiled either). */
    private void assertDirectThroughBareRouters(String how) throws InterruptedException {
        long start = System.nanoTime();
        assertTrue(reaches(home, office, "hello", 8000));
        assertTrue(becomes(() -> officeAtHome.relay() == null && office.peer(home).relay() == null
                && officeAtHome.endpoint() != null && Paths.direct(officeAtHome.reach(), System.nanoTime()), 8000),
                "never direct: home " + officeAtHome.path() + ", office " + office.peer(home).path());
        System.out.printf("direct through bare routers%s %.2f s after the start%n", how,
                (System.nanoTime() - start) / 1e9);
        assertEquals("198.18.0.22:51820", officeAtHome.endpoint().getAddress().getHostAddress() + ":"
                + officeAtHome.endpoint().getPort(), "office's router kept its port: no ping spoiled it");
        assertEquals("198.18.0.21:51820", office.peer(home).endpoint().getAddress().getHostAddress() + ":"
                + office.peer(home).endpoint().getPort(), "home's router kept its port: no ping spoiled it");
    }

    /**
     * Home behind a router that takes a new port for every destination, office on a public address: office
     * cannot know home's port, but home's ping reaches it from there, and that (authenticated) address becomes a
     * candidate: office answers and pings it back, and both go direct.
     */
    @Test
    void anAddressAMembersPingCameFromBecomesACandidate() throws Exception {
        assertOfficeGoesDirectToHomeBehindARandomPortRouter();
    }

    /**
     * The same, with office pinging another of home's addresses just before each of home's direct pings arrives
     * (as when both ends' timers tick together: office's ping through the relay or to another candidate leaves
     * on the same tick). The ping back to the address home's ping came from must not be held back by pings to
     * elsewhere: holding it back for any ping of ours made the test above fail now and then in CI, and makes this
     * one fail every time (checked by mutation).
     */
    @Test
    void aPingToAnotherAddressDoesNotHoldBackThePingBack() throws Exception {
        network.intercept(d -> {
            byte[] b = d.bytes();
            if (office != null && home != null && d.from().getAddress().getHostAddress().equals("198.18.0.21")
                    && d.to().equals(office.socket.address()) && b.length == 64 && b[0] == 6 && b[4] == 1) {
                Peer homeAtOffice = office.peer(home);
                office.device.paths.ping(homeAtOffice, home.socket.address(), System.nanoTime()); // home's LAN
            }
            return false;
        });
        assertOfficeGoesDirectToHomeBehindARandomPortRouter();
    }

    private void assertOfficeGoesDirectToHomeBehindARandomPortRouter() throws Exception {
        network.nat("198.18.0.21", "198.19.1.", MemoryNetwork.Nat.Mapping.RANDOM_PORT);
        seed = node("seed", "100.64.0.1", "198.18.0.1");
        home = node("home", "100.64.0.2", "198.19.1.2");
        office = node("office", "100.64.0.3", "198.18.0.3");
        seed.device.relayEnabled(true);
        seed.member(home, List.of(), false);
        seed.member(office, List.of(), false);
        Peer seedAtHome = home.member(seed, List.of(seed.socket.address()), true);
        Peer seedAtOffice = office.member(seed, List.of(seed.socket.address()), true);
        officeAtHome = home.member(office, List.of(office.socket.address()), false);
        // What home's record says: its LAN address and the port its router showed the seed, neither of use here.
        Peer homeAtOffice = office.member(home, List.of(home.socket.address(),
                MemoryNetwork.endpoint("198.18.0.21", 51820)), false);
        nodes.forEach(MemoryNode::start);
        home.device.startHandshake(seedAtHome);
        office.device.startHandshake(seedAtOffice);
        assertTrue(becomes(() -> homeAtOffice.relay() == null && homeAtOffice.endpoint() != null
                && Paths.direct(homeAtOffice.reach(), System.nanoTime()), 8000),
                () -> "office never went direct to home: " + homeAtOffice.path() + "; office knows home at "
                        + homeAtOffice.reach().allCandidates() + ", last pinged it "
                        + (System.nanoTime() - homeAtOffice.reach().lastPingNanos()) / 1_000_000 + " ms ago, heard it"
                        + " direct " + (System.nanoTime() - homeAtOffice.reach().lastDirectNanos()) / 1_000_000
                        + " ms ago; office's drops " + office.device.counters.snapshot() + ", home's "
                        + home.device.counters.snapshot() + "; home's path to office " + officeAtHome.path());
        assertTrue(homeAtOffice.reach().allCandidates().contains(homeAtOffice.endpoint()));
        assertTrue(homeAtOffice.endpoint().getPort() != 51820, "home's router took a port of its own");
        assertTrue(reaches(office, home, "straight to the port home's router chose", 2000));
    }

    /** A relayed path message of {@code kind} (1 ping, 2 pong): relay header (type 7, 20 bytes), then type 6. */
    private static boolean relayed(MemoryNetwork.Datagram d, int kind) {
        byte[] b = d.bytes();
        return b.length == 20 + 64 && b[0] == 7 && b[20] == 6 && b[24] == kind;
    }

    /**
     * A relayed liveness ping replayed (by the relay, or anyone on the path) gets no answer: office counts each
     * copy as replayed and answers only the pings home really sent, one pong each, so no one can make a member
     * send more through a relay than it is asked to by the member itself.
     */
    @Test
    void aReplayedRelayedPingIsRefusedAndAnsweredByNoPong() throws Exception {
        java.util.concurrent.atomic.AtomicInteger pingsToOffice = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger pongsFromOffice = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<MemoryNetwork.Datagram> captured =
                new java.util.concurrent.atomic.AtomicReference<>();
        network.intercept(d -> {
            if (d.from().getAddress().getHostAddress().equals("198.18.0.1") && relayed(d, 1)
                    && d.to().getAddress().getHostAddress().equals("198.19.2.2")) {
                pingsToOffice.incrementAndGet();
                captured.compareAndSet(null, d);
            } else if (d.from().getAddress().getHostAddress().equals("198.18.0.22") && relayed(d, 2)) {
                pongsFromOffice.incrementAndGet();
            }
            return false;
        });
        mesh(MemoryNetwork.Nat.Mapping.PORT_PRESERVING);
        assertTrue(reaches(home, office, "hello", 8000));
        assertTrue(becomes(() -> officeAtHome.relay() == null, 8000), "never direct");
        network.block("198.18.0.21", "198.18.0.22", true);
        assertTrue(becomes(() -> captured.get() != null, 4000), "home never asked through the seed");
        Thread.sleep(300);
        long replayedBefore = office.device.counters().replayed.get();
        MemoryNetwork.Datagram ping = captured.get();
        for (int i = 0; i < 5; i++) {
            network.inject(ping.from(), MemoryNetwork.endpoint("198.18.0.22", 51820), ping.bytes());
        }
        assertTrue(becomes(() -> office.device.counters().replayed.get() >= replayedBefore + 5, 2000),
                "office did not refuse the copies as replays");
        Thread.sleep(300);
        int pings = pingsToOffice.get() - 5; // the injected copies passed the same tap
        int pongs = pongsFromOffice.get();
        System.out.printf("relayed pings from home %d, pongs from office %d%n", pings, pongs);
        assertTrue(pongs >= 1, "office never answered through the seed");
        assertTrue(pongs <= pings, pongs + " pongs for " + pings + " pings home sent");
    }

    /**
     * Someone on the underlay copies a direct ping of home's and replays it from an address of its own: office
     * refuses each copy as a replay (its stamp is old), so the address never becomes a candidate for home and
     * office sends it nothing: no pong, no ping back. A copy could otherwise point office's traffic anywhere.
     */
    @Test
    void aDirectPingReplayedFromAnotherAddressIsNotLearnedNorAnswered() throws Exception {
        InetSocketAddress spoofed = MemoryNetwork.endpoint("198.18.0.99", 4444);
        java.util.concurrent.atomic.AtomicReference<MemoryNetwork.Datagram> captured =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger toSpoofed = new java.util.concurrent.atomic.AtomicInteger();
        network.intercept(d -> {
            byte[] b = d.bytes();
            if (d.from().getAddress().getHostAddress().equals("198.18.0.2") && b.length == 64 && b[0] == 6
                    && b[4] == 1) {
                captured.compareAndSet(null, d); // a direct ping of home's
            }
            if (d.from().getAddress().getHostAddress().equals("198.18.0.3") && d.to().equals(spoofed)) {
                toSpoofed.incrementAndGet();
            }
            return false;
        });
        network.bind("198.18.0.99", 4444); // so that what office might send there would be delivered and seen
        home = node("home", "100.64.0.2", "198.18.0.2");
        office = node("office", "100.64.0.3", "198.18.0.3");
        officeAtHome = home.member(office, List.of(office.socket.address()), false);
        Peer homeAtOffice = office.member(home, List.of(home.socket.address()), false);
        nodes.forEach(MemoryNode::start);
        assertTrue(reaches(home, office, "hello", 8000));
        assertTrue(becomes(() -> captured.get() != null, 8000), "home never pinged office directly");
        Thread.sleep(300);
        long replayedBefore = office.device.counters().replayed.get();
        for (int i = 0; i < 5; i++) {
            network.inject(spoofed, office.socket.address(), captured.get().bytes());
        }
        assertTrue(becomes(() -> office.device.counters().replayed.get() >= replayedBefore + 5, 2000),
                "office did not refuse the copies as replays");
        Thread.sleep(500);
        assertFalse(homeAtOffice.reach().allCandidates().contains(spoofed), "the spoofed address became a candidate");
        assertEquals(home.socket.address(), homeAtOffice.endpoint());
        assertEquals(0, toSpoofed.get(), "office sent something to the spoofed address");
        assertTrue(reaches(home, office, "still direct", 2000));
    }
}
