package dev.skein.protocol.member;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.ByteString;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRejected;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.member.MemberRejected.Reason;
import dev.skein.protocol.proto.RecordBody;
import dev.skein.protocol.proto.SignedRecord;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A record or join message is believed only from a CA-signed certificate and the signature of that node. */
class MemberRecordTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority ca = ca("acme");
    private final CertificateVerifier verifier = verifier(ca);

    private CertificateAuthority ca(String name) {
        return CertificateAuthority.create(name, IpPrefix.parse("100.64.0.0/10"), NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(3650)), random);
    }

    private static CertificateVerifier verifier(CertificateAuthority ca) {
        try {
            return new CertificateVerifier(ca.certificate());
        } catch (CertificateRejected e) {
            throw new AssertionError(e);
        }
    }

    /** A node: its certificate and its Ed25519 private key. */
    private record Identity(Certificate cert, byte[] key) {}

    private Identity node(CertificateAuthority issuer, String name, Instant until) {
        byte[] key = Ed25519Keys.generatePrivateKey(random);
        Certificate cert = issuer.sign(new CertificateRequest(name, IpPrefix.parse("100.64.0.7/16"),
                List.of(IpPrefix.parse("100.96.1.0/24")), List.of(),
                Curve25519.publicKey(Curve25519.generatePrivateKey(random)), Ed25519Keys.publicKey(key),
                NOW.minusSeconds(3600), until));
        return new Identity(cert, key);
    }

    private Identity node(String name) {
        return node(ca, name, NOW.plus(Duration.ofDays(30)));
    }

    private static MemberRecord record(Certificate cert, long version) {
        return new MemberRecord(cert, version, 1000, List.of(new InetSocketAddress("198.18.0.7", 51820)), 7946,
                false, false);
    }

    private Reason refusal(byte[] signed, Instant at) {
        return assertThrows(MemberRejected.class, () -> MemberRecord.verify(signed, verifier, at)).reason();
    }

    @Test
    void signedRecordVerifiesAndKeepsEveryField() throws Exception {
        Identity office = node("office");
        MemberRecord back = MemberRecord.verify(record(office.cert(), 42).sign(office.key()), verifier, NOW);
        assertEquals("office", back.name());
        assertEquals(42, back.version());
        assertEquals(1000, back.incarnation());
        assertEquals(List.of(new InetSocketAddress("198.18.0.7", 51820)), back.endpoints());
        assertEquals(7946, back.gossipPort());
        assertFalse(back.leaving());
        assertFalse(back.tcpChecksumOptional());
        assertTrue(MemberRecord.verify(back.leavingAt(43).sign(office.key()), verifier, NOW).leaving());
    }

    @Test
    void theOptionalChecksumOfferIsSignedAndOutlivesTheGoodbye() throws Exception {
        Identity office = node("office");
        MemberRecord offering = new MemberRecord(office.cert(), 42, 1000, List.of(), 7946, false, false, true);
        byte[] signed = offering.sign(office.key());
        assertTrue(MemberRecord.verify(signed, verifier, NOW).tcpChecksumOptional());
        assertTrue(MemberRecord.verify(offering.leavingAt(43).sign(office.key()), verifier, NOW)
                .tcpChecksumOptional());
        // A member that repeats the record cannot add or drop the offer: the body is signed.
        SignedRecord outer = SignedRecord.parseFrom(signed);
        byte[] flipped = RecordBody.parseFrom(outer.getBody()).toBuilder().setTcpChecksumOptional(false).build()
                .toByteArray();
        byte[] forged = outer.toBuilder().setBody(ByteString.copyFrom(flipped)).build().toByteArray();
        assertEquals(Reason.BAD_SIGNATURE, refusal(forged, NOW));
    }

    @Test
    void aMemberCannotSpeakForAnother() {
        Identity office = node("office");
        Identity mallory = node("mallory");
        // Mallory puts office's certificate in a record with her own endpoints and signs it with her key.
        byte[] forged = new MemberRecord(office.cert(), Long.MAX_VALUE, 1, List.of(new InetSocketAddress(
                "198.18.0.66", 51820)), 7946, false, false).sign(mallory.key());
        assertEquals(Reason.BAD_SIGNATURE, refusal(forged, NOW));
    }

    @Test
    void foreignExpiredAndTamperedCertificatesAreRefusedWithTheirReason() {
        Identity stranger = node(ca("evil"), "stranger", NOW.plus(Duration.ofDays(30)));
        MemberRejected e = assertThrows(MemberRejected.class,
                () -> MemberRecord.verify(record(stranger.cert(), 1).sign(stranger.key()), verifier, NOW));
        assertEquals(CertificateRejected.Reason.OTHER_CA, e.certificateReason());
        assertTrue(e.getMessage().contains("signed by another CA"), e.getMessage());

        Identity old = node(ca, "old", NOW.minusSeconds(60));
        e = assertThrows(MemberRejected.class,
                () -> MemberRecord.verify(record(old.cert(), 1).sign(old.key()), verifier, NOW));
        assertEquals(CertificateRejected.Reason.EXPIRED, e.certificateReason());
    }

    @Test
    void everyFlippedByteIsRefused() {
        Identity office = node("office");
        byte[] good = record(office.cert(), 7).sign(office.key());
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x04;
            assertThrows(MemberRejected.class, () -> MemberRecord.verify(bad, verifier, NOW), "byte " + i);
        }
    }

    @Test
    void garbageIsRefusedAsMalformedWithoutException() {
        for (int n = 0; n < 300; n++) {
            byte[] junk = new byte[n];
            random.nextBytes(junk);
            assertThrows(MemberRejected.class, () -> MemberRecord.verify(junk, verifier, NOW));
        }
        assertEquals(Reason.MALFORMED, refusal(new byte[MemberRecord.MAX_ENCODED_SIZE + 1], NOW));
    }

    @Test
    void everyJoinMessageIsPaddedToOneSize() throws Exception {
        Identity home = node("home");
        Identity seed = node("seed");
        byte[] nonce = new byte[JoinMessage.NONCE_SIZE];
        nonce[3] = 42;
        byte[] request = JoinMessage.request(home.cert(), 7946, NOW, 77L, nonce).encode(home.key());
        assertEquals(JoinMessage.SIZE, request.length);
        JoinMessage got = JoinMessage.verify(request, verifier, NOW.plusSeconds(1));
        assertEquals("home", got.name());
        assertFalse(got.reply());
        assertFalse(got.greeting(), "a newcomer's request");

        assertEquals(77L, got.incarnation());
        assertArrayEquals(nonce, got.nonce());
        byte[] seedKey = seed.cert().x25519PublicKey();
        byte[] homeKey = home.cert().x25519PublicKey();
        assertTrue(got.addressedTo(seedKey) && got.addressedTo(homeKey), "a request goes to a seed known by address");
        byte[] greeting = JoinMessage.greeting(home.cert(), 7946, NOW, 77L, nonce, seedKey).encode(home.key());
        assertEquals(JoinMessage.SIZE, greeting.length);
        JoinMessage greeted = JoinMessage.verify(greeting, verifier, NOW);
        assertTrue(greeted.greeting(), "a member introducing itself");
        assertFalse(greeted.reply());
        assertTrue(greeted.addressedTo(seedKey));
        assertFalse(greeted.addressedTo(homeKey), "a greeting replayed to another member is not for it");

        InetSocketAddress seen = new InetSocketAddress("198.18.0.3", 40000);
        byte[] reply = JoinMessage.reply(seed.cert(), 7000, seen, NOW, 88L, got).encode(seed.key());
        assertEquals(JoinMessage.SIZE, reply.length, "a reply is exactly as large as a request, never larger");
        JoinMessage back = JoinMessage.verify(reply, verifier, NOW);
        assertTrue(back.reply());
        assertFalse(back.greeting());
        assertEquals(seen, back.observed());
        assertEquals(7000, back.gossipPort());
        assertArrayEquals(nonce, back.nonce(), "a reply names the request it answers");
        assertEquals(88L, back.incarnation());
        assertTrue(back.addressedTo(homeKey), "a reply is addressed to the requester");
        assertFalse(back.relay());
        byte[] relaying = JoinMessage.reply(seed.cert(), 7000, seen, NOW, 88L, got).relaying(true).encode(seed.key());
        assertEquals(JoinMessage.SIZE, relaying.length);
        assertTrue(JoinMessage.verify(relaying, verifier, NOW).relay(), "a relay says so from the first exchange");
        assertFalse(back.addressedTo(seedKey));
    }

    @Test
    void oldJoinMessagesAndRecordSignaturesPassedOffAsJoinsAreRefused() {
        Identity home = node("home");
        byte[] request = JoinMessage.request(home.cert(), 7946, NOW, 1L, new byte[JoinMessage.NONCE_SIZE])
                .encode(home.key());
        assertEquals(Reason.STALE, assertThrows(MemberRejected.class, () -> JoinMessage.verify(request, verifier,
                NOW.plus(JoinMessage.MAX_AGE).plusSeconds(1))).reason());
        // Every byte of the body and signature counts; the padding after them is not signed.
        int signedEnd = request.length;
        while (request[signedEnd - 1] == 0) {
            signedEnd--;
        }
        signedEnd -= 3; // the padding field's tag and length
        for (int i = 4; i < signedEnd; i++) {
            byte[] bad = request.clone();
            bad[i] ^= 0x10;
            assertThrows(MemberRejected.class, () -> JoinMessage.verify(bad, verifier, NOW), "byte " + i);
        }
        // A record's signature is made under another context: it cannot be replayed as a join.
        byte[] recordBytes = record(home.cert(), 1).sign(home.key());
        byte[] asJoin = new byte[4 + recordBytes.length];
        asJoin[0] = 5;
        System.arraycopy(recordBytes, 0, asJoin, 4, recordBytes.length);
        assertThrows(MemberRejected.class, () -> JoinMessage.verify(asJoin, verifier, NOW));
    }
}
