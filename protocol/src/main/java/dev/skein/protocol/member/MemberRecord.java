package dev.skein.protocol.member;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.proto.Endpoint;
import dev.skein.protocol.proto.RecordBody;
import dev.skein.protocol.proto.SignedRecord;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one node tells the mesh about itself: its certificate, where it can be reached, whether it relays, whether
 * senders may leave out TCP checksums ({@code tcpChecksumOptional}: it never reads them, the tunnel's tag proves a
 * packet whole), and whether it is leaving. The node signs the record with its own key; receivers believe it only
 * through {@link #verify}, so a member can repeat another's record but never change it, and a higher
 * {@link #version()} always wins.
 */
public record MemberRecord(Certificate certificate, long version, long incarnation,
                           List<InetSocketAddress> endpoints, int gossipPort, boolean relay, boolean leaving,
                           boolean tcpChecksumOptional) {
    static final String CONTEXT = "skein record v1";
    /** Bounds what a record may carry, so a member cannot make others store or forward megabytes. */
    public static final int MAX_ENDPOINTS = 16;
    public static final int MAX_ENCODED_SIZE = 4096;

    public MemberRecord {
        endpoints = List.copyOf(endpoints);
        if (endpoints.size() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException("more than " + MAX_ENDPOINTS + " endpoints");
        }
    }

    /** A record that offers no optional checksums: what a join tells of its sender, and older nodes' records. */
    public MemberRecord(Certificate certificate, long version, long incarnation, List<InetSocketAddress> endpoints,
                        int gossipPort, boolean relay, boolean leaving) {
        this(certificate, version, incarnation, endpoints, gossipPort, relay, leaving, false);
    }

    public String name() {
        return certificate.name();
    }

    /** The same record with a new version and a leaving flag: the goodbye a node sends when it stops. */
    public MemberRecord leavingAt(long newVersion) {
        return new MemberRecord(certificate, newVersion, incarnation, endpoints, gossipPort, relay, true,
                tcpChecksumOptional);
    }

    /** Serializes and signs the record with the node's Ed25519 private key. */
    public byte[] sign(byte[] ed25519PrivateKey) {
        RecordBody.Builder b = RecordBody.newBuilder().setCertificate(ByteString.copyFrom(certificate.encoded()))
                .setVersion(version).setIncarnation(incarnation).setGossipPort(gossipPort).setRelay(relay)
                .setLeaving(leaving).setTcpChecksumOptional(tcpChecksumOptional);
        endpoints.forEach(e -> b.addEndpoints(SelfSigned.toProto(e)));
        byte[] body = b.build().toByteArray();
        return SignedRecord.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(SelfSigned.sign(CONTEXT, body, ed25519PrivateKey)))
                .build().toByteArray();
    }

    /**
     * Decodes a signed record and believes it only if its certificate verifies against the CA at {@code now} and
     * the record is signed by the key that certificate names.
     */
    public static MemberRecord verify(byte[] signed, CertificateVerifier verifier, Instant now)
            throws MemberRejected {
        if (signed.length > MAX_ENCODED_SIZE) {
            throw new MemberRejected(MemberRejected.Reason.MALFORMED, signed.length + " bytes");
        }
        try {
            SignedRecord outer = SignedRecord.parseFrom(signed);
            byte[] body = outer.getBody().toByteArray();
            RecordBody r = RecordBody.parseFrom(body);
            Certificate cert = SelfSigned.verify(CONTEXT, body, outer.getSignature().toByteArray(),
                    r.getCertificate().toByteArray(), verifier, now);
            if (r.getEndpointsCount() > MAX_ENDPOINTS || r.getGossipPort() == 0 || r.getGossipPort() > 65535) {
                throw new MemberRejected(MemberRejected.Reason.MALFORMED, "'" + cert.name() + "': bad endpoints");
            }
            List<InetSocketAddress> endpoints = new ArrayList<>();
            for (Endpoint e : r.getEndpointsList()) {
                endpoints.add(SelfSigned.fromProto(e));
            }
            return new MemberRecord(cert, r.getVersion(), r.getIncarnation(), endpoints, r.getGossipPort(),
                    r.getRelay(), r.getLeaving(), r.getTcpChecksumOptional());
        } catch (InvalidProtocolBufferException e) {
            throw new MemberRejected(MemberRejected.Reason.MALFORMED, "not a record");
        }
    }
}
