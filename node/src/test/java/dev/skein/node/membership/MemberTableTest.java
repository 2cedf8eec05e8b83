package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who is alive, and who routes what: the pure rules of membership. */
class MemberTableTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final long SECOND = 1_000_000_000L;
    private static final long NEVER = Long.MIN_VALUE / 2;
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority ca = CertificateAuthority.create("acme", IpPrefix.parse("100.64.0.0/10"),
            NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(100)), random);

    private Certificate cert(String name, String address, List<String> subnets, Instant notBefore, Instant notAfter) {
        return ca.sign(new CertificateRequest(name, IpPrefix.parse(address),
                subnets.stream().map(IpPrefix::parse).toList(), List.of(),
                Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), notBefore, notAfter));
    }

    private Certificate cert(String name) {
        return cert(name, "100.64.0.9/16", List.of(), NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
    }

    private static MemberRecord record(Certificate c, long version, long incarnation, boolean leaving) {
        return new MemberRecord(c, version, incarnation, List.of(new InetSocketAddress("198.18.0.9", 51820)), 7946,
                false, leaving);
    }

    private static List<String> alive(MemberTable t, long now, long lastHeard) {
        return t.alive(now, NOW, name -> lastHeard).stream().map(MemberRecord::name).toList();
    }

    @Test
    void newerVersionsReplaceOlderOnesAndOwnRecordIsIgnored() {
        MemberTable t = new MemberTable("home");
        Certificate office = cert("office");
        assertEquals(MemberTable.Offer.NEW, t.offer(record(office, 5, 1, false), 0));
        assertEquals(MemberTable.Offer.STALE, t.offer(record(office, 5, 1, false), 0));
        assertEquals(MemberTable.Offer.STALE, t.offer(record(office, 4, 1, false), 0));
        assertEquals(MemberTable.Offer.UPDATED, t.offer(record(office, 6, 1, false), 0));
        assertEquals(MemberTable.Offer.RESTARTED, t.offer(record(office, 7, 2, false), 0));
        assertEquals(MemberTable.Offer.LEFT, t.offer(record(office, 8, 2, true), 0));
        assertEquals(MemberTable.Offer.NEW, t.offer(record(office, 9, 3, false), 0));
        assertEquals(MemberTable.Offer.STALE, t.offer(record(cert("home"), 1, 1, false), 0));
    }

    @Test
    void aStolenKeyCannotPinItsRecordWithAnAbsurdVersionNorBeatARenewal() {
        long wall = NOW.toEpochMilli();
        MemberTable t = new MemberTable("home", () -> wall);
        Certificate stolen = cert("office", "100.64.0.9/16", List.of(), NOW.minus(Duration.ofDays(2)),
                NOW.plus(Duration.ofDays(1)));
        assertEquals(MemberTable.Offer.STALE, t.offer(record(stolen, -1L, 1, false), 0), "2^64-1 is refused");
        long ahead = wall + MemberTable.MAX_VERSION_AHEAD.toMillis();
        assertEquals(MemberTable.Offer.STALE, t.offer(record(stolen, ahead + 1, 1, false), 0));
        assertEquals(MemberTable.Offer.NEW, t.offer(record(stolen, ahead, 1, false), 0), "within the bound");
        // The member is renewed (a later not-before): its record wins, though its version is far lower ...
        Certificate renewed = cert("office", "100.64.0.9/16", List.of(), NOW.minusSeconds(60),
                NOW.plus(Duration.ofDays(1)));
        assertEquals(MemberTable.Offer.RESTARTED, t.offer(record(renewed, wall, 2, false), 0));
        // ... and no record of the old certificate counts any more, whatever its version.
        assertEquals(MemberTable.Offer.STALE, t.offer(record(stolen, ahead, 3, false), 0));
        assertArrayEquals(renewed.fingerprint(), t.record("office").certificate().fingerprint());
    }

    @Test
    void aMemberDiesOnlyWhenGossipAndTheDataPlaneAgree() {
        MemberTable t = new MemberTable("home");
        t.offer(record(cert("office"), 1, 1, false), 0);
        t.gossipLists(Set.of("office"));
        assertEquals(List.of("office"), alive(t, 100 * SECOND, NEVER));
        t.gossipLists(Set.of()); // gossip lost it (perhaps a forged UDP packet said so) ...
        long now = 200 * SECOND;
        assertEquals(List.of("office"), alive(t, now, now - SECOND)); // ... but we heard from it 1 s ago
        assertEquals(List.of(), alive(t, now, now - 3 * SECOND)); // silent, and not listed: gone
        t.gossipLists(Set.of("office"));
        assertEquals(List.of("office"), alive(t, now, NEVER)); // listed again: back
    }

    /** Home's table: office's record, listed by the gossip layer, then no longer. */
    private MemberTable officeListedThenLost() {
        MemberTable t = new MemberTable("home");
        t.offer(record(cert("office"), 1, 1, false), 0);
        t.gossipLists(Set.of("office"));
        t.gossipLists(Set.of());
        return t;
    }

    @Test
    void aSlowNodeWaitsLongerForAMemberGossipLost() {
        MemberTable t = officeListedThenLost();
        long now = 200 * SECOND;
        assertEquals(List.of(), alive(t, now, now - 3 * SECOND), "3 s unheard: gone at SILENCE");
        // Our probes come back at four times SWIM's timeout: its packets may be late, not gone.
        assertEquals(List.of("office"), t.alive(now, NOW, name -> now - 3 * SECOND, MemberTable.SILENCE.multipliedBy(4))
                .stream().map(MemberRecord::name).toList());
        assertEquals(List.of(), t.alive(now, NOW, name -> now - 9 * SECOND, MemberTable.SILENCE.multipliedBy(4)));
    }

    /**
     * The table says when a member stays only by the silence it was given, so that membership applies again as
     * soon as its silence shortens (its host caught up) rather than at the longer silence's end.
     */
    @Test
    void itSaysWhenAMemberStaysOnlyByItsSilence() {
        MemberTable t = officeListedThenLost();
        long now = 200 * SECOND;
        Duration stretched = MemberTable.SILENCE.multipliedBy(4);
        assertEquals(List.of("office"), t.alive(now, NOW, name -> now - 3 * SECOND, stretched)
                .stream().map(MemberRecord::name).toList());
        assertTrue(t.waitingOnSilence());
        assertEquals(now + 5 * SECOND, t.nextChangeNanos(), "the stretched silence's end");
        assertEquals(List.of(), t.alive(now, NOW, name -> now - 3 * SECOND, MemberTable.SILENCE),
                "applied again with SWIM's own: gone at once");
        assertFalse(t.waitingOnSilence());

        t.gossipLists(Set.of("office"));
        t.alive(now, NOW, name -> now - 3 * SECOND, stretched);
        assertFalse(t.waitingOnSilence(), "a listed member stays by the gossip layer's word");
        MemberTable young = new MemberTable("home");
        young.offer(record(cert("office"), 1, 1, false), now);
        young.alive(now + SECOND, NOW, name -> NEVER, stretched);
        assertFalse(young.waitingOnSilence(), "a new member stays by its grace, whatever the silence");
    }

    @Test
    void aMemberRemovedOnItsSilenceIsAliveAgainFromItsHandshakeForAnotherSilence() {
        MemberTable t = officeListedThenLost();
        long now = 200 * SECOND;
        // No peer for it in the data plane any more: nothing it sends is counted there.
        assertEquals(List.of(), alive(t, now, NEVER), "gossip lost it and nothing heard: gone");
        t.heardInHandshake("office", now);
        assertEquals(List.of("office"), alive(t, now, NEVER), "its authenticated handshake: alive");
        assertEquals(now + MemberTable.SILENCE.toNanos(), t.nextChangeNanos(), "until its silence runs out");
        assertEquals(List.of("office"), alive(t, now + SECOND, now + SECOND), "the data plane hears it now");
        assertEquals(List.of(), alive(t, now + 4 * SECOND, now + SECOND), "and if it falls silent, it goes");
        t.heardInHandshake("stranger", now); // no record: nothing to take back
        assertEquals(Set.of("office"), Set.copyOf(t.names()));
    }

    @Test
    void theTableSaysWhenTimeAloneMayChangeWhoIsAliveAndAtRestThatIsNotSoon() {
        MemberTable t = new MemberTable("home");
        Certificate expiring = cert("lab", "100.64.0.8/16", List.of(), NOW.minusSeconds(60), NOW.plusSeconds(90));
        t.offer(record(cert("office"), 1, 1, false), 10 * SECOND);
        t.offer(record(expiring, 1, 1, false), 10 * SECOND);
        // Both new: alive for their grace, and the next change is when it runs out.
        assertEquals(Set.of("office", "lab"), Set.copyOf(alive(t, 11 * SECOND, NEVER)));
        assertEquals(10 * SECOND + MemberTable.JOIN_GRACE.toNanos(), t.nextChangeNanos());
        // Both listed: only an event changes that now, but lab's certificate expires in 90 s (wall clock).
        t.gossipLists(Set.of("office", "lab"));
        alive(t, 12 * SECOND, NEVER);
        assertEquals(12 * SECOND + 90 * SECOND + 1, t.nextChangeNanos());
        // Office unlisted, heard 1 s ago: it stays until its silence runs out, which is the next change.
        t.gossipLists(Set.of("lab"));
        assertEquals(Set.of("office", "lab"), Set.copyOf(alive(t, 20 * SECOND, 19 * SECOND)));
        assertEquals(19 * SECOND + MemberTable.SILENCE.toNanos(), t.nextChangeNanos());
        // At that moment it is gone, and what is left is far off: forgetting it, lab's expiry.
        long then = 19 * SECOND + MemberTable.SILENCE.toNanos();
        assertEquals(List.of("lab"), alive(t, then, 19 * SECOND));
        assertTrue(t.nextChangeNanos() - then > 60 * SECOND);
        // Office is believed (its record runs) but not listed: one to ask the gossip layer to probe again.
        assertEquals(List.of("office"), t.unlisted(NOW));
        t.offer(record(cert("office"), 2, 1, true), then); // its goodbye: no longer
        assertEquals(List.of(), t.unlisted(NOW));
        // A mesh at rest, everyone listed, certificates valid for a day: nothing due before the forget horizon.
        MemberTable rest = new MemberTable("home");
        rest.offer(record(cert("office"), 1, 1, false), 0);
        rest.gossipLists(Set.of("office"));
        alive(rest, 5 * SECOND, NEVER);
        assertEquals(5 * SECOND + MemberTable.FORGET_AFTER.toNanos(), rest.nextChangeNanos());
    }

    @Test
    void newAndRestartedMembersGetAGraceThatGossipEnds() {
        MemberTable t = new MemberTable("home");
        Certificate office = cert("office");
        t.offer(record(office, 1, 1, false), 10 * SECOND);
        assertEquals(List.of("office"), alive(t, 12 * SECOND, NEVER));
        assertEquals(List.of(), alive(t, 16 * SECOND, NEVER)); // never probed: the grace ran out
        t.offer(record(office, 2, 2, false), 20 * SECOND); // a new run
        assertEquals(List.of("office"), alive(t, 21 * SECOND, NEVER));
        t.gossipLists(Set.of("office"));
        t.gossipLists(Set.of());
        assertEquals(List.of(), alive(t, 22 * SECOND, NEVER)); // once listed, gossip decides, not the grace
    }

    @Test
    void goodbyeAndExpiryRemoveAtOnceEvenWhileListed() {
        MemberTable t = new MemberTable("home");
        Certificate office = cert("office");
        t.offer(record(office, 1, 1, false), 0);
        Certificate shortLived = cert("lab", "100.64.0.8/16", List.of(), NOW.minusSeconds(60), NOW.minusSeconds(1));
        t.offer(record(shortLived, 1, 1, false), 0);
        t.gossipLists(Set.of("office", "lab"));
        assertEquals(List.of("office"), alive(t, SECOND, SECOND));
        t.offer(record(office, 2, 1, true), SECOND);
        assertEquals(List.of(), alive(t, SECOND, SECOND));
    }

    @Test
    void joinedMemberIsBelievedUntilItsGossipArrives() {
        MemberTable t = new MemberTable("seed");
        Certificate home = cert("home");
        t.joined(record(home, 0, 0, false), 0);
        assertEquals(List.of("home"), alive(t, 4 * SECOND, NEVER));
        assertEquals(MemberTable.Offer.UPDATED, t.offer(record(home, 100, 7, false), 4 * SECOND));
        assertEquals(100, t.record("home").version());
    }

    @Test
    void conflictsGoToTheOldestCertificateThenTheSmallerName() {
        Certificate older = cert("zeta", "100.64.0.5/16", List.of("100.96.1.0/24"), NOW.minus(Duration.ofDays(2)),
                NOW.plus(Duration.ofDays(1)));
        Certificate newer = cert("alpha", "100.64.0.6/16", List.of("100.96.1.0/24", "100.96.2.0/24"),
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)));
        Certificate twinA = cert("bravo", "100.64.0.7/16", List.of(), NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
        Certificate twinB = cert("charlie", "100.64.0.7/24", List.of(), NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
        Claims.Resolution r = Claims.resolve(List.of(newer, older, twinB, twinA));
        assertTrue(r.granted().get("zeta").contains(IpPrefix.parse("100.96.1.0/24")));
        assertFalse(r.granted().get("alpha").contains(IpPrefix.parse("100.96.1.0/24")));
        assertTrue(r.granted().get("alpha").contains(IpPrefix.parse("100.96.2.0/24"))); // keeps its other claims
        assertTrue(r.granted().get("bravo").contains(IpPrefix.parse("100.64.0.7/32")));
        assertEquals(List.of(), r.granted().get("charlie"));
        assertEquals(2, r.conflicts().size());
        // Every node computes the same: the order the certificates arrive in does not matter.
        assertEquals(r.granted(), Claims.resolve(List.of(twinA, older, twinB, newer)).granted());
    }

    @Test
    void everyExitKeepsItsDefaultRoute() throws Exception {
        Certificate exitA = cert("exit-a", "100.64.0.8/16", List.of("0.0.0.0/0"), NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(1)));
        Certificate exitB = cert("exit-b", "100.64.0.9/16", List.of("0.0.0.0/0"), NOW.minusSeconds(60),
                NOW.plus(Duration.ofDays(1)));
        Claims.Resolution r = Claims.resolve(List.of(exitB, exitA));
        assertTrue(r.granted().get("exit-a").contains(IpPrefix.parse("0.0.0.0/0")));
        assertTrue(r.granted().get("exit-b").contains(IpPrefix.parse("0.0.0.0/0")),
                "a default route is not a conflict: each node names the exit it uses");
        assertEquals(List.of(), r.conflicts());
    }
}
