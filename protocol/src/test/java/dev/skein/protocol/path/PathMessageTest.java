package dev.skein.protocol.path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.wire.MessageType;
import dev.skein.protocol.wire.WireException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PathMessageTest {
    private final SecureRandom random = new SecureRandom();
    private final StaticIdentity a = new StaticIdentity(Curve25519.generatePrivateKey(random));
    private final StaticIdentity b = new StaticIdentity(Curve25519.generatePrivateKey(random));
    private final StaticIdentity c = new StaticIdentity(Curve25519.generatePrivateKey(random));

    @Test
    void bothEndsDeriveTheSameKeyAndAThirdCannot() {
        byte[] ab = PathMessage.pathKey(a, b.publicKey());
        assertArrayEquals(ab, PathMessage.pathKey(b, a.publicKey()));
        assertEquals(false, java.util.Arrays.equals(ab, PathMessage.pathKey(c, a.publicKey())));
    }

    @Test
    void pongCarriesTheObservedEndpoint() throws Exception {
        byte[] key = PathMessage.pathKey(a, b.publicKey());
        InetSocketAddress seen = new InetSocketAddress("198.18.0.2", 40123);
        PathMessage pong = new PathMessage(PathMessage.Kind.PONG, PathMessage.keyId(b.publicKey()), 77L, 1_796_000_000_000_000L, seen);
        byte[] wire = pong.encode(key);
        assertEquals(PathMessage.SIZE, wire.length);
        assertEquals(MessageType.PATH, MessageType.of(ByteBuffer.wrap(wire)));
        assertEquals(PathMessage.keyId(b.publicKey()), PathMessage.senderId(wire));
        assertEquals(pong, PathMessage.open(wire, key));
    }

    @Test
    void pingWithoutAddressAndIpv6Address() throws Exception {
        byte[] key = PathMessage.pathKey(a, b.publicKey());
        PathMessage ping = new PathMessage(PathMessage.Kind.PING, 1, -5L, 3L, null);
        assertNull(PathMessage.open(ping.encode(key), key).address());
        PathMessage call = new PathMessage(PathMessage.Kind.CALL_ME_MAYBE, 1, 2, 4,
                new InetSocketAddress("2001:db8::1", 51820));
        assertEquals(call, PathMessage.open(call.encode(key), key));
        PathMessage accept = new PathMessage(PathMessage.Kind.PUNCH_ACCEPT, 1, 2, 5,
                new InetSocketAddress("198.18.0.3", 51820));
        assertEquals(accept, PathMessage.open(accept.encode(key), key));
    }

    @Test
    void forgedOrAlteredMessagesAreRefused() {
        byte[] key = PathMessage.pathKey(a, b.publicKey());
        byte[] wire = new PathMessage(PathMessage.Kind.PONG, 9, 9, 9,
                new InetSocketAddress("198.18.0.2", 1)).encode(key);
        // Someone without the key (c) cannot make one that opens.
        byte[] forged = new PathMessage(PathMessage.Kind.PONG, 9, 9, 9, null).encode(PathMessage.pathKey(c, b.publicKey()));
        assertEquals(WireException.Reason.BAD_MAC1,
                assertThrows(WireException.class, () -> PathMessage.open(forged, key)).reason());
        for (int i = 0; i < wire.length; i++) {
            byte[] flipped = wire.clone();
            flipped[i] ^= 1;
            assertThrows(WireException.class, () -> PathMessage.open(flipped, key), "byte " + i);
        }
        assertThrows(WireException.class, () -> PathMessage.open(new byte[10], key));
    }

    @Test
    void relayHeaderNamesBothEndsAndFitsOneEthernetFrame() {
        byte[] inner = {4, 0, 0, 0, 1, 2, 3, 4};
        byte[] wrapped = RelayHeader.wrap(inner, 0x1122334455667788L, -2L);
        ByteBuffer buf = ByteBuffer.wrap(wrapped);
        assertEquals(MessageType.RELAY, MessageType.of(ByteBuffer.wrap(RelayHeader.wrap(new byte[4], 1, 2))));
        assertEquals(0x1122334455667788L, RelayHeader.destination(buf));
        assertEquals(-2L, RelayHeader.source(buf));
        assertEquals(inner.length + RelayHeader.SIZE, wrapped.length);
        // 1420-byte overlay MTU: 1420 + 32 (transport) + 20 (relay) + 28 (UDP/IPv4) = 1500.
        assertEquals(1500, 1420 + 32 + RelayHeader.SIZE + 28);
        assertNull(MessageType.of(ByteBuffer.wrap(new byte[] {7, 0, 0, 0, 1})));
    }
}
