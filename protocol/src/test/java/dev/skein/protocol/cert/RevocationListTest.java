package dev.skein.protocol.cert;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateRejected.Reason;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A revocation list is believed only from our CA, only forward, and then no revoked certificate is. */
class RevocationListTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority ca = ca("acme");

    private CertificateAuthority ca(String name) {
        return CertificateAuthority.create(name, IpPrefix.parse("100.64.0.0/10"), NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(3650)), random);
    }

    private Certificate node(String name, String address) {
        return ca.sign(new CertificateRequest(name, IpPrefix.parse(address), List.of(), List.of(),
                Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), NOW.minusSeconds(60),
                NOW.plus(Duration.ofDays(365))));
    }

    @Test
    void aRevokedCertificateIsRefusedAndTheOthersAreNot() throws Exception {
        Certificate laptop = node("laptop", "100.64.0.7/16");
        Certificate desk = node("desk", "100.64.0.8/16");
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        assertEquals(laptop, verifier.verify(laptop, NOW), "remembered as checked before the revocation");
        RevocationList list = RevocationList.empty(ca, NOW)
                .plus(ca, new RevocationList.Entry(laptop.fingerprint(), "laptop", "stolen"), NOW);
        RevocationList received = RevocationList.verify(list.encoded(), ca.certificate());
        assertEquals(1, received.version());
        assertEquals("stolen", received.entries().get(0).reason());
        assertTrue(verifier.adopt(received));
        assertEquals(Reason.REVOKED, assertThrows(CertificateRejected.class, () -> verifier.verify(laptop, NOW)).reason());
        assertEquals(desk, verifier.verify(desk, NOW));
    }

    @Test
    void onlyANewerListReplacesTheHeldOne() throws Exception {
        Certificate laptop = node("laptop", "100.64.0.7/16");
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        RevocationList v1 = RevocationList.empty(ca, NOW).plus(ca, new RevocationList.Entry(laptop.fingerprint(),
                "laptop", ""), NOW);
        RevocationList v0 = RevocationList.empty(ca, NOW);
        assertTrue(verifier.adopt(v1));
        assertFalse(verifier.adopt(v0), "an older list (a replay) cannot un-revoke");
        assertFalse(verifier.adopt(v1), "the same version again changes nothing");
        assertTrue(verifier.revoked(laptop));
    }

    @Test
    void aListNotSignedByOurCaIsRefused() {
        CertificateAuthority other = ca("acme"); // same name, other key
        RevocationList forged = RevocationList.empty(other, NOW);
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(CertificateRejected.class,
                () -> RevocationList.verify(forged.encoded(), ca.certificate())).reason());
        byte[] wire = RevocationList.empty(ca, NOW).encoded();
        for (int i = 0; i < wire.length; i++) {
            byte[] flipped = wire.clone();
            flipped[i] ^= 1;
            assertThrows(CertificateRejected.class, () -> RevocationList.verify(flipped, ca.certificate()), "byte " + i);
        }
        assertThrows(CertificateRejected.class, () -> RevocationList.verify(new byte[] {1, 2, 3}, ca.certificate()));
    }

    @Test
    void aCertificateSignatureCannotPassAsAList() {
        Certificate laptop = node("laptop", "100.64.0.7/16");
        assertThrows(CertificateRejected.class, () -> RevocationList.verify(laptop.encoded(), ca.certificate()));
    }

    @Test
    void aBundleBelievesEachOfItsCasAndEachRevokesOnlyItsOwn() throws Exception {
        CertificateAuthority next = ca("acme-2026");
        Certificate old = node("old", "100.64.0.7/16");
        Certificate renewed = next.sign(new CertificateRequest("renewed", IpPrefix.parse("100.64.0.8/16"), List.of(),
                List.of(), Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), NOW.minusSeconds(60),
                NOW.plus(Duration.ofDays(30))));
        CertificateVerifier bundle = new CertificateVerifier(List.of(ca.certificate(), next.certificate()));
        assertEquals(old, bundle.verify(old, NOW));
        assertEquals(renewed, bundle.verify(renewed, NOW));
        assertEquals(Reason.OTHER_CA, assertThrows(CertificateRejected.class,
                () -> new CertificateVerifier(ca.certificate()).verify(renewed, NOW)).reason(), "without the bundle");

        // The new CA's list revokes its own certificate; the same fingerprint under the old CA is not its to revoke.
        RevocationList list = RevocationList.sign(next, 1, NOW, List.of(new RevocationList.Entry(renewed.fingerprint(),
                "renewed", ""), new RevocationList.Entry(old.fingerprint(), "old", "")));
        assertTrue(bundle.adopt(bundle.verifyRevocations(list.encoded())));
        assertTrue(bundle.revoked(renewed));
        assertFalse(bundle.revoked(old), "a CA revokes only what it issued");
        assertEquals(1, bundle.revocations().size());
        CertificateAuthority stranger = ca("acme");
        assertEquals(Reason.OTHER_CA, assertThrows(CertificateRejected.class,
                () -> bundle.verifyRevocations(RevocationList.empty(stranger, NOW).encoded())).reason());

        CertificateAuthority elsewhere = CertificateAuthority.create("other", IpPrefix.parse("100.100.0.0/16"),
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)), random);
        assertThrows(CertificateRejected.class,
                () -> new CertificateVerifier(List.of(ca.certificate(), elsewhere.certificate())),
                "a bundle is for one mesh network");
    }

    @Test
    void aBundleFileHoldsSeveralCertificates() {
        CertificateAuthority next = ca("acme-2026");
        String text = PemText.encode(PemText.CERTIFICATE, ca.certificate().encoded()) + "\n"
                + PemText.encode(PemText.CERTIFICATE, next.certificate().encoded());
        List<byte[]> blocks = PemText.decodeAll(PemText.CERTIFICATE, text);
        assertEquals(2, blocks.size());
        assertArrayEquals(next.certificate().encoded(), blocks.get(1));
        assertEquals(1, PemText.decodeAll(PemText.CERTIFICATE, PemText.encode(PemText.CERTIFICATE, new byte[] {1}))
                .size());
        assertThrows(IllegalArgumentException.class, () -> PemText.decodeAll(PemText.CERTIFICATE, "nothing"));
    }
}
