package dev.skein.protocol.member;

import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateRejected;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.crypto.Ed25519Keys;
import dev.skein.protocol.proto.Endpoint;
import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The rule shared by records and join messages: a body is believed only if the certificate inside it verifies
 * against the mesh CA and the body is signed by the Ed25519 key that certificate names. Each kind of message
 * signs under its own context string, so a signature made for one kind can never pass as another.
 */
final class SelfSigned {
    private SelfSigned() {}

    static byte[] sign(String context, byte[] body, byte[] ed25519PrivateKey) {
        return Ed25519Keys.sign(ed25519PrivateKey, withContext(context, body));
    }

    /** Verifies the certificate, then the signature over body; returns the certificate. */
    static Certificate verify(String context, byte[] body, byte[] signature, byte[] certificate,
                              CertificateVerifier verifier, Instant now) throws MemberRejected {
        Certificate cert;
        try {
            cert = verifier.verify(certificate, now);
        } catch (CertificateRejected e) {
            throw new MemberRejected(e);
        }
        if (!Ed25519Keys.verify(cert.ed25519PublicKey(), withContext(context, body), signature)) {
            throw new MemberRejected(MemberRejected.Reason.BAD_SIGNATURE, "'" + cert.name() + "'");
        }
        return cert;
    }

    private static byte[] withContext(String context, byte[] body) {
        byte[] prefix = (context + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        return message;
    }

    static Endpoint toProto(InetSocketAddress a) {
        return Endpoint.newBuilder().setIp(ByteString.copyFrom(a.getAddress().getAddress())).setPort(a.getPort())
                .build();
    }

    static InetSocketAddress fromProto(Endpoint e) throws MemberRejected {
        byte[] ip = e.getIp().toByteArray();
        if ((ip.length != 4 && ip.length != 16) || e.getPort() == 0 || e.getPort() > 65535) {
            throw new MemberRejected(MemberRejected.Reason.MALFORMED, "bad endpoint");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), e.getPort()); // no lookup: raw bytes
        } catch (UnknownHostException impossible) {
            throw new MemberRejected(MemberRejected.Reason.MALFORMED, "bad endpoint");
        }
    }
}
