package dev.skein.protocol.cert;

import dev.skein.protocol.cert.CertificateRejected.Reason;
import dev.skein.protocol.crypto.Ed25519Keys;
import java.time.Instant;
import java.util.Arrays;

/**
 * Decides whether a node certificate is to be believed: signed by this mesh's CA, in its validity period,
 * with an address inside the mesh. A node believes a peer's address, subnets and keys only through this.
 * Thread-safe.
 */
public final class CertificateVerifier {
    /** How many CA-signed certificates are remembered as checked: more than a large mesh has members. */
    static final int REMEMBERED = 4096;
    private final Certificate ca;
    private final byte[] caFingerprint;
    /**
     * The encodings of certificates whose CA signature checked out. Every record, join and greeting carries its
     * sender's certificate, and in a mesh of hundreds checking the same few hundred signatures over and over
     * was most of a node's membership work. Keyed by the whole encoding, so a changed byte is checked anew.
     */
    private final java.util.Set<java.nio.ByteBuffer> signatureChecked = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @throws CertificateRejected when {@code ca} is not a self-signed CA certificate */
    public CertificateVerifier(Certificate ca) throws CertificateRejected {
        if (!ca.isCa()) {
            throw new CertificateRejected(Reason.NOT_A_CA, ca.name());
        }
        if (!Ed25519Keys.verify(ca.ed25519PublicKey(), ca.body(), ca.signature())) {
            throw new CertificateRejected(Reason.BAD_SIGNATURE, "CA certificate " + ca.name() + " is not self-signed");
        }
        this.ca = ca;
        this.caFingerprint = ca.fingerprint();
    }

    public Certificate ca() {
        return ca;
    }

    /** The CA's newest revocation list this verifier holds, or null. */
    private volatile RevocationList revocations;

    /**
     * Takes {@code list} (verified against this CA: {@link RevocationList#verify}) if it is newer than the one held;
     * from then on its certificates are refused. True if it was taken.
     */
    public synchronized boolean adopt(RevocationList list) {
        if (revocations != null && list.version() <= revocations.version()) {
            return false;
        }
        revocations = list;
        return true;
    }

    public RevocationList revocations() {
        return revocations;
    }

    /** True if the held revocation list names {@code cert}. */
    public boolean revoked(Certificate cert) {
        RevocationList r = revocations;
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
        if (!Arrays.equals(cert.issuer(), caFingerprint)) {
            throw new CertificateRejected(Reason.OTHER_CA, who + " is not from CA '" + ca.name() + "'");
        }
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(cert.encoded());
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
        return cert;
    }
}
