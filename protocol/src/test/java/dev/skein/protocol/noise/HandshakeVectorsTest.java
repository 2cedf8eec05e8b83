package dev.skein.protocol.noise;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.Vectors;
import dev.skein.protocol.cookie.CookieGenerator;
import dev.skein.protocol.transport.TransportAead;
import dev.skein.protocol.transport.TransportAeads;
import dev.skein.protocol.transport.TransportMessage;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Replays the exchange that protocol/src/test/vectors/wireguard_vectors.py derived from the WireGuard paper with
 * another crypto stack (Python, OpenSSL): every byte Skein writes must be the same.
 */
class HandshakeVectorsTest {
    private final Vectors v;
    private final StaticIdentity initiator;
    private final StaticIdentity responder;

    HandshakeVectorsTest() throws Exception {
        v = Vectors.wireguard();
        initiator = new StaticIdentity(v.bytes("initiator_static_private"));
        responder = new StaticIdentity(v.bytes("responder_static_private"));
    }

    private InitiatorHandshake initiate(byte[] out) throws Exception {
        InitiatorHandshake hs = InitiatorHandshake.create(initiator, responder.publicKey(), v.bytes("preshared_key"),
                (int) v.number("initiator_index"), v.bytes("initiator_ephemeral_private"), v.bytes("timestamp"), out, 0);
        new CookieGenerator(responder.publicKey()).addMacs(out, 0, out.length, 0);
        return hs;
    }

    @Test
    void initiationIsByteForByteTheIndependentOne() throws Exception {
        byte[] out = new byte[Layout.INITIATION_SIZE];
        initiate(out);
        assertArrayEquals(v.bytes("initiation"), out);
    }

    @Test
    void responderReadsTheIndependentInitiationAndWritesTheIndependentResponse() throws Exception {
        byte[] msg = v.bytes("initiation");
        ResponderHandshake.Initiation init = ResponderHandshake.consumeInitiation(responder, msg, 0, msg.length);
        assertArrayEquals(initiator.publicKey(), init.remoteStatic());
        assertArrayEquals(v.bytes("timestamp"), init.timestamp());
        assertEquals((int) v.number("initiator_index"), init.remoteIndex());

        byte[] out = new byte[Layout.RESPONSE_SIZE];
        SessionKeys keys = ResponderHandshake.createResponse(init, v.bytes("preshared_key"),
                (int) v.number("responder_index"), v.bytes("responder_ephemeral_private"), out, 0);
        new CookieGenerator(initiator.publicKey()).addMacs(out, 0, out.length, 0);
        assertArrayEquals(v.bytes("response"), out);
        assertArrayEquals(v.bytes("initiator_send_key"), keys.receiveKey());
        assertArrayEquals(v.bytes("initiator_receive_key"), keys.sendKey());
    }

    @Test
    void initiatorDerivesTheIndependentTransportKeys() throws Exception {
        InitiatorHandshake hs = initiate(new byte[Layout.INITIATION_SIZE]);
        byte[] response = v.bytes("response");
        SessionKeys keys = hs.consumeResponse(response, 0, response.length);
        assertArrayEquals(v.bytes("initiator_send_key"), keys.sendKey());
        assertArrayEquals(v.bytes("initiator_receive_key"), keys.receiveKey());
        assertEquals((int) v.number("responder_index"), keys.remoteIndex());
        assertEquals((int) v.number("initiator_index"), keys.localIndex());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "bouncycastle"})
    void transportMessageIsTheIndependentOne(String provider) {
        TransportAead aead = TransportAeads.create(provider);
        ByteBuffer packet = ByteBuffer.allocate(64);
        packet.put(v.bytes("transport_plaintext")).flip();
        TransportMessage.pad(packet, 1420);
        ByteBuffer out = ByteBuffer.allocateDirect(128);
        int n = TransportMessage.seal(aead, v.bytes("initiator_send_key"), (int) v.number("responder_index"),
                v.number("transport_counter"), packet, out);
        byte[] written = new byte[n];
        out.flip().get(written);
        assertArrayEquals(v.bytes("transport"), written);

        ByteBuffer plain = ByteBuffer.allocate(64);
        ByteBuffer msg = ByteBuffer.wrap(v.bytes("transport"));
        int len = TransportMessage.open(aead, v.bytes("initiator_send_key"), msg, plain);
        assertEquals(32, len, "28-byte packet padded to 32");
        byte[] expected = java.util.Arrays.copyOf(v.bytes("transport_plaintext"), 32);
        assertArrayEquals(expected, java.util.Arrays.copyOf(plain.array(), len));
    }
}
