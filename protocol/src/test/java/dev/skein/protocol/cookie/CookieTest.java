package dev.skein.protocol.cookie;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.Vectors;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.InitiatorHandshake;
import dev.skein.protocol.noise.Layout;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.noise.Tai64n;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The cookie mechanism under load: reply, MAC2, expiry, and forged replies. */
class CookieTest {
    private static final long SECOND = 1_000_000_000L;
    private final SecureRandom random = new SecureRandom();
    private final StaticIdentity initiator = new StaticIdentity(Curve25519.generatePrivateKey(random));
    private final StaticIdentity responder = new StaticIdentity(Curve25519.generatePrivateKey(random));
    private final byte[] source = {(byte) 198, 18, 0, 1, (byte) 0xca, 0x6c};

    private byte[] initiation(CookieGenerator gen, long now) throws Exception {
        byte[] msg = new byte[Layout.INITIATION_SIZE];
        InitiatorHandshake.create(initiator, responder.publicKey(), new byte[32], 1,
                Curve25519.generatePrivateKey(random), Tai64n.of(Instant.now()), msg, 0);
        gen.addMacs(msg, 0, msg.length, now);
        return msg;
    }

    @Test
    void underLoadTheInitiatorEarnsACookieAndThenPassesMac2() throws Exception {
        CookieChecker checker = new CookieChecker(responder, random);
        CookieGenerator gen = new CookieGenerator(responder.publicKey());
        byte[] first = initiation(gen, 0);
        assertTrue(checker.checkMac1(first, 0, first.length));
        assertFalse(checker.checkMac2(first, 0, first.length, source, 0), "no cookie yet");

        byte[] reply = checker.createReply(first, 0, first.length, source, 0);
        assertEquals(CookieReply.SIZE, reply.length);
        assertTrue(gen.consumeReply(reply, 0, reply.length, SECOND));

        byte[] second = initiation(gen, 2 * SECOND);
        assertTrue(checker.checkMac2(second, 0, second.length, source, 2 * SECOND));
        byte[] elsewhere = {(byte) 198, 18, 0, 2, (byte) 0xca, 0x6c};
        assertFalse(checker.checkMac2(second, 0, second.length, elsewhere, 2 * SECOND), "cookie is bound to the source");
    }

    @Test
    void cookiesExpireAfterTwoMinutes() throws Exception {
        CookieChecker checker = new CookieChecker(responder, random);
        CookieGenerator gen = new CookieGenerator(responder.publicKey());
        byte[] first = initiation(gen, 0);
        byte[] reply = checker.createReply(first, 0, first.length, source, 0);
        assertTrue(gen.consumeReply(reply, 0, reply.length, 0));
        byte[] late = initiation(gen, 121 * SECOND);
        assertArrayEquals(new byte[16], java.util.Arrays.copyOfRange(late, 132, 148), "stale cookie: MAC2 zero");
        assertFalse(checker.checkMac2(late, 0, late.length, source, 121 * SECOND));
    }

    @Test
    void forgedOrUnsolicitedRepliesAreIgnored() throws Exception {
        CookieChecker checker = new CookieChecker(responder, random);
        CookieGenerator gen = new CookieGenerator(responder.publicKey());
        byte[] msg = initiation(gen, 0);
        byte[] reply = checker.createReply(msg, 0, msg.length, source, 0);
        for (int i = 0; i < reply.length; i++) {
            if (i >= 4 && i < 8) {
                continue; // the receiver index only routes the reply to the peer
            }
            byte[] bad = reply.clone();
            bad[i] ^= 1;
            assertFalse(gen.consumeReply(bad, 0, bad.length, 0), "byte " + i);
        }
        assertFalse(gen.consumeReply(reply, 0, 63, 0), "truncated");
        assertTrue(gen.consumeReply(reply, 0, reply.length, 0));
        assertFalse(gen.consumeReply(reply, 0, reply.length, 0), "a reply is taken once");
        assertFalse(new CookieGenerator(responder.publicKey()).consumeReply(reply, 0, reply.length, 0),
                "no message was sent, so no reply is expected");
    }

    /** The reply and MAC2 derived by the Python implementation open and verify here. */
    @Test
    void independentCookieReplyOpens() throws Exception {
        Vectors v = Vectors.wireguard();
        StaticIdentity r = new StaticIdentity(v.bytes("responder_static_private"));
        CookieGenerator gen = new CookieGenerator(r.publicKey());
        byte[] init = v.bytes("initiation");
        byte[] resend = init.clone();
        gen.addMacs(resend, 0, resend.length, 0);
        assertArrayEquals(init, resend, "MAC1 as derived independently, MAC2 zero");
        byte[] reply = v.bytes("cookie_reply");
        assertTrue(gen.consumeReply(reply, 0, reply.length, 0));
        gen.addMacs(resend, 0, resend.length, 1);
        assertArrayEquals(v.bytes("initiation_with_mac2"), resend);
    }
}
