package dev.skein.node.membership;

import static dev.skein.node.membership.TestMesh.NOW;
import static dev.skein.node.membership.TestMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.node.dataplane.LogLimiter;
import dev.skein.protocol.member.JoinMessage;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Join messages without sockets: a request is answered once, to where it came from; replays, strangers' CAs and
 * copies addressed to others are refused or ignored; seeds are asked on their schedule; members greeted once.
 */
class JoinsTest {
    private static final InetSocketAddress SEED = new InetSocketAddress("198.18.0.1", 51820);
    private static final InetSocketAddress OTHER_SEED = new InetSocketAddress("198.18.0.2", 51820);
    private static final InetSocketAddress JOINER_AT = new InetSocketAddress("198.18.7.7", 40000);
    private static final InetSocketAddress OURS = new InetSocketAddress("198.18.0.5", 51820);

    private final TestMesh mesh = new TestMesh();
    private final TestMesh.Member home = mesh.member("home", "100.64.0.2/16");
    private final TestMesh.Member office = mesh.member("office", "100.64.0.3/16");
    private final RecordingPeers peers = new RecordingPeers();
    private final Refusals refusals = new Refusals(new LogLimiter(1));
    private final Membership.Settings settings = mesh.settings(home, List.of(SEED, OTHER_SEED), List.of(OURS));
    private final OwnRecord own = new OwnRecord(() -> settings, NOW.toEpochMilli());
    private final Joins joins = new Joins(() -> settings, own, peers, refusals);

    private static byte[] request(TestMesh.Member from) {
        return JoinMessage.request(from.certificate(), TestMesh.GOSSIP_PORT, NOW, 1, nonce())
                .encode(from.signingKey());
    }

    private static byte[] nonce() {
        byte[] n = new byte[JoinMessage.NONCE_SIZE];
        new java.security.SecureRandom().nextBytes(n);
        return n;
    }

    @Test
    void aRequestIsAnsweredOnceToWhereItCameFromAndItsSenderIsANewcomer() throws Exception {
        byte[] request = request(office);
        JoinMessage j = joins.handle(request, JOINER_AT, SECOND, NOW);
        assertNotNull(j);
        assertEquals("office", j.name());
        assertEquals(1, peers.sent.size());
        RecordingPeers.Sent reply = peers.sent.get(0);
        assertEquals(JOINER_AT, reply.to());
        assertTrue(reply.datagram().length <= request.length, "never more bytes back than came in");
        JoinMessage answer = JoinMessage.verify(reply.datagram(), mesh.verifier, NOW);
        assertTrue(answer.reply());
        assertEquals("home", answer.name());
        assertEquals(JOINER_AT, answer.observed(), "the reply tells the joiner where it is seen from");
        assertTrue(answer.addressedTo(office.certificate().x25519PublicKey()));
        assertTrue(joins.isNewcomer("office"), "it is owed our record set");

        assertNull(joins.handle(request, JOINER_AT, 2 * SECOND, NOW), "the same request again is a replay");
        assertNull(joins.handle(request, new InetSocketAddress("198.18.9.9", 1), 2 * SECOND, NOW),
                "from elsewhere too: a replay must not teach us an address");
        assertEquals(1, peers.sent.size(), "and is not answered");

        joins.expire(2 * SECOND + Joins.REFRESH.toNanos());
        assertFalse(joins.isNewcomer("office"), "a newcomer for " + Joins.REFRESH + " only");
    }

    @Test
    void aRequestFromAnotherCaOrGarbageIsRefusedAndNotAnswered() {
        TestMesh strangers = new TestMesh("evil");
        TestMesh.Member mallory = strangers.member("mallory", "100.64.0.66/16");
        assertNull(joins.handle(request(mallory), JOINER_AT, SECOND, NOW));
        assertNull(joins.handle(new byte[JoinMessage.SIZE], JOINER_AT, SECOND, NOW));
        byte[] tampered = request(office);
        tampered[40] ^= 1; // in the signed body (the padding after it is not signed, and means nothing)
        assertNull(joins.handle(tampered, JOINER_AT, SECOND, NOW));
        assertTrue(peers.sent.isEmpty(), "nothing answered: " + peers.sent);
        assertEquals(1, refusals.list().size(), "one line per sender: " + refusals.list());
        assertTrue(refusals.list().get(0).startsWith("join from 198.18.7.7: "), refusals.list().toString());
    }

