package dev.skein.protocol.cert;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateRejected.Reason;
import dev.skein.protocol.crypto.Ed25519Keys;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a node certificate is to be believed: signed by one of this mesh's CAs and not revoked by
 * it, in its validity period, with an address inside the mesh. A node believes a peer's address, subnets and
 * keys only through this. Several CAs (a bundle) let a mesh move to a new CA node by node; they must all be
 * for the same mesh network, and each has its own revocation list. Thread-safe.
 */
public final class CertificateVerifier {
    /** How many CA-signed certificates are remembered as checked: more than a large mesh has members. */
    static final int REMEMBERED = 4096;

    /** One CA of the bundle, with the newest revocation list of its own that this verifier holds. */
    private static final class Authority {
        final Certificate ca;
        volatile RevocationList revocations;

        Authority(Certificate ca) {
            this.ca = ca;
        }
    }

    /** By fingerprint, in the order given: the first is the primary CA. */
    private final Map<ByteBuffer, Authority> authorities = new LinkedHashMap<>();
    private final Certificate primary;
    /**
     * The encodings of certificates whose CA signature checked out. Every record, join and greeting carries its
     * sender's certificate, and in a mesh of hundreds checking the same few hundred signatures over and over
     * was most of a node's membership work. Keyed by the whole encoding, so a changed byte is checked anew.
     */
    private final java.util.Set<ByteBuffer> signatureChecked = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @throws CertificateRejected when {@code ca} is not a self-signed CA certificate */
    public CertificateVerifier(Certificate ca) throws CertificateRejected {
        this(List.of(ca));
    }

    /**
     * A bundle: certificates from any of {@code cas} are believed.
     *
     * @throws CertificateRejected when one is not a self-signed CA certificate, or they are for different networks
     */
    public CertificateVerifier(List<Certificate> cas) throws CertificateRejected {
        if (cas.isEmpty()) {
            throw new CertificateRejected(Reason.NOT_A_CA, "no CA certificate");
        }
        for (Certificate ca : cas) {
            if (!ca.isCa()) {
                throw new CertificateRejected(Reason.NOT_A_CA, ca.name());
            }
            if (!Ed25519Keys.verify(ca.ed25519PublicKey(), ca.body(), ca.signature())) {
                throw new CertificateRejected(Reason.BAD_SIGNATURE, "CA certificate " + ca.name() + " is not self-signed");
            }
            if (!ca.address().equals(cas.get(0).address())
                    || !java.util.Objects.equals(ca.address6(), cas.get(0).address6())) {
                throw new CertificateRejected(Reason.ADDRESS_OUTSIDE_MESH, "the CAs of a bundle must be for one mesh: "
                        + cas.get(0).name() + " has " + cas.get(0).networks() + ", " + ca.name() + " " + ca.networks());
            }
            authorities.put(ByteBuffer.wrap(ca.fingerprint()), new Authority(ca));
        }
        this.primary = cas.get(0);
    }

    /** The primary CA: the first of the bundle. */
    public Certificate ca() {
        return primary;
    }

    /** Every CA of the bundle. */
    public List<Certificate> cas() {
        return authorities.values().stream().map(a -> a.ca).toList();
    }

    /** Decodes a revocation list and checks it against the CA of the bundle it names. */
    public RevocationList verifyRevocations(byte[] encoded) throws CertificateRejected {
        Authority a = authorities.get(ByteBuffer.wrap(RevocationList.issuerOf(encoded)));
        if (a == null) {
            throw new CertificateRejected(Reason.OTHER_CA, "revocation list of a CA that is not ours");
        }
        return RevocationList.verify(encoded, a.ca);
    }

    /**
     * Takes {@code list} (verified: {@link #verifyRevocations}) if it is newer than the one held for its CA; from
     * then on the certificates it names are refused. True if it was taken.
     */
    public synchronized boolean adopt(RevocationList list) {
        Authority a = authorities.get(ByteBuffer.wrap(list.issuer()));
        if (a == null || (a.revocations != null && list.version() <= a.revocations.version())) {
            return false;
        }
        a.revocations = list;
        return true;
    }

    /** The revocation list held for {@code caFingerprint}, or null. */
    public RevocationList revocations(byte[] caFingerprint) {
        Authority a = authorities.get(ByteBuffer.wrap(caFingerprint));
        return a == null ? null : a.revocations;
    }

    /** Every revocation list held, one per CA at most. */
    public List<RevocationList> revocations() {
        List<RevocationList> out = new ArrayList<>();
        authorities.values().forEach(a -> {
            if (a.revocations != null) {
                out.add(a.revocations);
            }
        });
        return out;
    }

    /** True if the revocation list of {@code cert}'s CA names it. */
    public boolean revoked(Certificate cert) {
        Authority a = authorities.get(ByteBuffer.wrap(cert.issuer()));
        RevocationList r = a == null ? null : a.revocations;
        return r != null && r.revokes(cert);
    }

    /** Decodes and verifies a node certificate at time {@code now}. */
    public Certificate verify(byte[] encoded, Instant now) throws CertificateRejected {
        return verify(Certificate.decode(encoded), now);
    }

    /** Verifies a decoded node certificate at time {@code now}; returns it. */
    public Certificate verify(Certificate cert, Instant now) throws CertificateRejected {
        String who = "'" + cert.name() + "'";
        if (cert.isCa()) {
            throw new CertificateRejected(Reason.NOT_A_NODE, who);
        }
        Authority a = authorities.get(ByteBuffer.wrap(cert.issuer()));
        if (a == null) {
            throw new CertificateRejected(Reason.OTHER_CA, who + " is not from CA '" + primary.name() + "'"
                    + (authorities.size() > 1 ? " or the others of the bundle" : ""));
        }
        Certificate ca = a.ca;
        ByteBuffer key = ByteBuffer.wrap(cert.encoded());
        if (!signatureChecked.contains(key)) {
            if (!Ed25519Keys.verify(ca.ed25519PublicKey(), cert.body(), cert.signature())) {
                throw new CertificateRejected(Reason.BAD_SIGNATURE, who);
            }
            if (signatureChecked.size() >= REMEMBERED) {
                signatureChecked.clear(); // crude, and rare: a mesh this large checks them all once more
            }
            signatureChecked.add(key);
        }
        if (revoked(cert)) {
            throw new CertificateRejected(Reason.REVOKED, who);
        }
        if (now.isBefore(cert.notBefore())) {
            throw new CertificateRejected(Reason.NOT_YET_VALID, who + " starts " + cert.notBefore());
        }
        if (now.isAfter(cert.notAfter())) {
            throw new CertificateRejected(Reason.EXPIRED, who + " expired " + cert.notAfter());
        }
        if (now.isAfter(ca.notAfter())) {
            throw new CertificateRejected(Reason.EXPIRED, "the CA '" + ca.name() + "' expired " + ca.notAfter());
        }
        if (!ca.address().contains(cert.address().host())) {
            throw new CertificateRejected(Reason.ADDRESS_OUTSIDE_MESH,
                    who + " has " + cert.address().address() + ", the mesh is " + ca.address());
        }
        IpPrefix address6 = cert.address6();
        if (address6 != null && (ca.address6() == null || !ca.address6().contains(address6.host()))) {
            throw new CertificateRejected(Reason.ADDRESS_OUTSIDE_MESH, who + " has " + address6.address()
                    + (ca.address6() == null ? ", the mesh has no IPv6 network" : ", the mesh is " + ca.address6()));
        }
        return cert;
    }
}
