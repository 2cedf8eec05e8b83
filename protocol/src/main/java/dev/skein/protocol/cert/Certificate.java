package dev.skein.protocol.cert;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.CertificateRejected.Reason;
import dev.skein.protocol.crypto.Blake2s;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.proto.CertificateBody;
import dev.skein.protocol.proto.Prefix;
import dev.skein.protocol.proto.SignedCertificate;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A decoded node or CA certificate. Decoding checks only the shape of the fields; whether the certificate is
 * to be believed is {@link CertificateVerifier}'s decision. Immutable.
 */
public final class Certificate {
    /** Names appear in logs, CLI columns and file names: keep them plain. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final byte[] encoded;
    private final byte[] body;
    private final byte[] signature;
    private final String name;
    private final boolean ca;
    private final IpPrefix address;
    /** Null when the certificate carries no IPv6 overlay address (or, for a CA, no IPv6 network). */
    private final IpPrefix address6;
    private final List<IpPrefix> subnets;
    private final List<String> groups;
    private final byte[] x25519PublicKey;
    private final byte[] ed25519PublicKey;
    private final Instant notBefore;
    private final Instant notAfter;
    private final byte[] issuer;
    /** Computed on first use: a large mesh compares members' fingerprints several times a second. */
    private volatile byte[] fingerprint;

    private Certificate(byte[] encoded, byte[] body, byte[] signature, CertificateBody b) throws CertificateRejected {
        this.encoded = encoded;
        this.body = body;
        this.signature = signature;
        this.name = b.getName();
        this.ca = b.getIsCa();
        if (b.getVersion() != 1) {
            throw malformed("unsupported version " + b.getVersion());
        }
        if (!NAME.matcher(name).matches()) {
            throw malformed("name '" + name + "' is not 1-63 letters, digits, '.', '_' or '-'");
        }
        if (!b.hasAddress()) {
            throw malformed("no address");
        }
        this.address = prefix(b.getAddress(), "address");
        if (!address.isIpv4()) {
            throw malformed("address " + address + " is not IPv4 (an IPv6 one goes beside it, as address6)");
        }
        this.address6 = b.hasAddress6() ? prefix(b.getAddress6(), "address6") : null;
        if (address6 != null && address6.isIpv4()) {
            throw malformed("address6 " + address6 + " is not IPv6");
        }
        List<IpPrefix> nets = new ArrayList<>();
        for (Prefix p : b.getSubnetsList()) {
            nets.add(prefix(p, "subnet"));
        }
        this.subnets = List.copyOf(nets);
        this.groups = List.copyOf(b.getGroupsList());
        this.ed25519PublicKey = b.getEd25519PublicKey().toByteArray();
        this.x25519PublicKey = b.getX25519PublicKey().toByteArray();
        if (ed25519PublicKey.length != 32) {
            throw malformed("Ed25519 key is " + ed25519PublicKey.length + " bytes, not 32");
        }
        if (!ca && x25519PublicKey.length != Curve25519.KEY_SIZE) {
            throw malformed("X25519 key is " + x25519PublicKey.length + " bytes, not 32");
        }
        this.notBefore = Instant.ofEpochSecond(b.getNotBefore());
        this.notAfter = Instant.ofEpochSecond(b.getNotAfter());
        if (!notAfter.isAfter(notBefore)) {
            throw malformed("expires before it starts");
        }
        this.issuer = b.getIssuer().toByteArray();
    }

    /** Decodes a certificate as written by {@link #encoded()}. */
    public static Certificate decode(byte[] encoded) throws CertificateRejected {
        try {
            SignedCertificate signed = SignedCertificate.parseFrom(encoded);
            byte[] body = signed.getBody().toByteArray();
            if (body.length == 0) {
                throw malformed("empty body");
            }
            return new Certificate(encoded.clone(), body, signed.getSignature().toByteArray(),
                    CertificateBody.parseFrom(body));
        } catch (InvalidProtocolBufferException e) {
            throw malformed("not a certificate (" + e.getMessage() + ")");
        }
    }

