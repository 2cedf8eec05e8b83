package dev.skein.protocol.noise;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.cookie.CookieChecker;
import dev.skein.protocol.cookie.CookieGenerator;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.wire.MessageType;
import dev.skein.protocol.wire.WireException;
import dev.skein.protocol.wire.WireException.Reason;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A full handshake between two in-memory peers, and every way a hostile message is turned away. */
class HandshakeTest {
    private final SecureRandom random = new SecureRandom();
    private final StaticIdentity alice = new StaticIdentity(Curve25519.generatePrivateKey(random));
    private final StaticIdentity bob = new StaticIdentity(Curve25519.generatePrivateKey(random));
    private final byte[] psk = new byte[32];

    private byte[] initiation(InitiatorHandshake[] holder, Instant when) throws WireException {
        byte[] msg = new byte[Layout.INITIATION_SIZE];
        holder[0] = InitiatorHandshake.create(alice, bob.publicKey(), psk, 7, Curve25519.generatePrivateKey(random),
                Tai64n.of(when), msg, 0);
        new CookieGenerator(bob.publicKey()).addMacs(msg, 0, msg.length, 0);
        return msg;
    }

    @Test
    void bothSidesDeriveMatchingKeys() throws Exception {
        InitiatorHandshake[] hs = new InitiatorHandshake[1];
        byte[] init = initiation(hs, Instant.now());
        assertEquals(MessageType.INITIATION, MessageType.of(ByteBuffer.wrap(init)));
        assertTrue(new CookieChecker(bob, random).checkMac1(init, 0, init.length));

        ResponderHandshake.Initiation consumed = ResponderHandshake.consumeInitiation(bob, init, 0, init.length);
        assertArrayEquals(alice.publicKey(), consumed.remoteStatic());
        byte[] resp = new byte[Layout.RESPONSE_SIZE];
        SessionKeys bobKeys = ResponderHandshake.createResponse(consumed, psk, 99, Curve25519.generatePrivateKey(random), resp, 0);
        new CookieGenerator(alice.publicKey()).addMacs(resp, 0, resp.length, 0);
        assertEquals(MessageType.RESPONSE, MessageType.of(ByteBuffer.wrap(resp)));
        assertTrue(new CookieChecker(alice, random).checkMac1(resp, 0, resp.length));

        SessionKeys aliceKeys = hs[0].consumeResponse(resp, 0, resp.length);
        assertArrayEquals(aliceKeys.sendKey(), bobKeys.receiveKey());
        assertArrayEquals(aliceKeys.receiveKey(), bobKeys.sendKey());
        assertFalse(Arrays.equals(aliceKeys.sendKey(), aliceKeys.receiveKey()));
        assertEquals(99, aliceKeys.remoteIndex());
        assertEquals(7, bobKeys.remoteIndex());
        assertTrue(aliceKeys.initiator());
        assertFalse(bobKeys.initiator());
    }

    @Test
    void aKeptStaticStaticSecretGivesTheSameSessionAndAStrangerCostsOneDh() throws Exception {
        byte[] ss = alice.agree(bob.publicKey());
        assertArrayEquals(ss, bob.agree(alice.publicKey()));
        byte[] ephemeral = Curve25519.generatePrivateKey(random);
        byte[] stamp = Tai64n.of(Instant.now());
        byte[] full = new byte[Layout.INITIATION_SIZE];
        byte[] kept = new byte[Layout.INITIATION_SIZE];
        InitiatorHandshake.create(alice, bob.publicKey(), psk, 7, ephemeral, stamp, full, 0);
        InitiatorHandshake.create(alice, bob.publicKey(), ss, psk, 7, ephemeral, stamp, kept, 0);
        assertArrayEquals(full, kept, "the kept secret is the one the full form computes");

        int[] asked = new int[1];
        ResponderHandshake.Initiation consumed = ResponderHandshake.consumeInitiation(bob, kept, 0, kept.length,
                remote -> {
                    asked[0]++;
                    return Arrays.equals(remote, alice.publicKey()) ? ss : null;
                });
        assertArrayEquals(alice.publicKey(), consumed.remoteStatic());
        assertEquals(1, asked[0]);
        WireException e = assertThrows(WireException.class,
                () -> ResponderHandshake.consumeInitiation(bob, kept, 0, kept.length, remote -> null));
        assertEquals(Reason.UNKNOWN_PEER, e.reason());
        assertEquals(Curve25519.encodeBase64(alice.publicKey()), e.detail());
    }

