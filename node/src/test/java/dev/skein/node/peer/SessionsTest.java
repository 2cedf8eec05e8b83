package dev.skein.node.peer;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.wire.WireException;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two nodes' Sessions talking through byte arrays: handshakes and their replay protection, without sockets. */
class SessionsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long SECOND = 1_000_000_000L;
    private final StaticIdentity alice = new StaticIdentity(Curve25519.generatePrivateKey(RANDOM));
    private final StaticIdentity bob = new StaticIdentity(Curve25519.generatePrivateKey(RANDOM));
    private final Sessions aliceSessions = new Sessions(alice, new IndexTable(RANDOM), RANDOM);
    private final Sessions bobSessions = new Sessions(bob, new IndexTable(RANDOM), RANDOM);

    private static Peer peer(String name, StaticIdentity of) {
        return new Peer(name, of.publicKey(), new byte[32], null, List.of(), 0);
    }

    @Test
    void aCapturedInitiationIsRefusedEvenAfterThePeerIsMadeAgain() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        Peer aliceAtBob = peer("alice", alice);
        byte[] init = aliceSessions.createInitiation(bobAtAlice, 0, 0);
        Sessions.Answer answer = bobSessions.consumeInitiation(init, k -> aliceAtBob, 10 * SECOND);
        assertSame(aliceAtBob, answer.peer());
        WireException again = assertThrows(WireException.class,
                () -> bobSessions.consumeInitiation(init, k -> aliceAtBob, 20 * SECOND));
        assertEquals(WireException.Reason.REPLAYED, again.reason());

        // alice leaves and comes back: bob drops her peer object and makes a new one with the same key.
        bobSessions.forget(aliceAtBob);
        Peer aliceAgain = peer("alice", alice);
        WireException replayed = assertThrows(WireException.class,
                () -> bobSessions.consumeInitiation(init, k -> aliceAgain, 30 * SECOND));
        assertEquals(WireException.Reason.REPLAYED, replayed.reason(), "the old initiation must not count again");

        // Her fresh initiation is accepted as usual.
        Thread.sleep(20); // TAI64N has a coarse clock: make the next timestamp later
        byte[] fresh = aliceSessions.createInitiation(bobAtAlice, 40 * SECOND, 0);
        assertSame(aliceAgain, bobSessions.consumeInitiation(fresh, k -> aliceAgain, 40 * SECOND).peer());
    }

    @Test
    void anInitiationFromAKeyThatIsNoPeersIsRefusedAsUnknown() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        byte[] init = aliceSessions.createInitiation(bobAtAlice, 0, 0);
        WireException e = assertThrows(WireException.class, () -> bobSessions.consumeInitiation(init, k -> null, 0));
        assertEquals(WireException.Reason.UNKNOWN_PEER, e.reason());
        assertEquals(Curve25519.encodeBase64(alice.publicKey()), e.detail());
    }
}