    /** Signs {@code body} with an Ed25519 key and returns the certificate. */
    static Certificate sign(CertificateBody body, byte[] signingKey) {
        byte[] bodyBytes = body.toByteArray();
        byte[] sig = dev.skein.protocol.crypto.Ed25519Keys.sign(signingKey, bodyBytes);
        byte[] encoded = SignedCertificate.newBuilder().setBody(ByteString.copyFrom(bodyBytes))
                .setSignature(ByteString.copyFrom(sig)).build().toByteArray();
        try {
            return decode(encoded);
        } catch (CertificateRejected e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static Prefix toProto(IpPrefix p) {
        return Prefix.newBuilder().setIp(ByteString.copyFrom(p.ip())).setBits(p.bits()).build();
    }

    private static IpPrefix prefix(Prefix p, String what) throws CertificateRejected {
        try {
            return IpPrefix.of(p.getIp().toByteArray(), p.getBits());
        } catch (IllegalArgumentException e) {
            throw malformed(what + ": " + e.getMessage());
        }
    }

    private static CertificateRejected malformed(String detail) {
        return new CertificateRejected(Reason.MALFORMED, detail);
    }

    /** The bytes to store or send: a serialized SignedCertificate. */
    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] body() {
        return body;
    }

    byte[] signature() {
        return signature;
    }

    public String name() {
        return name;
    }

    public boolean isCa() {
        return ca;
    }

    /** Node: its overlay address with the mesh prefix length. CA: the mesh network. */
    public IpPrefix address() {
        return address;
    }

    /** Node: its IPv6 overlay address with the mesh's IPv6 prefix length; CA: the mesh's IPv6 network; or null. */
    public IpPrefix address6() {
        return address6;
    }

    /** The overlay addresses as host prefixes: the IPv4 one, then the IPv6 one if any. */
    public List<IpPrefix> hosts() {
        return address6 == null ? List.of(address.host()) : List.of(address.host(), address6.host());
    }

    /** The mesh networks of the overlay addresses (IPv4, then IPv6 if any): where members' own addresses are. */
    public List<IpPrefix> networks() {
        return address6 == null ? List.of(address.network()) : List.of(address.network(), address6.network());
    }

    public List<IpPrefix> subnets() {
        return subnets;
    }

    public List<String> groups() {
        return groups;
    }

    public byte[] x25519PublicKey() {
        return x25519PublicKey.clone();
    }

    public byte[] ed25519PublicKey() {
        return ed25519PublicKey.clone();
    }

    public Instant notBefore() {
        return notBefore;
    }

    public Instant notAfter() {
        return notAfter;
    }

    /** Fingerprint of the issuing CA; empty for a CA. */
    public byte[] issuer() {
        return issuer.clone();
    }

    /** True if {@code other} is this very certificate, byte for byte (a renewal under the same keys is not). */
    public boolean sameAs(Certificate other) {
        return java.util.Arrays.equals(encoded, other.encoded);
    }

    /**
     * BLAKE2s-256 of the Ed25519 key: names a CA in the certificates it issues, and a node's key in a revocation
     * list (so that revoking it revokes every certificate of that key, renewals included).
     */
    public byte[] fingerprint() {
        byte[] f = fingerprint;
        if (f == null) {
            f = Blake2s.hash(ed25519PublicKey);
            fingerprint = f; // racy but benign: every thread computes the same bytes
        }
        return f.clone();
    }

    /** The certificate in plain words, as {@code skein cert show} prints it. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        HexFormat hex = HexFormat.of();
        s.append(ca ? "CA certificate\n" : "Node certificate\n");
        s.append("  name:         ").append(name).append('\n');
        s.append(ca ? "  network:      " : "  address:      ").append(address).append('\n');
        if (address6 != null) {
            s.append(ca ? "  network6:     " : "  address6:     ").append(address6).append('\n');
        }
        if (!ca) {
            s.append("  subnets:      ").append(subnets.isEmpty() ? "(none)" : join(subnets)).append('\n');
            s.append("  groups:       ").append(groups.isEmpty() ? "(none)" : String.join(", ", groups)).append('\n');
            s.append("  public key:   ").append(Curve25519.encodeBase64(x25519PublicKey)).append("  (X25519, WireGuard)\n");
        }
        s.append("  signing key:  ").append(Curve25519.encodeBase64(ed25519PublicKey)).append("  (Ed25519)\n");
        s.append("  valid from:   ").append(notBefore).append('\n');
        s.append("  valid until:  ").append(notAfter).append('\n');
        s.append("  fingerprint:  ").append(hex.formatHex(fingerprint()))
                .append(ca ? "\n" : "  (of the signing key: skein ca revoke --fingerprint takes it)\n");
        if (!ca) {
            s.append("  issuer:       ").append(hex.formatHex(issuer)).append('\n');
        }
        return s.toString();
    }

    private static String join(List<IpPrefix> prefixes) {
        return String.join(", ", prefixes.stream().map(IpPrefix::toString).toList());
    }
}
