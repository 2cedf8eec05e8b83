package dev.skein.node.membership;

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
import java.util.List;

/** One mesh's PKI for membership tests: a CA over 100.64.0.0/10 and members it signs, with their keys. */
final class TestMesh {
    static final Instant NOW = Instant.now();
    static final long SECOND = 1_000_000_000L;
    static final int GOSSIP_PORT = 7946;

    final SecureRandom random = new SecureRandom();
    final CertificateAuthority ca;
    final CertificateVerifier verifier;

    /** A member's certificate and the Ed25519 key that signs its records and join messages. */
    record Member(Certificate certificate, byte[] signingKey) {
        String name() {
            return certificate.name();
        }

        /** Its record at {@code version}, reachable at {@code endpoint}. */
        MemberRecord record(long version, InetSocketAddress endpoint) {
            return new MemberRecord(certificate, version, 1, List.of(endpoint), GOSSIP_PORT, false, false);
        }

        byte[] signed(MemberRecord r) {
            return r.sign(signingKey);
        }
    }

    TestMesh(String caName) {
        ca = CertificateAuthority.create(caName, IpPrefix.parse("100.64.0.0/10"), NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(10)), random);
        try {
            verifier = new CertificateVerifier(ca.certificate());
        } catch (dev.skein.protocol.cert.CertificateRejected e) {
            throw new IllegalStateException("a CA just made must verify", e);
        }
    }

    TestMesh() {
        this("acme");
    }

    /** A member at {@code address} (a /16 in the overlay) owning {@code subnets}, certified for a day. */
    Member member(String name, String address, String... subnets) {
        return member(name, address, Ed25519Keys.generatePrivateKey(random), subnets);
    }

    /** The same, signing with {@code signingKey} (two certificates of one member share it). */
    Member member(String name, String address, byte[] signingKey, String... subnets) {
        Certificate c = ca.sign(new CertificateRequest(name, IpPrefix.parse(address),
                List.of(subnets).stream().map(IpPrefix::parse).toList(), List.of(),
                Curve25519.publicKey(Curve25519.generatePrivateKey(random)), Ed25519Keys.publicKey(signingKey),
                NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1))));
        return new Member(c, signingKey);
    }

    /** Settings of a node that is {@code self}, with these seeds and local endpoints. */
    Membership.Settings settings(Member self, List<InetSocketAddress> seeds, List<InetSocketAddress> local) {
        return new Membership.Settings(self.certificate(), self.signingKey(), verifier, GOSSIP_PORT, seeds, false,
                () -> local);
    }
}
