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

/** Certificates are believed only when signed by the mesh's CA, valid now, and inside the mesh. */
class CertificateTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority ca = CertificateAuthority.create("acme", IpPrefix.parse("100.64.0.0/10"),
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650)), random);

    private CertificateRequest request(String name, String address, Instant from, Instant until) {
        return new CertificateRequest(name, IpPrefix.parse(address), List.of(IpPrefix.parse("100.96.1.0/24")),
                List.of("office"), Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), from, until);
    }

    private Certificate node(String name) {
        return ca.sign(request(name, "100.64.0.7/16", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(365))));
    }

    private Reason rejection(CertificateVerifier verifier, byte[] encoded, Instant at) {
        return assertThrows(CertificateRejected.class, () -> verifier.verify(encoded, at)).reason();
    }

    @Test
    void signedNodeCertificateVerifiesAndKeepsEveryField() throws Exception {
        Certificate cert = node("office");
        Certificate back = new CertificateVerifier(ca.certificate()).verify(cert.encoded(), NOW);
        assertEquals("office", back.name());
        assertEquals(IpPrefix.parse("100.64.0.7/16"), back.address());
        assertEquals(List.of(IpPrefix.parse("100.96.1.0/24")), back.subnets());
        assertEquals(List.of("office"), back.groups());
        assertArrayEquals(cert.x25519PublicKey(), back.x25519PublicKey());
        assertArrayEquals(ca.certificate().fingerprint(), back.issuer());
        assertFalse(back.isCa());
        assertTrue(back.describe().contains("100.96.1.0/24"));
    }

    @Test
    void everyFlippedByteIsRefused() throws Exception {
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        byte[] good = node("office").encoded();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            assertThrows(CertificateRejected.class, () -> verifier.verify(bad, NOW), "byte " + i);
        }
    }

    @Test
    void aRememberedCertificateStillHasEveryOtherRuleChecked() throws Exception {
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        byte[] good = node("office").encoded();
        verifier.verify(good, NOW); // its CA signature is now remembered as checked
        assertEquals("office", verifier.verify(good, NOW).name());
        assertEquals(Reason.EXPIRED, rejection(verifier, good, NOW.plus(Duration.ofDays(400))));
        assertEquals(Reason.NOT_YET_VALID, rejection(verifier, good, NOW.minus(Duration.ofDays(1))));
        for (int i = 0; i < good.length; i++) { // a changed byte is a different certificate, checked anew
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            assertThrows(CertificateRejected.class, () -> verifier.verify(bad, NOW), "byte " + i);
        }
    }

    @Test
    void refusalsNameTheirReason() throws Exception {
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        Certificate cert = node("office");
        assertEquals(Reason.EXPIRED, rejection(verifier, cert.encoded(), NOW.plus(Duration.ofDays(400))));
        assertEquals(Reason.NOT_YET_VALID, rejection(verifier, cert.encoded(), NOW.minus(Duration.ofHours(1))));

        CertificateAuthority other = CertificateAuthority.create("evil", IpPrefix.parse("100.64.0.0/10"),
                NOW.minusSeconds(60), NOW.plus(Duration.ofDays(10)), random);
        Certificate foreign = other.sign(request("office", "100.64.0.7/16", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1))));
        assertEquals(Reason.OTHER_CA, rejection(verifier, foreign.encoded(), NOW));

        assertEquals(Reason.NOT_A_NODE, rejection(verifier, ca.certificate().encoded(), NOW));
        assertEquals(Reason.MALFORMED, rejection(verifier, new byte[] {1, 2, 3}, NOW));
        assertEquals(Reason.MALFORMED, rejection(verifier, new byte[0], NOW));
        byte[] truncated = java.util.Arrays.copyOf(cert.encoded(), cert.encoded().length - 10);
        assertEquals(Reason.MALFORMED, rejection(verifier, truncated, NOW));
    }

    @Test
    void aForeignCaWithTheSameNameCannotImpersonateOurs() throws Exception {
        // Same name and network, but another key: the issuer fingerprint differs, and even a copied fingerprint
        // fails the signature.
        CertificateAuthority twin = CertificateAuthority.create("acme", IpPrefix.parse("100.64.0.0/10"),
                NOW.minusSeconds(60), NOW.plus(Duration.ofDays(10)), random);
        Certificate forged = twin.sign(request("office", "100.64.0.7/16", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1))));
        CertificateVerifier verifier = new CertificateVerifier(ca.certificate());
        assertEquals(Reason.OTHER_CA, rejection(verifier, forged.encoded(), NOW));
    }

    @Test
    void addressOutsideTheMeshIsRefusedAtSigningAndAtVerifying() throws Exception {
        CertificateRequest outside = request("home", "100.128.0.1/16", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ca.sign(outside));
        assertTrue(e.getMessage().contains("outside the mesh"), e.getMessage());

        // A certificate that our CA's key did sign with an outside address (a CA bug, or a CA whose network
        // shrank) is still refused by every verifier.
        dev.skein.protocol.proto.CertificateBody body = dev.skein.protocol.proto.CertificateBody.newBuilder()
                .setVersion(1).setName("home").setAddress(Certificate.toProto(IpPrefix.parse("100.128.0.1/16")))
                .setX25519PublicKey(com.google.protobuf.ByteString.copyFrom(new byte[32]))
                .setEd25519PublicKey(com.google.protobuf.ByteString.copyFrom(new byte[32]))
                .setNotBefore(NOW.minusSeconds(60).getEpochSecond()).setNotAfter(NOW.plusSeconds(600).getEpochSecond())
                .setIssuer(com.google.protobuf.ByteString.copyFrom(ca.certificate().fingerprint())).build();
        Certificate signed = Certificate.sign(body, ca.signingKey());
        assertEquals(Reason.ADDRESS_OUTSIDE_MESH, rejection(new CertificateVerifier(ca.certificate()), signed.encoded(), NOW));
    }

    @Test
    void aSubnetInsideTheMeshPrefixIsRefusedAtSigningButAnExitNodesDefaultRouteIsNot() {
        for (String subnet : List.of("100.64.9.0/24", "100.64.0.0/16", "100.0.0.0/8")) {
            CertificateRequest r = new CertificateRequest("evil", IpPrefix.parse("100.64.0.8/16"),
                    List.of(IpPrefix.parse(subnet)), List.of(), Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
                    Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), NOW, NOW.plus(Duration.ofDays(1)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ca.sign(r), subnet);
            assertTrue(e.getMessage().contains("inside the mesh prefix 100.64.0.0/16"), e.getMessage());
        }
        CertificateRequest exit = new CertificateRequest("exit", IpPrefix.parse("100.64.0.9/16"),
                List.of(IpPrefix.parse("0.0.0.0/0")), List.of(), Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), NOW, NOW.plus(Duration.ofDays(1)));
        assertEquals(List.of(IpPrefix.parse("0.0.0.0/0")), ca.sign(exit).subnets());
    }

    @Test
    void aDualStackCertificateCarriesItsIpv6AddressInsideTheCasIpv6Network() throws Exception {
        CertificateAuthority ca6 = CertificateAuthority.create("acme6", IpPrefix.parse("100.64.0.0/10"),
                IpPrefix.parse("fd00:64::/48"), NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650)), random);
        assertEquals(IpPrefix.parse("fd00:64::/48"), ca6.certificate().address6());
        Certificate cert = ca6.sign(dualStack("office", "fd00:64::7/64", List.of("2001:db8:7::/48", "100.96.1.0/24")));
        Certificate back = new CertificateVerifier(ca6.certificate()).verify(cert.encoded(), NOW);
        assertEquals(IpPrefix.parse("fd00:64::7/64"), back.address6());
        assertEquals(List.of(IpPrefix.parse("100.64.0.7/32"), IpPrefix.parse("fd00:64::7/128")), back.hosts());
        assertEquals(List.of(IpPrefix.parse("100.64.0.0/16"), IpPrefix.parse("fd00:64::/64")), back.networks());
        assertEquals(List.of(IpPrefix.parse("2001:db8:7::/48"), IpPrefix.parse("100.96.1.0/24")), back.subnets());
        assertTrue(back.describe().contains("address6:     fd00:64::7/64"), back.describe());
        assertNull(node("plain").address6());
        assertEquals(List.of(IpPrefix.parse("100.64.0.7/32")), node("plain").hosts());

        // Outside the CA's IPv6 network, or inside the node's own IPv6 mesh prefix: refused at signing.
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> ca6.sign(dualStack("evil", "fd00:65::7/64", List.of())));
        assertTrue(outside.getMessage().contains("outside the mesh network fd00:64::/48"), outside.getMessage());
        IllegalArgumentException inside = assertThrows(IllegalArgumentException.class,
                () -> ca6.sign(dualStack("evil", "fd00:64::8/64", List.of("fd00:64::/96"))));
        assertTrue(inside.getMessage().contains("inside the mesh prefix fd00:64::/64"), inside.getMessage());
        // A CA without an IPv6 network signs no IPv6 address...
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ca.sign(dualStack("evil", "fd00:64::9/64", List.of())));
        assertTrue(none.getMessage().contains("has no IPv6 network"), none.getMessage());
        // ... and its verifiers believe none that its key signed anyway, nor one outside its IPv6 network.
        for (CertificateAuthority issuer : List.of(ca, ca6)) {
            Certificate forged = Certificate.sign(dev.skein.protocol.proto.CertificateBody.parseFrom(cert.body()).toBuilder()
                    .setAddress6(Certificate.toProto(IpPrefix.parse("fd00:99::7/64")))
                    .setIssuer(com.google.protobuf.ByteString.copyFrom(issuer.certificate().fingerprint())).build(),
                    issuer.signingKey());
            assertEquals(Reason.ADDRESS_OUTSIDE_MESH,
                    rejection(new CertificateVerifier(issuer.certificate()), forged.encoded(), NOW), issuer.certificate().name());
        }
        // An IPv6 address where the IPv4 one goes, or an IPv4 one as address6: malformed.
        for (String[] swap : new String[][] {{"fd00:64::7/64", null}, {"100.64.0.7/16", "100.64.0.8/16"}}) {
            dev.skein.protocol.proto.CertificateBody.Builder b = dev.skein.protocol.proto.CertificateBody
                    .parseFrom(cert.body()).toBuilder().setAddress(Certificate.toProto(IpPrefix.parse(swap[0])));
            if (swap[1] != null) {
                b.setAddress6(Certificate.toProto(IpPrefix.parse(swap[1])));
            }
            IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                    () -> Certificate.sign(b.build(), ca6.signingKey()), swap[0]);
            assertTrue(malformed.getMessage().matches(".*is not IPv[46].*"), malformed.getMessage());
        }
    }

    private CertificateRequest dualStack(String name, String address6, List<String> subnets) {
        return new CertificateRequest(name, IpPrefix.parse("100.64.0.7/16"), IpPrefix.parse(address6),
                subnets.stream().map(IpPrefix::parse).toList(), List.of(),
                Curve25519.publicKey(Curve25519.generatePrivateKey(random)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(random)), NOW.minusSeconds(60),
                NOW.plus(Duration.ofDays(365)));
    }

    @Test
    void caKeyMustMatchItsCertificate() {
        CertificateRejected e = assertThrows(CertificateRejected.class,
                () -> CertificateAuthority.load(ca.certificate(), Ed25519Keys.generatePrivateKey(random)));
        assertEquals(Reason.WRONG_KEY, e.reason());
        assertThrows(CertificateRejected.class, () -> new CertificateVerifier(node("x")), "a node cert is no CA");
    }

    @Test
    void nodeCannotOutliveItsCa() {
        CertificateRequest tooLong = request("n", "100.64.0.9/16", NOW, NOW.plus(Duration.ofDays(4000)));
        assertThrows(IllegalArgumentException.class, () -> ca.sign(tooLong));
    }

    @Test
    void pemTextRoundTripsAndNamesItsProblem() throws Exception {
        Certificate cert = node("home");
        String text = PemText.encode(PemText.CERTIFICATE, cert.encoded());
        assertTrue(text.startsWith("-----BEGIN SKEIN CERTIFICATE-----\n"));
        assertArrayEquals(cert.encoded(), PemText.decode(PemText.CERTIFICATE, text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PemText.decode(PemText.PRIVATE_KEY, text));
        assertTrue(e.getMessage().contains("SKEIN PRIVATE KEY"), e.getMessage());
    }
}