    @Test
    void aGreetingCopiedToAnotherMemberIsIgnored() {
        TestMesh.Member lab = mesh.member("lab", "100.64.0.4/16");
        byte[] toLab = JoinMessage.greeting(office.certificate(), TestMesh.GOSSIP_PORT, NOW, 1, nonce(),
                lab.certificate().x25519PublicKey()).encode(office.signingKey());
        assertNull(joins.handle(toLab, JOINER_AT, SECOND, NOW), "addressed to lab, replayed to us");
        assertTrue(peers.sent.isEmpty());
        assertFalse(joins.isNewcomer("office"));

        byte[] toUs = JoinMessage.greeting(office.certificate(), TestMesh.GOSSIP_PORT, NOW, 1, nonce(),
                home.certificate().x25519PublicKey()).encode(office.signingKey());
        assertNotNull(joins.handle(toUs, JOINER_AT, SECOND, NOW), "the same greeting addressed to us is taken");
        assertFalse(joins.isNewcomer("office"), "a greeting is from a member, not a newcomer");
        assertEquals(1, peers.sent.size(), "and answered, so that it learns our certificate");
    }

    @Test
    void seedsAreAskedEverySecondUntilAMemberIsListedThenEveryFifteenAndASeedThatIsUsIsNot() throws Exception {
        joins.sendRequests(0, NOW, Set.of());
        assertEquals(List.of(SEED, OTHER_SEED), peers.sent.stream().map(RecordingPeers.Sent::to).toList());
        joins.sendRequests(SECOND / 2, NOW, Set.of());
        assertEquals(2, peers.sent.size(), "not again within a second");
        joins.sendRequests(SECOND, NOW, Set.of());
        assertEquals(4, peers.sent.size(), "again after a second");

        // The first seed answers: it is office, now listed. The other seed turns out to be ourselves.
        byte[] ours = peers.sent.get(2).datagram();
        JoinMessage asked = JoinMessage.verify(ours, mesh.verifier, NOW);
        byte[] reply = JoinMessage.reply(office.certificate(), TestMesh.GOSSIP_PORT, OURS, NOW, 1, asked)
                .encode(office.signingKey());
        assertNotNull(joins.handle(reply, SEED, SECOND, NOW));
        assertTrue(joins.isSeed("office"));
        assertNull(joins.handle(peers.sent.get(3).datagram(), OTHER_SEED, SECOND, NOW), "our own request");
        peers.sent.clear();

        joins.sendRequests(2 * SECOND, NOW, Set.of("office"));
        assertEquals(List.of(), peers.sent, "a member is listed: wait " + Joins.REFRESH);
        joins.sendRequests(SECOND + Joins.REFRESH.toNanos(), NOW, Set.of("office"));
        assertEquals(List.of(), peers.sent, "the listed seed and the seed that is us are not asked");
        joins.sendRequests(2 * SECOND + 2 * Joins.REFRESH.toNanos(), NOW, Set.of());
        assertEquals(List.of(SEED), peers.sent.stream().map(RecordingPeers.Sent::to).toList(),
                "office left the list: asked again; never ourselves");
    }

