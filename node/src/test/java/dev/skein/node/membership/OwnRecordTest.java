package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.member.MemberRecord;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Our own record: what it publishes, when it republishes, that each version is newer and signed. */
class OwnRecordTest {
    private static final Instant NOW = Instant.now();
    private static final long SECOND = 1_000_000_000L;
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority ca = CertificateAuthority.create("acme", IpPrefix.parse("100.64.0.0/10"),
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(10)), random);
    private final byte[] key = Ed25519Keys.generatePrivateKey(random);
    private final AtomicReference<List<InetSocketAddress>> local =
            new AtomicReference<>(List.of(new InetSocketAddress("198.19.1.2", 51820)));
    private final List<String> published = new ArrayList<>();

    private Certificate cert(Instant until) {
        return ca.sign(new CertificateRequest("home", IpPrefix.parse("100.64.0.2/16"), List.of(), List.of(),
                Curve25519.publicKey(Curve25519.generatePrivateKey(random)), Ed25519Keys.publicKey(key),
                NOW.minusSeconds(60), until));
    }

    private MemberRecord last(CertificateVerifier verifier) throws Exception {
        return MemberRecord.verify(Base64.getDecoder().decode(published.get(published.size() - 1)), verifier, NOW);
    }

    @Test
    void publishesWhatTheMeshConfirmsThenWhatIsLocalEachVersionNewer() throws Exception {
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        AtomicReference<Membership.Settings> settings = new AtomicReference<>(new Membership.Settings(
                cert(NOW.plus(Duration.ofDays(5))), key, verifier, 7946, List.of(), false, local::get));
        OwnRecord own = new OwnRecord(settings::get, NOW.toEpochMilli());
        own.publishTo(published::add);
        assertEquals(local.get(), own.record().endpoints());
        long v0 = own.record().version();

        InetSocketAddress publicEndpoint = new InetSocketAddress("198.18.0.21", 51820);
        own.observe(publicEndpoint, "office", false, SECOND, NOW.toEpochMilli());
        assertTrue(published.isEmpty(), "one member's word is not enough");
        own.observe(publicEndpoint, "lab", false, 2 * SECOND, NOW.toEpochMilli());
        assertEquals(1, published.size(), "two members saw it: published");
        MemberRecord r = last(verifier);
        assertEquals(List.of(publicEndpoint, local.get().get(0)), r.endpoints(), "the public endpoint first");
        assertTrue(r.version() > v0, "a newer version, though the clock did not move");

        local.set(List.of(new InetSocketAddress("198.19.1.3", 51820)));
        own.refreshEndpoints(2 * SECOND, NOW.toEpochMilli());
        assertEquals(1, published.size(), "local endpoints are looked up at most every 5 s");
        own.refreshEndpoints(10 * SECOND, NOW.toEpochMilli());
        assertEquals(2, published.size());
        assertEquals(new InetSocketAddress("198.19.1.3", 51820), last(verifier).endpoints().get(1));

        Certificate renewed = cert(NOW.plus(Duration.ofDays(9)));
        settings.set(new Membership.Settings(renewed, key, verifier, 7946, List.of(), true, local::get));
        assertTrue(own.renew(renewed, true, NOW.toEpochMilli()));
        MemberRecord after = last(verifier);
        assertTrue(after.certificate().sameAs(renewed) && after.relay());
        assertEquals(own.record().incarnation(), after.incarnation(), "the same run");
        assertFalse(own.renew(renewed, true, NOW.toEpochMilli()), "the same certificate again: no renewal");

        byte[] bye = own.leave(NOW.toEpochMilli());
        assertTrue(MemberRecord.verify(bye, verifier, NOW).leaving());
        assertTrue(last(verifier).leaving(), "the goodbye is gossiped too");
    }

    /**
     * Issue 25: a seed saw us at another port than our own (our router, which keeps ports where it can, had to
     * take a new one toward it). Members behind routers like ours will see us at our own port at that address, so
     * that goes in too, after what was seen and before what is local.
     */
    @Test
    void anEndpointSeenAtAnotherPortIsAlsoPublishedAtOurOwn() throws Exception {
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        OwnRecord own = new OwnRecord(() -> new Membership.Settings(cert(NOW.plus(Duration.ofDays(5))), key, verifier,
                7946, List.of(), false, local::get), NOW.toEpochMilli());
        own.publishTo(published::add);
        InetSocketAddress oddPort = new InetSocketAddress("198.18.5.2", 3539);
        own.observe(oddPort, "seed", true, SECOND, NOW.toEpochMilli());
        assertEquals(List.of(oddPort, new InetSocketAddress("198.18.5.2", 51820), local.get().get(0)),
                last(verifier).endpoints());

        InetSocketAddress ownPort = new InetSocketAddress("198.18.5.2", 51820);
        own.observe(ownPort, "seed", true, 2 * SECOND, NOW.toEpochMilli());
        assertEquals(List.of(ownPort, oddPort, local.get().get(0)), last(verifier).endpoints(),
                "seen at our own port as well: listed once");
    }
}