    @Test
    void everyTamperedInitiationByteIsRefused() throws Exception {
        byte[] init = initiation(new InitiatorHandshake[1], Instant.now());
        CookieChecker checker = new CookieChecker(bob, random);
        for (int i = 0; i < init.length; i++) {
            byte[] bad = init.clone();
            bad[i] ^= 0x40;
            boolean macOk = checker.checkMac1(bad, 0, bad.length);
            boolean consumed;
            try {
                ResponderHandshake.consumeInitiation(bob, bad, 0, bad.length);
                consumed = true;
            } catch (WireException e) {
                consumed = false;
            }
            if (i >= Layout.mac2Offset(init.length)) {
                // MAC2 is not checked unless under load; a flipped MAC2 alone changes nothing that is believed.
                assertTrue(macOk && consumed, "byte " + i);
            } else {
                assertFalse(macOk, "MAC1 must catch a flipped byte " + i);
                if (i >= Layout.INITIATION_EPHEMERAL && i < Layout.mac1Offset(init.length)) {
                    assertFalse(consumed, "the AEAD must catch a flipped byte " + i);
                }
            }
        }
    }

    @Test
    void everyTamperedResponseByteIsRefused() throws Exception {
        InitiatorHandshake[] hs = new InitiatorHandshake[1];
        byte[] init = initiation(hs, Instant.now());
        ResponderHandshake.Initiation consumed = ResponderHandshake.consumeInitiation(bob, init, 0, init.length);
        byte[] resp = new byte[Layout.RESPONSE_SIZE];
        ResponderHandshake.createResponse(consumed, psk, 99, Curve25519.generatePrivateKey(random), resp, 0);
        new CookieGenerator(alice.publicKey()).addMacs(resp, 0, resp.length, 0);
        CookieChecker checker = new CookieChecker(alice, random);
        for (int i = 0; i < Layout.mac1Offset(resp.length); i++) {
            byte[] bad = resp.clone();
            bad[i] ^= 0x01;
            assertFalse(checker.checkMac1(bad, 0, bad.length), "MAC1 must catch byte " + i);
            if (i == Layout.RESPONSE_SENDER || i == Layout.RESPONSE_SENDER + 1 || i == Layout.RESPONSE_SENDER + 2
                    || i == Layout.RESPONSE_SENDER + 3) {
                continue; // the sender index is not encrypted: only MAC1 covers it
            }
            byte[] attempt = bad;
            assertThrows(WireException.class, () -> hs[0].consumeResponse(attempt, 0, attempt.length), "byte " + i);
        }
        // After all those forgeries the genuine response still completes the handshake.
        assertNotNull(hs[0].consumeResponse(resp, 0, resp.length));
    }

    @Test
    void wrongPresharedKeyFailsTheResponse() throws Exception {
        InitiatorHandshake[] hs = new InitiatorHandshake[1];
        byte[] init = initiation(hs, Instant.now());
        ResponderHandshake.Initiation consumed = ResponderHandshake.consumeInitiation(bob, init, 0, init.length);
        byte[] resp = new byte[Layout.RESPONSE_SIZE];
        byte[] otherPsk = new byte[32];
        otherPsk[0] = 1;
        ResponderHandshake.createResponse(consumed, otherPsk, 99, Curve25519.generatePrivateKey(random), resp, 0);
        WireException e = assertThrows(WireException.class, () -> hs[0].consumeResponse(resp, 0, resp.length));
        assertEquals(Reason.DECRYPTION_FAILED, e.reason());
    }

