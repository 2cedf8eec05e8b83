package dev.skein.node.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.config.Tuning;
import dev.skein.node.firewall.RuleParser;
import dev.skein.node.io.UdpPackets;
import dev.skein.node.io.MemoryNetwork;
import dev.skein.node.io.MemorySocket;
import dev.skein.node.io.MemoryTun;
import dev.skein.node.offload.TcpPackets;
import dev.skein.node.offload.TcpSegmenter;
import dev.skein.node.offload.VirtioNetHeader;
import dev.skein.node.peer.Keypair;
import dev.skein.node.peer.Peer;
import dev.skein.node.peer.Sessions;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.StaticIdentity;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whole data planes ({@link Device}: its send, receive and timer threads, sessions and cipher) talking through an
 * in-memory TUN device and underlay, without root: handshakes, rekeys, expiry, keepalives, roaming behind NAT,
 * garbage, a handshake flood, a lossy network, the firewall. Timers are shortened ({@link Tuning}) so that each
 * test takes seconds; the namespace tests stay as the layer against the real kernel.
 */
class DeviceTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Rekey after 1 s, reject after 6 s; handshakes retried after 0.5 s; keepalives after 1 s. */
    private static final Tuning FAST = new Tuning(Duration.ofSeconds(1), Duration.ofSeconds(6),
            Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(1));

    private final MemoryNetwork network = new MemoryNetwork(42);
    private final List<MemoryNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(MemoryNode::close);
        network.close();
    }

    private MemoryNode node(String name, String overlay, String underlay, Tuning tuning) {
        MemoryNode n = new MemoryNode(network, name, overlay, underlay, tuning);
        nodes.add(n);
        return n;
    }

    /** Two nodes on one segment that know each other's endpoints. */
    private MemoryNode[] pair(Tuning tuning) {
        MemoryNode a = node("a", "100.64.0.1", "198.18.0.1", tuning);
        MemoryNode b = node("b", "100.64.0.2", "198.18.0.2", tuning);
        a.knows(b, b.socket.address(), 0);
        b.knows(a, a.socket.address(), 0);
        a.start();
        b.start();
        return new MemoryNode[] {a, b};
    }

    private static boolean isTransport(MemoryNetwork.Datagram d) {
        return d.bytes().length >= 32 && d.bytes()[0] == 4;
    }

    @Test
    void aHandshakeStartedByEitherSideCarriesPacketsBothWays() throws Exception {
        MemoryNode[] ab = pair(FAST);
        MemoryNode a = ab[0];
        MemoryNode b = ab[1];
        a.send(b, "first, staged during the handshake");
        assertTrue(b.receives("first, staged during the handshake", 3000));
        b.send(a, "back");
        assertTrue(a.receives("back", 2000));
        assertTrue(a.peer(b).current().initiator(), "a started it");
        assertTrue(!b.peer(a).current().initiator());

        MemoryNode c = node("c", "100.64.0.3", "198.18.0.3", FAST);
        MemoryNode d = node("d", "100.64.0.4", "198.18.0.4", FAST);
        c.knows(d, d.socket.address(), 0);
        d.knows(c, c.socket.address(), 0);
        c.start();
        d.start();
        d.send(c, "from the other side");
        assertTrue(c.receives("from the other side", 3000));
        c.send(d, "answer");
        assertTrue(d.receives("answer", 2000));
        assertTrue(d.peer(c).current().initiator());
    }

    @Test
    void aHandshakeResponseAloneCountsAsHearingFromThePeer() throws Exception {
        // Membership keeps a member its gossip layer lost while the data plane heard from it lately: a member that
        // has just answered our handshake is alive, though nothing else has come from it yet.
        MemoryNode[] ab = pair(FAST);
        Peer toB = ab[0].peer(ab[1]);
        assertEquals(0, toB.lastHeardNanos());
        long before = System.nanoTime();
        ab[0].device.startHandshake(toB);
        long deadline = before + 3_000_000_000L;
        while (toB.current() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertNotNull(toB.current(), "the session is made");
        assertEquals(0, toB.lastReceivedNanos(), "no transport message has come from b");
        assertTrue(toB.lastHeardNanos() - before > 0, "b's response counts as hearing from it");
    }

    @Test
    void aPacketTooBigForAPathOf1400WithDfGetsFragmentationNeededAndOneThatFitsArrives() throws Exception {
        network.mtu(1400); // every underlay datagram above 1400 bytes of IP is lost, as a router drops it under DF
        MemoryNode[] ab = pair(FAST);
        MemoryNode a = ab[0];
        MemoryNode b = ab[1];
        a.send(b, "hello");
        assertTrue(b.receives("hello", 3000));
        Peer toB = a.peer(b);
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (toB.tunnelMtu() != 1328 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        // 1400 - 28 (IPv4, UDP) - 32 (WireGuard's header and tag), down to a multiple of 16 (padding): 1328.
        assertEquals(1328, toB.tunnelMtu());

        byte[] big = UdpPackets.udp("100.64.0.1", 4000, "100.64.0.2", 5000, "x".repeat(1400 - 28));
        big[6] |= 0x40; // DF
        assertTrue(a.tun.fromStack(big));
        byte[] icmp = a.tun.toStack(2000);
        assertNotNull(icmp, "no ICMP back into the TUN device");
        java.nio.ByteBuffer r = java.nio.ByteBuffer.wrap(icmp);
        assertEquals(1, r.get(9), "ICMP");
        assertEquals(3, r.get(20), "destination unreachable");
        assertEquals(4, r.get(21), "fragmentation needed");
        assertEquals(1328, r.getShort(26), "the next-hop MTU: what fits");
        assertEquals("100.64.0.2", java.net.InetAddress.getByAddress(java.util.Arrays.copyOfRange(icmp, 12, 16))
                .getHostAddress(), "from the destination");
        assertEquals(1, a.device.counters().tooBig.get());

        byte[] fits = UdpPackets.udp("100.64.0.1", 4000, "100.64.0.2", 5000, "y".repeat(1328 - 28));
        fits[6] |= 0x40;
        assertTrue(a.tun.fromStack(fits));
        assertTrue(b.receives("y".repeat(1328 - 28), 2000), "a packet of the tunnel MTU fits the path, padded");
        assertEquals(1, a.device.counters().tooBig.get());
        // Without DF: cut as a router would; b's side gets the fragments, each within the path.
        assertTrue(a.tun.fromStack(UdpPackets.udp("100.64.0.1", 4000, "100.64.0.2", 5000, "z".repeat(2000))));
        for (int i = 0; i < 2; i++) {
            byte[] fragment = b.tun.toStack(2000);
            assertNotNull(fragment, "fragment " + i);
            assertTrue(fragment.length <= 1328 && (fragment[6] & 0x20) == (i == 0 ? 0x20 : 0), "fragment " + i);
        }
        assertEquals(1328, PathMtu.tunnelMtu(1400, false, false, 1420));
        assertEquals(1420, PathMtu.tunnelMtu(1500, false, false, 1420), "a 1500 path carries the device's MTU");
        assertEquals(1200, PathMtu.tunnelMtu(1280, true, false, 1420), "IPv6 1280: 1280 - 48 - 32 = 1200");
        assertEquals(PathMtu.FLOOR, PathMtu.tunnelMtu(576, false, true, 1420));
    }

    @Test
    void ipv6InsideTheTunnelArrivesIsHeldToItsSourceAndGetsPacketTooBigOnANarrowPath() throws Exception {
        network.mtu(1400);
        MemoryNode[] ab = pair(FAST);
        MemoryNode a = ab[0];
        MemoryNode b = ab[1];
        assertTrue(a.tun.fromStack(UdpPackets.udp(a.overlay6(), 4000, b.overlay6(), 5000, "over IPv6")));
        assertTrue(b.receives("over IPv6", 3000));
        assertTrue(b.tun.fromStack(UdpPackets.udp(b.overlay6(), 5000, a.overlay6(), 4000, "and back")));
        assertTrue(a.receives("and back", 2000));

        // b may send only from its own addresses: a source of a's, or of no one's, is dropped at a.
        long forbidden = a.device.counters().forbiddenSource.get();
        assertTrue(b.tun.fromStack(UdpPackets.udp("fd00:64::99", 5000, a.overlay6(), 4000, "forged")));
        assertTrue(b.tun.fromStack(UdpPackets.udp(a.overlay6(), 5000, a.overlay6(), 4000, "forged")));
        assertFalse(a.receives("forged", 500));
        assertEquals(forbidden + 2, a.device.counters().forbiddenSource.get());

        Peer toB = a.peer(b);
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (toB.tunnelMtu() != 1328 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1328, toB.tunnelMtu());
        // IPv6 has no DF bit: no router fragments it, so every packet too big for the path gets "packet too big".
        assertTrue(a.tun.fromStack(UdpPackets.udp(a.overlay6(), 4000, b.overlay6(), 5000, "x".repeat(1400 - 48))));
        java.nio.ByteBuffer r = java.nio.ByteBuffer.wrap(a.tun.toStack(2000));
        assertEquals(0x60, r.get(0) & 0xf0, "ICMPv6 back into the TUN device");
        assertEquals(58, r.get(6));
        assertEquals(2, r.get(40), "packet too big");
        assertEquals(1328, r.getInt(44), "the MTU that fits");
        assertEquals(java.nio.ByteBuffer.wrap(IpPrefix.parse(b.overlay6()).ip()), r.slice(8, 16), "from the destination");
        assertEquals(1, a.device.counters().tooBig.get());
        assertTrue(a.tun.fromStack(UdpPackets.udp(a.overlay6(), 4000, b.overlay6(), 5000, "y".repeat(1328 - 48))));
        assertTrue(b.receives("y".repeat(1328 - 48), 2000), "an IPv6 packet of the tunnel MTU fits the path");

        assertTrue(a.tun.fromStack(UdpPackets.udp(a.overlay6(), 4000, "fd00:64::77", 5000, "nobody")));
        r = java.nio.ByteBuffer.wrap(a.tun.toStack(2000));
        assertEquals(1, r.get(40), "no member owns it: destination unreachable");
        assertEquals(3, r.get(41), "address unreachable");
    }

    @Test
    void sessionsRollOverAfterTimeWhilePacketsFlow() throws Exception {
        MemoryNode[] ab = pair(FAST);
        Set<Integer> sessions = new HashSet<>();
        int sent = 0;
        for (long end = System.nanoTime() + 3_500_000_000L; System.nanoTime() < end; sent++) {
            ab[0].send(ab[1], "n" + sent);
            Thread.sleep(50);
            Keypair kp = ab[0].peer(ab[1]).current();
            if (kp != null) {
                sessions.add(kp.localIndex());
            }
        }
        List<String> got = ab[1].drain(1000);
        assertTrue(sessions.size() >= 3, "sessions in 3.5 s with rekey-after-time 1 s: " + sessions.size());
        assertTrue(got.size() >= sent * 0.95, got.size() + " of " + sent + " arrived");
    }

    @Test
    void sessionsRollOverAfterMessages() throws Exception {
        // Time never triggers a rekey here (60 s); a handshake may follow the last one after 200 ms.
        MemoryNode[] ab = pair(new Tuning(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(90),
                Duration.ofMillis(200), Duration.ofSeconds(10)).withRekeyAfterMessages(20));
        Set<Integer> sessions = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            ab[0].send(ab[1], "m" + i);
            Thread.sleep(15);
            Keypair kp = ab[0].peer(ab[1]).current();
            if (kp != null) {
                sessions.add(kp.localIndex());
            }
        }
        List<String> got = ab[1].drain(1000);
        assertTrue(sessions.size() >= 3, "sessions for 100 messages, rekeying after 20: " + sessions.size());
        assertTrue(got.size() >= 95, got.size() + " of 100 arrived");
    }

    @Test
    void aMessageOfASessionOlderThanRejectAfterTimeIsRefused() throws Exception {
        Tuning shortLived = new Tuning(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofMillis(500), Duration.ofSeconds(10));
        MemoryNode[] ab = pair(shortLived);
        ab[0].send(ab[1], "hello");
        assertTrue(ab[1].receives("hello", 3000));
        List<MemoryNetwork.Datagram> captured = new CopyOnWriteArrayList<>();
        network.intercept(d -> isTransport(d) && d.bytes().length > 32 && captured.size() < 2 && captured.add(d));
        ab[0].send(ab[1], "held back 1");
        ab[0].send(ab[1], "held back 2");
        Thread.sleep(300);
        network.intercept(d -> false);
        assertEquals(2, captured.size());
        network.inject(captured.get(0).from(), captured.get(0).to(), captured.get(0).bytes());
        assertTrue(ab[1].receives("held back 1", 1000), "a late but fresh message is taken");
        long refusedBefore = ab[1].device.counters().replayed.get();
        Thread.sleep(2300); // the session is now older than Reject-After-Time
        network.inject(captured.get(1).from(), captured.get(1).to(), captured.get(1).bytes());
        assertNull(ab[1].tun.toStack(500), "a message of a session past Reject-After-Time");
        assertEquals(refusedBefore + 1, ab[1].device.counters().replayed.get());
        ab[0].send(ab[1], "after");
        assertTrue(ab[1].receives("after", 3000), "a new session carries on");
    }

    @Test
    void aPeerThatOnlyReceivesSendsAKeepalive() throws Exception {
        MemoryNode[] ab = pair(FAST);
        List<MemoryNetwork.Datagram> fromB = new CopyOnWriteArrayList<>();
        network.intercept(d -> {
            if (d.from().equals(ab[1].socket.address()) && isTransport(d) && d.bytes().length == 32) {
                fromB.add(d);
            }
            return false;
        });
        ab[0].send(ab[1], "data");
        assertTrue(ab[1].receives("data", 3000));
        int before = fromB.size();
        long received = System.nanoTime();
        while (fromB.size() == before && System.nanoTime() - received < 3_000_000_000L) {
            Thread.sleep(20);
        }
        double after = (System.nanoTime() - received) / 1e9;
        assertTrue(fromB.size() > before, "no keepalive from b within 3 s after it only received");
        assertTrue(after > 0.8, "a keepalive before Keepalive-Timeout (1 s): " + after + " s");
        assertTrue(ab[0].peer(ab[1]).lastReceivedNanos() > System.nanoTime() - 1_000_000_000L);
    }

    @Test
    void aPeerBehindANatThatRebindsIsFollowedToItsNewAddress() throws Exception {
        MemoryNetwork.Nat home = network.nat("198.18.0.21", "198.19.2.", MemoryNetwork.Nat.Mapping.PORT_PRESERVING);
        MemoryNode office = node("office", "100.64.0.1", "198.18.0.1", FAST);
        MemoryNode laptop = node("laptop", "100.64.0.2", "198.19.2.5", FAST);
        office.knows(laptop, null, 0); // learns where the laptop is from its packets
        laptop.knows(office, office.socket.address(), 1);
        office.start();
        laptop.start();
        laptop.send(office, "hello from home");
        assertTrue(office.receives("hello from home", 3000));
        InetSocketAddress before = office.peer(laptop).endpoint();
        assertEquals("198.18.0.21", before.getAddress().getHostAddress());
        office.send(laptop, "to home");
        assertTrue(laptop.receives("to home", 2000));

        home.rebind(); // the router restarted: the laptop's traffic leaves from another port
        laptop.send(office, "after the rebind");
        assertTrue(office.receives("after the rebind", 3000));
        assertNotEquals(before, office.peer(laptop).endpoint(), "the office follows the laptop");
        office.send(laptop, "to the new address");
        assertTrue(laptop.receives("to the new address", 2000));
    }

    @Test
    void garbageOfEveryMessageTypeIsDroppedAndCounted() throws Exception {
        MemoryNode[] ab = pair(FAST);
        ab[0].send(ab[1], "before");
        assertTrue(ab[1].receives("before", 3000));
        InetSocketAddress stranger = MemoryNetwork.endpoint("198.18.0.66", 40000);
        int sent = 0;
        for (int type : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 255}) {
            for (int length : new int[] {1, 3, 4, 16, 31, 32, 64, 92, 148, 1200, 1500}) {
                for (int i = 0; i < 3; i++) {
                    byte[] b = new byte[length];
                    RANDOM.nextBytes(b);
                    b[0] = (byte) type;
                    if (length >= 4 && i > 0) {
                        b[1] = b[2] = b[3] = 0; // well-formed header: it gets past the type check
                    }
                    network.inject(stranger, ab[1].socket.address(), b);
                    sent++;
                }
            }
        }
        Thread.sleep(500);
        Map<String, Long> counters = ab[1].device.counters().snapshot();
        long dropped = counters.values().stream().mapToLong(Long::longValue).sum();
        System.out.println("garbage: " + sent + " datagrams; b counted " + counters);
        assertTrue(dropped >= sent * 0.9, dropped + " counted of " + sent + ": " + counters);
        assertEquals(0, ab[1].tun.pending(), "nothing of it reached the machine");
        assertEquals(2, ab[1].events.joins.size(), "well-formed join-sized datagrams go to membership, which "
                + "checks their signatures; nothing else does");
        ab[0].send(ab[1], "after");
        assertTrue(ab[1].receives("after", 2000));
        ab[1].send(ab[0], "and back");
        assertTrue(ab[0].receives("and back", 2000));
    }

    @Test
    void aFormerPeersFreshInitiationIsReportedOnceAndItsReplayNever() throws Exception {
        // Handshakes retried after 5 s, as in WireGuard: none within the test, so each report is the one counted.
        Tuning retryLate = new Tuning(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(10));
        MemoryNode a = node("a", "100.64.0.1", "198.18.0.1", retryLate);
        MemoryNode b = node("b", "100.64.0.2", "198.18.0.2", retryLate);
        a.knows(b, b.socket.address(), 0);
        String aKey = Curve25519.encodeBase64(a.identity.publicKey());
        b.events.formerKeys.add(aKey); // b removed a, whose record says it still runs
        List<byte[]> initiations = new CopyOnWriteArrayList<>();
        network.intercept(d -> {
            if (d.to().equals(b.socket.address()) && d.bytes()[0] == 1) {
                initiations.add(d.bytes());
            }
            return false;
        });
        a.start();
        b.start();
        a.send(b, "to a member that removed us");
        for (long end = System.nanoTime() + 3_000_000_000L; b.events.formerAlive.isEmpty() && System.nanoTime() < end; ) {
            Thread.sleep(10);
        }
        assertEquals(List.of(aKey), b.events.formerAlive, "a's initiation proves a alive");
        assertTrue(b.events.unknownPeers.isEmpty(), "not taken for a stranger's");
        assertEquals(0, b.tun.pending(), "nothing delivered: b has no session with a");

        long refusedBefore = b.device.counters().refusedHandshake.get();
        network.inject(a.socket.address(), b.socket.address(), initiations.get(0)); // replayed
        for (long end = System.nanoTime() + 2_000_000_000L;
             b.device.counters().refusedHandshake.get() == refusedBefore && System.nanoTime() < end; ) {
            Thread.sleep(10);
        }
        assertEquals(List.of(aKey), b.events.formerAlive, "a replay proves nothing (a forgery: SessionsTest)");
        assertTrue(b.device.counters().refusedHandshake.get() >= refusedBefore + 1, "the replay was counted");

        // Membership takes a back (b makes it a peer again): packets flow both ways.
        b.knows(a, a.socket.address(), 0);
        b.send(a, "welcome back");
        assertTrue(a.receives("welcome back", 3000));
        a.send(b, "thanks");
        assertTrue(b.receives("thanks", 3000));
    }

    @Test
    void aHandshakeFloodGetsCookiesWhileThePeersCarryOn() throws Exception {
        MemoryNode[] ab = pair(FAST);
        // Initiations with a valid MAC1 for b, from a key b does not know, from 300 addresses.
        StaticIdentity attacker = new StaticIdentity(Curve25519.generatePrivateKey(RANDOM));
        Sessions forger = new Sessions(attacker, new dev.skein.node.peer.IndexTable(RANDOM), RANDOM);
        Peer victim = new Peer("b", ab[1].identity.publicKey(), new byte[32], ab[1].socket.address(),
                List.of(IpPrefix.parse("100.64.0.2/32")), 0);
        List<MemoryNetwork.Datagram> cookies = new CopyOnWriteArrayList<>();
        network.intercept(d -> {
            if (d.from().equals(ab[1].socket.address()) && d.bytes()[0] == 3) {
                cookies.add(d);
            }
            return false;
        });
        java.util.concurrent.atomic.AtomicInteger flood = new java.util.concurrent.atomic.AtomicInteger();
        Thread attack = new Thread(() -> {
            try {
                for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) {
                    int n = flood.getAndIncrement();
                    byte[] init = forger.createInitiation(victim, System.nanoTime(), 0);
                    network.inject(MemoryNetwork.endpoint("198.18.1." + (n % 250 + 1), 40000 + n % 300),
                            ab[1].socket.address(), init);
                    if (n % 50 == 0) {
                        Thread.sleep(10); // about 1,500 a second, from 250 addresses
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        attack.start();
        Thread.sleep(500);
        long started = System.nanoTime();
        ab[0].device.resetSessions(ab[0].peer(ab[1])); // a new handshake in the middle of it
        ab[0].send(ab[1], "during the flood");
        assertTrue(ab[1].receives("during the flood", 5000));
        boolean duringFlood = attack.isAlive();
        double took = (System.nanoTime() - started) / 1e9;
        attack.join();
        // The receive thread is still working through the flood's queued datagrams: wait until it is done, so
        // that the counter and the replies seen on the wire are compared at one moment, not two.
        long last = -1;
        for (long until = System.nanoTime() + 5_000_000_000L; System.nanoTime() < until; ) {
            long counted = ab[1].device.counters().cookieReplies.get();
            if (counted == last && counted == cookies.size()) {
                break;
            }
            last = counted;
            Thread.sleep(200);
        }
        Map<String, Long> c = ab[1].device.counters().snapshot();
        System.out.printf("flood: %d initiations; a's handshake through it took %.2f s; b: %s%n", flood.get(), took, c);
        assertTrue(duringFlood, "the flood was over before a got through: it tested nothing");
        assertTrue(c.get("cookie-replies") > 0, "b, under load, answered with no cookie: " + c);
        assertEquals(c.get("cookie-replies"), cookies.size(), "each counted cookie reply went out");
    }

    @Test
    void aLossyNetworkThatDuplicatesAndReordersDeliversEachPacketOnce() throws Exception {
        MemoryNode[] ab = pair(FAST);
        ab[0].send(ab[1], "warm");
        assertTrue(ab[1].receives("warm", 3000));
        network.faults(0.05, 0.2, 1, 10);
        for (int i = 0; i < 300; i++) {
            ab[0].send(ab[1], "p" + i);
            if (i % 10 == 0) {
                Thread.sleep(5);
            }
        }
        List<String> got = ab[1].drain(2000);
        network.faults(0, 0, 0, 0);
        assertEquals(got.size(), new HashSet<>(got).size(), "a packet delivered twice");
        assertTrue(got.size() >= 240, got.size() + " of 300 with 5% loss");
        assertTrue(ab[1].device.counters().replayed.get() > 0, "the duplicates were refused");
        boolean reordered = false;
        for (int i = 1; i < got.size(); i++) {
            reordered |= Integer.parseInt(got.get(i).substring(1)) < Integer.parseInt(got.get(i - 1).substring(1));
        }
        assertTrue(reordered, "the jitter reordered nothing: the test tests less than it says");
    }

    @Test
    void packetsSentWhileTheFirstHandshakeRunsArriveInTheOrderTheyWereSent() throws Exception {
        for (int round = 0; round < 3; round++) {
            MemoryNode a = new MemoryNode(network, "a" + round, "100.64.0.1" + round, "198.18.0.1" + round, FAST,
                    new MemoryTun(true));
            MemoryNode b = node("b" + round, "100.64.0.2" + round, "198.18.0.2" + round, FAST);
            nodes.add(a);
            a.knows(b, b.socket.address(), 0);
            b.knows(a, a.socket.address(), 0);
            a.start();
            b.start();
            // Two super-packets and a UDP packet: the first wait for the session, the rest come as it is made.
            byte[] payload = new byte[10 * 1368];
            int seq = 1;
            List<Integer> sent = new ArrayList<>();
            for (int burst = 0; burst < 2; burst++) {
                ByteBuffer superPacket = TcpPackets.tcp(a.overlay, b.overlay, 40000, seq, TcpPackets.ACK, payload);
                assertTrue(a.tun.fromStack(TcpPackets.gso(true, 1368), TcpPackets.bytes(superPacket)));
                for (int i = 0; i < 10; i++, seq += 1368) {
                    sent.add(seq);
                }
            }
            List<Integer> got = new ArrayList<>();
            for (byte[] p; got.size() < sent.size() && (p = b.tun.toStack(5000)) != null; ) {
                got.add(ByteBuffer.wrap(p).getInt(24)); // the TCP sequence number
            }
            assertEquals(sent, got, "round " + round);
        }
    }

    @Test
    void theFirewallJudgesPacketsBetweenTheTunDeviceAndThePeers() throws Exception {
        MemoryNode[] ab = pair(FAST);
        ab[1].device.firewall().rules(RuleParser.parse(Map.of("inbound",
                List.of(Map.of("port", 7, "proto", "udp", "cidr", "100.64.0.0/16")))));
        ab[0].send(ab[1], 8, "closed port");
        ab[0].send(ab[1], 7, "open port");
        assertTrue(ab[1].receives("open port", 3000));
        assertNull(ab[1].tun.toStack(300));
        assertEquals(1, ab[1].device.firewall().inboundDropped());
        assertNotNull(ab[1].peer(ab[0]).current());
    }

    /**
     * The kernel's part, in memory: the TCP payload of every packet {@code n} delivered until {@code bytes} came or
     * {@code millis} passed. With virtio headers, a packet with its checksum left to the kernel is finished (a
     * super-packet cut) as the kernel would; then every packet must be whole: checksums right, checked the slow way.
     */
    private static byte[] tcpPayloadDelivered(MemoryNode n, int bytes, long millis) throws InterruptedException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (out.size() < bytes && System.nanoTime() < deadline) {
            byte[] p = n.tun.toStack(100);
            if (p == null) {
                continue;
            }
            if (!n.tun.vnetHeader()) {
                out.writeBytes(TcpPackets.assertValid(p));
                continue;
            }
            VirtioNetHeader h = new VirtioNetHeader();
            ByteBuffer framed = ByteBuffer.allocateDirect(p.length).put(p).flip();
            h.read(framed, 0);
            ByteBuffer packet = framed.position(VirtioNetHeader.SIZE).slice();
            assertEquals(VirtioNetHeader.NEEDS_CSUM, h.flags, "every TCP packet leaves its checksum to the kernel");
            if (h.segmented()) {
                TcpSegmenter kernel = new TcpSegmenter();
                int count = kernel.begin(packet, h);
                for (int i = 0; i < count; i++) {
                    ByteBuffer segment = ByteBuffer.allocateDirect(kernel.segmentLength(i));
                    kernel.segment(i, segment);
                    out.writeBytes(TcpPackets.assertValid(segment.flip()));
                }
            } else {
                assertTrue(TcpSegmenter.finishChecksum(packet, h));
                out.writeBytes(TcpPackets.assertValid(packet));
            }
        }
        return out.toByteArray();
    }

    @Test
    void tcpChecksumsAreLeftOutOnlyForAPeerThatReadsNoneAndItsKernelGetsThemWhole() throws Exception {
        MemoryNode a = new MemoryNode(network, "a", "100.64.0.1", "198.18.0.1", FAST, new MemoryTun(true));
        MemoryNode b = node("b", "100.64.0.2", "198.18.0.2", FAST); // no virtio headers: its kernel reads checksums
        MemoryNode c = new MemoryNode(network, "c", "100.64.0.3", "198.18.0.3", FAST, new MemoryTun(true));
        nodes.add(a);
        nodes.add(c);
        for (MemoryNode other : List.of(b, c)) {
            a.knows(other, other.socket.address(), 0);
            other.knows(a, a.socket.address(), 0);
        }
        List.of(a, b, c).forEach(MemoryNode::start);
        a.peer(c).tcpChecksumOptional(true); // as c's record says: c leaves every TCP checksum to its kernel
        byte[] payload = new byte[5_000];
        RANDOM.nextBytes(payload);
        int seq = 1;
        for (MemoryNode to : List.of(c, b)) {
            // The session first: segments staged while it is made may be sent by two threads, out of order.
            a.send(to, "hello");
            assertTrue(to.receives("hello", 3000));
            for (int round = 0; round < 2; round++, seq += payload.length) {
                ByteBuffer superPacket = TcpPackets.tcp(a.overlay, to.overlay, 40000, seq,
                        TcpPackets.ACK | TcpPackets.PSH, payload);
                assertTrue(a.tun.fromStack(TcpPackets.gso(true, 1368), TcpPackets.bytes(superPacket)));
                assertArrayEquals(payload, tcpPayloadDelivered(to, payload.length, 5000), to.name + " round " + round);
            }
            // A packet no batch takes (FIN), and one whose checksum the sending kernel left to finish.
            byte[] end = TcpPackets.bytes(TcpPackets.tcp(a.overlay, to.overlay, 40000, seq, TcpPackets.ACK
                    | TcpPackets.FIN, new byte[] {1, 2, 3}));
            assertTrue(a.tun.fromStack(end));
            assertArrayEquals(new byte[] {1, 2, 3}, tcpPayloadDelivered(to, 3, 5000), to.name + ": FIN");
            assertTrue(a.tun.fromStack(partial(), partialChecksum(a, to, seq + 3)));
            assertArrayEquals(new byte[] {4, 5}, tcpPayloadDelivered(to, 2, 5000), to.name + ": partial");
            seq += 5;
        }
        assertNull(b.tun.toStack(200), "nothing more");

        // Were b's record to offer it, b's kernel would get segments without a checksum (why only the
        // receiver's own record turns them off; a stock WireGuard peer has none).
        a.peer(b).tcpChecksumOptional(true);
        ByteBuffer superPacket = TcpPackets.tcp(a.overlay, b.overlay, 40000, seq, TcpPackets.ACK, payload);
        assertTrue(a.tun.fromStack(TcpPackets.gso(true, 1368), TcpPackets.bytes(superPacket)));
        for (int i = 0; i < 4; i++) { // 3 x 1368 + 896
            byte[] p = b.tun.toStack(3000);
            assertNotNull(p, "segment " + i);
            assertEquals(0, ((p[36] & 0xff) << 8) | (p[37] & 0xff), "segment " + i + ": no checksum");
        }
        byte[] unfinished = partialChecksum(a, b, seq + payload.length);
        assertTrue(a.tun.fromStack(partial(), unfinished));
        assertArrayEquals(unfinished, b.tun.toStack(3000), "the sending kernel's partial sum, left unfinished");
    }

    /** What a kernel hands a TUN device with checksum offload: the TCP checksum field holds the pseudo-header sum. */
    private static VirtioNetHeader partial() {
        VirtioNetHeader h = new VirtioNetHeader();
        h.flags = VirtioNetHeader.NEEDS_CSUM;
        h.csumStart = 20;
        h.csumOffset = 16;
        return h;
    }

    /** A two-byte TCP packet from {@code from} to {@code to} as {@link #partial} says. */
    private static byte[] partialChecksum(MemoryNode from, MemoryNode to, int seq) {
        ByteBuffer p = TcpPackets.tcp(from.overlay, to.overlay, 40000, seq, TcpPackets.ACK, new byte[] {4, 5});
        p.putShort(36, (short) 0);
        long pseudo = 0;
        for (int i = 12; i < 20; i += 2) { // addresses, then protocol and TCP length
            pseudo += p.getShort(i) & 0xffff;
        }
        pseudo += 6 + p.remaining() - 20;
        p.putShort(36, (short) ((pseudo & 0xffff) + (pseudo >>> 16)));
        return TcpPackets.bytes(p);
    }
}
