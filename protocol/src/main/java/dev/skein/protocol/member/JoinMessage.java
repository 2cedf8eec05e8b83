package dev.skein.protocol.member;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.proto.JoinBody;
import dev.skein.protocol.proto.SignedJoin;
import dev.skein.protocol.wire.MessageType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * The join exchange (message type 5). A WireGuard handshake needs the responder's static key in advance, but a
 * joining node knows its seeds only by endpoint. So it first sends a join request holding its CA-signed
 * certificate, signed with its node key; the seed checks both, learns the joiner as a peer, and replies the same
 * way with its own certificate and the source address it saw (the joiner's public endpoint). From then on the
 * two are ordinary peers: the joiner's first gossip packet starts the handshake.
 *
 * <pre>
 *  type=5 | 0 0 0 | SignedJoin (protobuf): body, signature, padding
 * </pre>
 *
 * Every join message, request, greeting or reply, is padded to exactly {@link #SIZE} bytes: a seed never answers
 * with more bytes than the request had (the exchange cannot amplify a spoofed request), and a receiver drops a
 * datagram of any other size before it costs anything.
 */
public record JoinMessage(Certificate certificate, boolean reply, long unixMillis, int gossipPort,
                          InetSocketAddress observed, boolean greeting, long incarnation, byte[] nonce,
                          byte[] recipient, boolean relay) {
    private static final byte[] ANYONE = new byte[0];

    /** The size of a request's nonce, which its reply echoes. */
    public static final int NONCE_SIZE = 16;

    static final String CONTEXT = "skein join v1";
    public static final int SIZE = 1200;
    /** Requests and replies older (or newer) than this are refused: a captured one cannot be replayed later. */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);

    /** A newcomer's request to its seed; {@code nonce} ({@link #NONCE_SIZE} random bytes) comes back in the reply. */
    public static JoinMessage request(Certificate own, int gossipPort, Instant now, long incarnation, byte[] nonce) {
        return new JoinMessage(own, false, now.toEpochMilli(), gossipPort, null, false, incarnation, nonce.clone(),
                ANYONE, false);
    }

    /**
     * A member's request to one it learned of through gossip, which may not know it yet; answered like a request.
     * Addressed to {@code recipient} (its static X25519 key): no other member takes it.
     */
    public static JoinMessage greeting(Certificate own, int gossipPort, Instant now, long incarnation, byte[] nonce,
                                       byte[] recipient) {
        return new JoinMessage(own, false, now.toEpochMilli(), gossipPort, null, true, incarnation, nonce.clone(),
                recipient.clone(), false);
    }

    /** A seed's answer to {@code request}: bound to it by its nonce and addressed to its sender. */
    public static JoinMessage reply(Certificate own, int gossipPort, InetSocketAddress observed, Instant now,
                                    long incarnation, JoinMessage request) {
        return new JoinMessage(own, true, now.toEpochMilli(), gossipPort, observed, false, incarnation,
                request.nonce.clone(), request.certificate().x25519PublicKey(), false);
    }

    /** The same message saying whether its sender relays for others. */
    public JoinMessage relaying(boolean relays) {
        return new JoinMessage(certificate, reply, unixMillis, gossipPort, observed, greeting, incarnation, nonce,
                recipient, relays);
    }

    /** False if this message names a recipient other than the holder of {@code staticKey}: a copy sent elsewhere. */
    public boolean addressedTo(byte[] staticKey) {
        return recipient.length == 0 || java.util.Arrays.equals(recipient, staticKey);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    public String name() {
        return certificate.name();
    }

    /** The whole datagram, signed with the sender's Ed25519 key, padded to {@link #SIZE}. */
    public byte[] encode(byte[] ed25519PrivateKey) {
        JoinBody.Builder b = JoinBody.newBuilder().setCertificate(ByteString.copyFrom(certificate.encoded()))
                .setReply(reply).setUnixMillis(unixMillis).setGossipPort(gossipPort).setGreeting(greeting)
                .setIncarnation(incarnation).setNonce(ByteString.copyFrom(nonce))
                .setRecipient(ByteString.copyFrom(recipient)).setRelay(relay);
        if (observed != null) {
            b.setObserved(SelfSigned.toProto(observed));
        }
        byte[] body = b.build().toByteArray();
        SignedJoin.Builder signed = SignedJoin.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(SelfSigned.sign(CONTEXT, body, ed25519PrivateKey)));
        // The padding field's own tag and length take a few bytes: converge on exactly SIZE.
        int pad = Math.max(0, SIZE - 4 - signed.build().getSerializedSize());
        for (int i = 0; i < 4 && pad >= 0; i++) {
            signed.setPadding(ByteString.copyFrom(new byte[pad]));
            int excess = 4 + signed.build().getSerializedSize() - SIZE;
            if (excess == 0) {
                break;
            }
            pad -= excess;
        }
        byte[] proto = signed.build().toByteArray();
        if (4 + proto.length != SIZE) {
            throw new IllegalStateException("join message of " + (4 + proto.length) + " bytes, not " + SIZE
                    + ": the certificate is too large");
        }
        byte[] datagram = new byte[4 + proto.length];
        datagram[0] = (byte) MessageType.JOIN.code();
        System.arraycopy(proto, 0, datagram, 4, proto.length);
        return datagram;
    }

    /** Decodes and verifies a whole join datagram (header included) at time {@code now}. */
    public static JoinMessage verify(byte[] datagram, CertificateVerifier verifier, Instant now)
            throws MemberRejected {
        if (datagram.length != MessageType.JOIN.size() || datagram[0] != MessageType.JOIN.code()
                || datagram[1] != 0 || datagram[2] != 0 || datagram[3] != 0) {
            throw new MemberRejected(MemberRejected.Reason.MALFORMED, "not a join message");
        }
        try {
            SignedJoin signed = SignedJoin.parseFrom(ByteString.copyFrom(datagram, 4, datagram.length - 4));
            byte[] body = signed.getBody().toByteArray();
            JoinBody j = JoinBody.parseFrom(body);
            Certificate cert = SelfSigned.verify(CONTEXT, body, signed.getSignature().toByteArray(),
                    j.getCertificate().toByteArray(), verifier, now);
            long age = now.toEpochMilli() - j.getUnixMillis();
            if (Math.abs(age) > MAX_AGE.toMillis()) {
                throw new MemberRejected(MemberRejected.Reason.STALE,
                        "'" + cert.name() + "' sent it " + Duration.ofMillis(age).toSeconds() + " s ago");
            }
            if (j.getGossipPort() == 0 || j.getGossipPort() > 65535) {
                throw new MemberRejected(MemberRejected.Reason.MALFORMED, "'" + cert.name() + "': gossip port");
            }
            InetSocketAddress observed = j.hasObserved() ? SelfSigned.fromProto(j.getObserved()) : null;
            boolean greeting = j.getGreeting() && !j.getReply();
            byte[] nonce = j.getNonce().toByteArray();
            if (nonce.length != NONCE_SIZE) {
                throw new MemberRejected(MemberRejected.Reason.MALFORMED, "'" + cert.name() + "': no nonce");
            }
            byte[] recipient = j.getRecipient().toByteArray();
            if (recipient.length != 0 && recipient.length != 32) {
                throw new MemberRejected(MemberRejected.Reason.MALFORMED, "'" + cert.name() + "': recipient");
            }
            return new JoinMessage(cert, j.getReply(), j.getUnixMillis(), j.getGossipPort(), observed, greeting,
                    j.getIncarnation(), nonce, recipient, j.getRelay());
        } catch (InvalidProtocolBufferException e) {
            throw new MemberRejected(MemberRejected.Reason.MALFORMED, "not a join message");
        }
    }
}
