package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.member.JoinMessage;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replayed join messages: what they can no longer do. */
class FreshJoinsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final long SECOND = 1_000_000_000L;
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority ca = CertificateAuthority.create("acme", IpPrefix.parse("100.64.0.0/10"),
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(10)), random);
    private final Certificate office = ca.sign(new CertificateRequest("office", IpPrefix.parse("100.64.0.2/16"),
            List.of(), List.of(), Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
            Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), NOW.minusSeconds(60),
            NOW.plus(Duration.ofDays(1))));
    private final FreshJoins fresh = new FreshJoins(random);

    private JoinMessage greeting(long millis) {
        return JoinMessage.greeting(office, 7946, Instant.ofEpochMilli(millis), 5L, new byte[JoinMessage.NONCE_SIZE],
                new byte[32]);
    }

    @Test
    void eachSendersJoinsMustComeLaterAndLater() {
        long t = NOW.toEpochMilli();
        assertNull(fresh.refusal(greeting(t), 0));
        assertNotNull(fresh.refusal(greeting(t), SECOND), "the same greeting again: a replay");
        assertNotNull(fresh.refusal(greeting(t - 1000), SECOND), "an older one: a replay");
        assertNull(fresh.refusal(greeting(t + 1), SECOND));
    }

    @Test
    void aReplyCountsOnlyForARequestOfOursAndOnlyForAWhile() {
        byte[] nonce = fresh.newRequestNonce(0);
        JoinMessage ours = JoinMessage.request(office, 7946, NOW, 1L, nonce);
        InetSocketAddress seen = new InetSocketAddress("198.18.0.3", 40000);
        long t = NOW.toEpochMilli();
        JoinMessage answer = JoinMessage.reply(office, 7946, seen, Instant.ofEpochMilli(t), 5L, ours);
        assertNull(fresh.refusal(answer, SECOND));
        JoinMessage other = JoinMessage.request(office, 7946, NOW, 1L, new byte[JoinMessage.NONCE_SIZE]);
        JoinMessage elsewhere = JoinMessage.reply(office, 7946, seen, Instant.ofEpochMilli(t + 1), 5L, other);
        assertNotNull(fresh.refusal(elsewhere, SECOND), "a reply captured elsewhere answers no request of ours");
        JoinMessage late = JoinMessage.reply(office, 7946, seen, Instant.ofEpochMilli(t + 2), 5L, ours);
        assertNotNull(fresh.refusal(late, FreshJoins.REPLY_WINDOW_NANOS + 2 * SECOND), "too late for our request");
    }

    @Test
    void aJoinOfTheRunThatSaidGoodbyeDoesNotBringItBack() {
        MemberTable table = new MemberTable("home");
        List<InetSocketAddress> at = List.of(new InetSocketAddress("198.18.0.2", 51820));
        table.offer(new MemberRecord(office, 10, 5L, at, 7946, false, false), 0);
        table.gossipLists(java.util.Set.of("office"));
        table.offer(new MemberRecord(office, 11, 5L, at, 7946, false, true), SECOND); // its goodbye
        table.gossipLists(java.util.Set.of());
        // A join of the same run (5) arrives late, or is replayed: office stays gone.
        table.joined(new MemberRecord(office, 0, 5L, at, 7946, false, false), 2 * SECOND);
        assertEquals(List.of(), table.alive(3 * SECOND, NOW, name -> Long.MIN_VALUE / 2));
        // The next run (a restart) is welcome again.
        table.joined(new MemberRecord(office, 0, 6L, at, 7946, false, false), 4 * SECOND);
        assertEquals(List.of("office"), table.alive(5 * SECOND, NOW, name -> Long.MIN_VALUE / 2).stream()
                .map(MemberRecord::name).toList());
    }
}