    @Test
    void onceASeedAnsweredItIsAskedEveryFourSecondsUntilWeAreListedAndEverySecondAgainIfItFallsSilent()
            throws Exception {
        joins.sendRequests(0, NOW, Set.of());
        JoinMessage asked = JoinMessage.verify(peers.sent.get(0).datagram(), mesh.verifier, NOW);
        byte[] reply = JoinMessage.reply(office.certificate(), TestMesh.GOSSIP_PORT, OURS, NOW, 1, asked)
                .encode(office.signingKey());
        assertNotNull(joins.handle(reply, SEED, SECOND / 2, NOW));
        peers.sent.clear();

        long answered = SECOND / 2;
        for (long t = SECOND; t < Joins.ANSWERED_RETRY.toNanos(); t += SECOND / 4) { // since our request at 0
            joins.sendRequests(t, NOW, Set.of());
        }
        assertEquals(List.of(), peers.sent, "the seed holds us: our requests now wait " + Joins.ANSWERED_RETRY);
        joins.sendRequests(Joins.ANSWERED_RETRY.toNanos(), NOW, Set.of());
        assertEquals(2, peers.sent.size(), "then both seeds are asked again");

        // No answer since: after REFRESH the seed may have forgotten us, and it is asked every second again.
        long silent = answered + Joins.REFRESH.toNanos();
        joins.sendRequests(silent, NOW, Set.of());
        joins.sendRequests(silent + SECOND, NOW, Set.of());
        assertEquals(6, peers.sent.size(), "every second again: " + peers.sent.size());
    }

    @Test
    void aMemberIsGreetedOncePerRefreshAndAgainWhenOurCertificateIsRenewed() {
        joins.greet(office.record(1, JOINER_AT), 0, NOW);
        joins.greet(office.record(1, JOINER_AT), SECOND, NOW);
        assertEquals(List.of("greet office"), peers.calls);
        joins.greet(office.record(1, JOINER_AT), Joins.REFRESH.toNanos() + 1, NOW);
        assertEquals(List.of("greet office", "greet office"), peers.calls, "again after " + Joins.REFRESH);
        joins.renewed();
        joins.greet(office.record(1, JOINER_AT), Joins.REFRESH.toNanos() + 2, NOW);
        assertEquals(3, peers.calls.size(), "our new certificate is handed to everyone");
    }

    @Test
    void aMemberNeitherListedNorAPeerIsGreetedAtItsEndpointsAndItsReplyIsTaken() {
        InetSocketAddress officeLan = new InetSocketAddress("198.18.3.3", 51820);
        InetSocketAddress officePublic = new InetSocketAddress("198.19.3.3", 51820);
        MemberRecord r = new MemberRecord(office.certificate(), 1, 1, List.of(officeLan, officePublic),
                TestMesh.GOSSIP_PORT, false, false);
        joins.greetAtEndpoints(r, 0, NOW);
        assertEquals(List.of(officeLan, officePublic), peers.sent.stream().map(RecordingPeers.Sent::to).toList(),
                "straight to its endpoints: there is no peer to send through");
        assertTrue(peers.calls.isEmpty());

        // Office, alive, takes the greeting and answers; its reply makes it one we exchanged joins with.
        RecordingPeers officePeers = new RecordingPeers();
        Membership.Settings officeSettings = mesh.settings(office, List.of(SEED), List.of(officeLan));
        Joins atOffice = new Joins(() -> officeSettings, new OwnRecord(() -> officeSettings, NOW.toEpochMilli()),
                officePeers, new Refusals(new LogLimiter(1)));
        JoinMessage greeting = atOffice.handle(peers.sent.get(0).datagram(), OURS, SECOND, NOW);
        assertNotNull(greeting, "office takes our greeting");
        assertTrue(greeting.greeting());
        assertEquals(1, officePeers.sent.size(), "and answers it");
        JoinMessage reply = joins.handle(officePeers.sent.get(0).datagram(), officeLan, 2 * SECOND, NOW);
        assertNotNull(reply, "its reply is taken: office is alive");
        assertTrue(reply.reply());
        assertEquals("office", reply.name());
        assertNull(joins.handle(officePeers.sent.get(0).datagram(), officeLan, 3 * SECOND, NOW), "once");
    }
}
