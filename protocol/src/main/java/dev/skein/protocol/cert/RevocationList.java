package dev.skein.protocol.cert;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.skein.protocol.cert.CertificateRejected.Reason;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.proto.RevocationBody;
import dev.skein.protocol.proto.Revoked;
import dev.skein.protocol.proto.SignedRevocations;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A CA's signed list of revoked node certificates, by fingerprint. Versions only grow: a member keeps the
 * highest version that verifies against its CA and hands it on, so a revocation made anywhere reaches every
 * member by gossip. Signed by the CA key under its own context, so no other signature of the CA (a
 * certificate) can pass as a list.
 */
public final class RevocationList {
    /** Bounded, as everything that arrives from the network: larger lists are refused. */
    public static final int MAX_ENTRIES = 65_536;
    private static final byte[] CONTEXT = "skein revocations v1\0".getBytes(StandardCharsets.US_ASCII);

    /** One revoked certificate: its fingerprint, and for people whose it was and why. */
    public record Entry(byte[] fingerprint, String name, String reason) {
        public String fingerprintHex() {
            return HexFormat.of().formatHex(fingerprint);
        }
    }

    private final byte[] issuer;
    private final long version;
    private final Instant issued;
    private final List<Entry> entries;
    private final Set<ByteBuffer> fingerprints = new HashSet<>();
    private final byte[] encoded;

    private RevocationList(byte[] issuer, long version, Instant issued, List<Entry> entries, byte[] encoded) {
        this.issuer = issuer.clone();
        this.version = version;
        this.issued = issued;
        this.entries = List.copyOf(entries);
        entries.forEach(e -> fingerprints.add(ByteBuffer.wrap(e.fingerprint().clone())));
        this.encoded = encoded;
    }

    /** Signs a list with the CA's key. */
    public static RevocationList sign(CertificateAuthority ca, long version, Instant issued, List<Entry> entries) {
        RevocationBody.Builder b = RevocationBody.newBuilder().setIssuer(ByteString.copyFrom(ca.certificate().fingerprint()))
                .setVersion(version).setIssued(issued.getEpochSecond());
        for (Entry e : entries) {
            b.addRevoked(Revoked.newBuilder().setFingerprint(ByteString.copyFrom(e.fingerprint()))
                    .setName(e.name()).setReason(e.reason()));
        }
        byte[] body = b.build().toByteArray();
        byte[] encoded = SignedRevocations.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(Ed25519Keys.sign(ca.signingKey(), withContext(body)))).build()
                .toByteArray();
        return new RevocationList(ca.certificate().fingerprint(), version, Instant.ofEpochSecond(issued.getEpochSecond()),
                entries, encoded);
    }

    /** This list with one more entry, under the next version. */
    public RevocationList plus(CertificateAuthority ca, Entry entry, Instant now) {
        List<Entry> more = new ArrayList<>(entries);
        if (!revokes(entry.fingerprint())) {
            more.add(entry);
        }
        return sign(ca, version + 1, now, more);
    }

    /** An empty list of version 0: what a mesh has before its first revocation. */
    public static RevocationList empty(CertificateAuthority ca, Instant now) {
        return sign(ca, 0, now, List.of());
    }

    /** Decodes a list and checks that {@code ca} issued and signed it. */
    public static RevocationList verify(byte[] encoded, Certificate ca) throws CertificateRejected {
        try {
            SignedRevocations signed = SignedRevocations.parseFrom(encoded);
            byte[] body = signed.getBody().toByteArray();
            if (!Ed25519Keys.verify(ca.ed25519PublicKey(), withContext(body), signed.getSignature().toByteArray())) {
                throw new CertificateRejected(Reason.BAD_SIGNATURE, "revocation list not signed by CA '" + ca.name() + "'");
            }
            RevocationBody b = RevocationBody.parseFrom(body);
            if (!Arrays.equals(b.getIssuer().toByteArray(), ca.fingerprint())) {
                throw new CertificateRejected(Reason.OTHER_CA, "revocation list of another CA");
            }
            if (b.getRevokedCount() > MAX_ENTRIES) {
                throw new CertificateRejected(Reason.MALFORMED, "revocation list of " + b.getRevokedCount() + " entries");
            }
            List<Entry> entries = new ArrayList<>();
            for (Revoked r : b.getRevokedList()) {
                entries.add(new Entry(r.getFingerprint().toByteArray(), r.getName(), r.getReason()));
            }
            return new RevocationList(ca.fingerprint(), b.getVersion(), Instant.ofEpochSecond(b.getIssued()), entries,
                    encoded.clone());
        } catch (InvalidProtocolBufferException e) {
            throw new CertificateRejected(Reason.MALFORMED, "not a revocation list");
        }
    }

    /** The fingerprint of the CA a list says it is from (not verified: to pick the CA that checks it). */
    public static byte[] issuerOf(byte[] encoded) throws CertificateRejected {
        try {
            return RevocationBody.parseFrom(SignedRevocations.parseFrom(encoded).getBody()).getIssuer().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new CertificateRejected(Reason.MALFORMED, "not a revocation list");
        }
    }

    /** The fingerprint of the CA that signed this list. */
    public byte[] issuer() {
        return issuer.clone();
    }

    private static byte[] withContext(byte[] body) {
        byte[] m = Arrays.copyOf(CONTEXT, CONTEXT.length + body.length);
        System.arraycopy(body, 0, m, CONTEXT.length, body.length);
        return m;
    }

    public boolean revokes(byte[] fingerprint) {
        return fingerprints.contains(ByteBuffer.wrap(fingerprint));
    }

    public boolean revokes(Certificate cert) {
        return revokes(cert.fingerprint());
    }

    public long version() {
        return version;
    }

    public Instant issued() {
        return issued;
    }

    public List<Entry> entries() {
        return entries;
    }

    public byte[] encoded() {
        return encoded.clone();
    }
}
