package dev.skein.protocol.cert;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateRejected.Reason;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.proto.CertificateBody;
import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A mesh's certificate authority: its self-signed certificate and its Ed25519 signing key (kept offline). */
public final class CertificateAuthority {
    private final Certificate certificate;
    private final byte[] signingKey;

    private CertificateAuthority(Certificate certificate, byte[] signingKey) {
        this.certificate = certificate;
        this.signingKey = signingKey;
    }

    /** A new CA for the mesh {@code network} (e.g. 100.64.0.0/10), valid from {@code notBefore} to {@code notAfter}. */
    public static CertificateAuthority create(String name, IpPrefix network, Instant notBefore, Instant notAfter,
                                              SecureRandom random) {
        return create(name, network, null, notBefore, notAfter, random);
    }

    /**
     * A new CA for the mesh {@code network} and, if not null, the IPv6 network {@code network6} (e.g.
     * fd00:64::/48) in which its nodes' IPv6 overlay addresses lie.
     */
    public static CertificateAuthority create(String name, IpPrefix network, IpPrefix network6, Instant notBefore,
                                              Instant notAfter, SecureRandom random) {
        if (!network.isIpv4()) {
            throw new IllegalArgumentException("network " + network + " is not IPv4 (an IPv6 network is network6)");
        }
        if (network6 != null && network6.isIpv4()) {
            throw new IllegalArgumentException("network6 " + network6 + " is not IPv6");
        }
        if (!Certificate.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name '" + name + "' is not 1-63 letters, digits, '.', '_' or '-'");
        }
        byte[] key = Ed25519Keys.generatePrivateKey(random);
        CertificateBody.Builder body = CertificateBody.newBuilder()
                .setVersion(1).setName(name).setIsCa(true)
                .setAddress(Certificate.toProto(network.network()))
                .setEd25519PublicKey(ByteString.copyFrom(Ed25519Keys.publicKey(key)))
                .setNotBefore(notBefore.getEpochSecond()).setNotAfter(notAfter.getEpochSecond());
        if (network6 != null) {
            body.setAddress6(Certificate.toProto(network6.network()));
        }
        return new CertificateAuthority(Certificate.sign(body.build(), key), key);
    }

    /** Pairs a CA certificate with its signing key, refusing a key that does not belong to it. */
    public static CertificateAuthority load(Certificate certificate, byte[] signingKey) throws CertificateRejected {
        if (!certificate.isCa()) {
            throw new CertificateRejected(Reason.NOT_A_CA, certificate.name());
        }
        if (signingKey.length != Ed25519Keys.KEY_SIZE
                || !Arrays.equals(Ed25519Keys.publicKey(signingKey), certificate.ed25519PublicKey())) {
            throw new CertificateRejected(Reason.WRONG_KEY, "the CA key is not the one of " + certificate.name());
        }
        return new CertificateAuthority(certificate, signingKey.clone());
    }

    public Certificate certificate() {
        return certificate;
    }

    public byte[] signingKey() {
        return signingKey.clone();
    }

    /**
     * Signs a node certificate. Refuses what no verifier would accept: an address outside the mesh (an IPv6 one
     * outside the CA's IPv6 network, or any IPv6 one when the CA has none), a validity beyond the CA's own; and
     * what no node would route: a subnet that overlaps the network of the node's own overlay addresses (the mesh
     * prefixes, where members' addresses live). A default route (0.0.0.0/0 or ::/0) is signed: it makes an exit
     * node, which members use only when their configuration names it.
     */
    public Certificate sign(CertificateRequest request) {
        if (!request.address().isIpv4() || !certificate.address().contains(request.address().host())) {
            throw new IllegalArgumentException("address " + request.address() + " is outside the mesh network "
                    + certificate.address());
        }
        IpPrefix address6 = request.address6();
        if (address6 != null && certificate.address6() == null) {
            throw new IllegalArgumentException("IPv6 address " + address6 + ": the CA " + certificate.name()
                    + " has no IPv6 network (skein ca init --network6)");
        }
        if (address6 != null && (address6.isIpv4() || !certificate.address6().contains(address6.host()))) {
            throw new IllegalArgumentException("IPv6 address " + address6 + " is outside the mesh network "
                    + certificate.address6());
        }
        if (request.notAfter().isAfter(certificate.notAfter())) {
            throw new IllegalArgumentException("the certificate would outlive the CA (which expires "
                    + certificate.notAfter() + ")");
        }
        if (!Certificate.NAME.matcher(request.name()).matches()) {
            throw new IllegalArgumentException("name '" + request.name()
                    + "' is not 1-63 letters, digits, '.', '_' or '-'");
        }
        for (IpPrefix subnet : request.subnets()) {
            for (IpPrefix mesh : address6 == null ? List.of(request.address())
                    : List.of(request.address(), address6)) {
                if (subnet.bits() > 0 && subnet.network().overlaps(mesh.network())) {
                    throw new IllegalArgumentException("subnet " + subnet + " is inside the mesh prefix "
                            + mesh.network() + ", where members' own addresses are");
                }
            }
        }
        CertificateBody.Builder body = CertificateBody.newBuilder()
                .setVersion(1).setName(request.name())
                .setAddress(Certificate.toProto(request.address()))
                .addAllGroups(request.groups())
                .setX25519PublicKey(ByteString.copyFrom(request.x25519PublicKey()))
                .setEd25519PublicKey(ByteString.copyFrom(request.ed25519PublicKey()))
                .setNotBefore(request.notBefore().getEpochSecond())
                .setNotAfter(request.notAfter().getEpochSecond())
                .setIssuer(ByteString.copyFrom(certificate.fingerprint()));
        if (address6 != null) {
            body.setAddress6(Certificate.toProto(address6));
        }
        request.subnets().forEach(p -> body.addSubnets(Certificate.toProto(p.network())));
        return Certificate.sign(body.build(), signingKey);
    }
}