    @Test
    void initiationForAnotherKeyIsRefused() throws Exception {
        byte[] init = initiation(new InitiatorHandshake[1], Instant.now());
        StaticIdentity mallory = new StaticIdentity(Curve25519.generatePrivateKey(random));
        assertFalse(new CookieChecker(mallory, random).checkMac1(init, 0, init.length));
        WireException e = assertThrows(WireException.class,
                () -> ResponderHandshake.consumeInitiation(mallory, init, 0, init.length));
        assertEquals(Reason.DECRYPTION_FAILED, e.reason());
    }

    @Test
    void responseForAnotherHandshakeIsUnexpected() throws Exception {
        InitiatorHandshake[] hs = new InitiatorHandshake[1];
        byte[] init = initiation(hs, Instant.now());
        ResponderHandshake.Initiation consumed = ResponderHandshake.consumeInitiation(bob, init, 0, init.length);
        byte[] resp = new byte[Layout.RESPONSE_SIZE];
        ResponderHandshake.createResponse(consumed, psk, 99, Curve25519.generatePrivateKey(random), resp, 0);
        resp[Layout.RESPONSE_RECEIVER] ^= 1;
        assertEquals(Reason.UNEXPECTED,
                assertThrows(WireException.class, () -> hs[0].consumeResponse(resp, 0, resp.length)).reason());
    }

    @Test
    void replayedInitiationCarriesAnOldTimestamp() throws Exception {
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        byte[] first = initiation(new InitiatorHandshake[1], t);
        byte[] later = initiation(new InitiatorHandshake[1], t.plusSeconds(1));
        byte[] tsFirst = ResponderHandshake.consumeInitiation(bob, first, 0, first.length).timestamp();
        byte[] tsLater = ResponderHandshake.consumeInitiation(bob, later, 0, later.length).timestamp();
        assertTrue(Tai64n.isAfter(tsFirst, null), "the first initiation from a peer is accepted");
        assertTrue(Tai64n.isAfter(tsLater, tsFirst));
        // A replay decrypts to the same timestamp as the one already accepted: not strictly after, refused.
        byte[] replayed = ResponderHandshake.consumeInitiation(bob, first, 0, first.length).timestamp();
        assertFalse(Tai64n.isAfter(replayed, tsLater));
        assertFalse(Tai64n.isAfter(replayed, tsFirst));
    }

    @Test
    void truncatedAndMalformedMessagesGiveAnErrorNotAnException() {
        byte[] init = new byte[Layout.INITIATION_SIZE];
        init[0] = 1;
        for (int len : new int[] {0, 1, 4, 147, 149}) {
            byte[] m = Arrays.copyOf(init, len);
            assertNull(MessageType.of(ByteBuffer.wrap(m)), "length " + len);
            WireException e = assertThrows(WireException.class, () -> ResponderHandshake.consumeInitiation(bob, m, 0, m.length));
            assertEquals(Reason.MALFORMED, e.reason());
        }
        byte[] withReserved = init.clone();
        withReserved[1] = 1;
        assertNull(MessageType.of(ByteBuffer.wrap(withReserved)), "reserved bytes must be zero");
        // All zeros except the type: a zero ephemeral key is a low-order point.
        WireException e = assertThrows(WireException.class, () -> ResponderHandshake.consumeInitiation(bob, init, 0, init.length));
        assertEquals(Reason.BAD_PUBLIC_KEY, e.reason());
    }

    @Test
    void randomGarbageOfEverySizeIsRefusedCleanly() {
        for (int len = 0; len <= 200; len++) {
            byte[] garbage = new byte[len];
            random.nextBytes(garbage);
            if (len >= 4) {
                garbage[0] = (byte) (1 + random.nextInt(2));
                garbage[1] = garbage[2] = garbage[3] = 0;
            }
            try {
                ResponderHandshake.consumeInitiation(bob, garbage, 0, len);
                fail("garbage of length " + len + " was accepted");
            } catch (WireException expected) {
                assertNotNull(expected.reason());
            }
        }
    }
}
