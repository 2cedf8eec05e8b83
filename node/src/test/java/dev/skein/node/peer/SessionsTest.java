package dev.skein.node.peer;

import static org.junit.jupiter.api.Assertions.*;

import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.Layout;
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
    private final IndexTable aliceIndices = new IndexTable(RANDOM);
    private final IndexTable bobIndices = new IndexTable(RANDOM);
    private final Sessions aliceSessions = new Sessions(alice, aliceIndices, RANDOM);
    private final Sessions bobSessions = new Sessions(bob, bobIndices, RANDOM);

    private static Peer peer(String name, StaticIdentity of) {
        return new Peer(name, of.publicKey(), new byte[32], null, List.of(), 0);
    }

    @Test
    void aCapturedInitiationIsRefusedEvenAfterThePeerIsMadeAgain() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        Peer aliceAtBob = peer("alice", alice);
        byte[] init = aliceSessions.createInitiation(bobAtAlice, 0, 0);
        Sessions.Answer answer = (Sessions.Answer) bobSessions.consumeInitiation(init, k -> aliceAtBob, 10 * SECOND);
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
        assertSame(aliceAgain, ((Sessions.Answer) bobSessions.consumeInitiation(fresh, k -> aliceAgain, 40 * SECOND)).peer());
    }

    @Test
    void anInitiationFromAKeyThatIsNoPeersIsRefusedAsUnknown() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        byte[] init = aliceSessions.createInitiation(bobAtAlice, 0, 0);
        WireException e = assertThrows(WireException.class, () -> bobSessions.consumeInitiation(init, k -> null, 0));
        assertEquals(WireException.Reason.UNKNOWN_PEER, e.reason());
        assertEquals(Curve25519.encodeBase64(alice.publicKey()), e.detail());
    }

    /** Bob's view of alice as a former member: no peer of his, but her record says she runs. */
    private Sessions.Senders formerAlice() {
        return new Sessions.Senders() {
            @Override
            public Peer peer(byte[] publicKey) {
                return null;
            }

            @Override
            public boolean formerPeer(byte[] publicKey) {
                return java.util.Arrays.equals(publicKey, alice.publicKey());
            }
        };
    }

    @Test
    void anInitiationFromAFormerPeerProvesItsSenderOnceAndOnlyIfFromItsKey() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        byte[] init = aliceSessions.createInitiation(bobAtAlice, 0, 0);
        // Bob has no peer for alice (he removed her): the initiation is checked against her key in full.
        byte[] tampered = init.clone();
        tampered[Layout.INITIATION_TIMESTAMP] ^= 1;
        assertEquals(WireException.Reason.DECRYPTION_FAILED, assertThrows(WireException.class,
                () -> bobSessions.consumeInitiation(tampered, formerAlice(), 0)).reason(), "altered: does not authenticate");
        StaticIdentity mallory = new StaticIdentity(Curve25519.generatePrivateKey(RANDOM));
        byte[] fromMallory = new Sessions(mallory, new IndexTable(RANDOM), RANDOM).createInitiation(peer("bob", bob), 0, 0);
        WireException stranger = assertThrows(WireException.class,
                () -> bobSessions.consumeInitiation(fromMallory, formerAlice(), 0));
        assertEquals(WireException.Reason.UNKNOWN_PEER, stranger.reason(), "another key's initiation proves nothing of alice");
        assertEquals(Curve25519.encodeBase64(mallory.publicKey()), stranger.detail());

        assertEquals(new Sessions.FormerPeerAlive(Curve25519.encodeBase64(alice.publicKey())),
                bobSessions.consumeInitiation(init, formerAlice(), 0));
        assertEquals(WireException.Reason.REPLAYED, assertThrows(WireException.class,
                () -> bobSessions.consumeInitiation(init, formerAlice(), 0)).reason(), "the same message proves nothing twice");
        // Nor does it count once she is a peer again.
        Peer aliceAgain = peer("alice", alice);
        WireException replayed = assertThrows(WireException.class,
                () -> bobSessions.consumeInitiation(init, k -> aliceAgain, 10 * SECOND));
        assertEquals(WireException.Reason.REPLAYED, replayed.reason());
        Thread.sleep(20); // TAI64N has a coarse clock: make the next timestamp later
        assertInstanceOf(Sessions.FormerPeerAlive.class, bobSessions.consumeInitiation(
                aliceSessions.createInitiation(bobAtAlice, 20 * SECOND, 0), formerAlice(), 20 * SECOND));
    }

    /** One full handshake alice to bob; returns bob's keypair (still "next" until alice's first message). */
    private Keypair[] handshake(Peer bobAtAlice, Peer aliceAtBob, long now) throws Exception {
        byte[] init = aliceSessions.createInitiation(bobAtAlice, now, 0);
        Sessions.Answer answer = (Sessions.Answer) bobSessions.consumeInitiation(init, k -> aliceAtBob, now);
        IndexTable.Entry entry = aliceIndices.get(java.nio.ByteBuffer.wrap(answer.response(), Layout.RESPONSE_RECEIVER, 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        Keypair atAlice = aliceSessions.consumeResponse(entry, answer.response(), now);
        return new Keypair[] {atAlice, aliceAtBob.keypairs.next};
    }

    @Test
    void theInitiatorUsesItsKeypairAtOnceTheResponderOnlyOnceTheInitiatorHasSpoken() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        Peer aliceAtBob = peer("alice", alice);
        Keypair[] pair = handshake(bobAtAlice, aliceAtBob, SECOND);
        assertSame(pair[0], bobAtAlice.current(), "alice may send at once");
        assertFalse(aliceSessions.handshakePending(bobAtAlice));
        assertNull(aliceAtBob.current(), "bob waits: the response may not have arrived");
        assertNotNull(pair[1]);
        assertArrayEquals(pair[0].sendKey(), pair[1].receiveKey());
        assertTrue(bobSessions.confirm(pair[1]), "alice's first transport message confirms it");
        assertSame(pair[1], aliceAtBob.current());
        assertFalse(bobSessions.confirm(pair[1]), "only once");
        assertTrue(aliceAtBob.lastHandshakeMillis() > 0);
    }

    @Test
    void eachHandshakeKeepsThePreviousKeypairDrainingAndForgetsTheOneBefore() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        Peer aliceAtBob = peer("alice", alice);
        Keypair first = handshake(bobAtAlice, aliceAtBob, SECOND)[0];
        Thread.sleep(20); // TAI64N's coarse clock
        Keypair second = handshake(bobAtAlice, aliceAtBob, 2 * SECOND)[0];
        assertSame(second, bobAtAlice.current());
        assertNotNull(aliceIndices.get(first.localIndex()), "the previous keypair still receives what was in flight");
        Thread.sleep(20);
        Keypair third = handshake(bobAtAlice, aliceAtBob, 3 * SECOND)[0];
        assertSame(third, bobAtAlice.current());
        assertNull(aliceIndices.get(first.localIndex()), "the one before the previous is gone");
        assertNotNull(aliceIndices.get(second.localIndex()));

        aliceSessions.expire(bobAtAlice, 3 * SECOND + 2_000, 1_000);
        assertNull(bobAtAlice.current(), "older than the limit: nothing may use it");
        assertEquals(0, aliceIndices.size(), "and no index names them any more");
    }

    @Test
    void anUnconfirmedNextIsReplacedByTheNextInitiationAndForgettingAPeerFreesEveryIndex() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        Peer aliceAtBob = peer("alice", alice);
        Keypair unconfirmed = handshake(bobAtAlice, aliceAtBob, SECOND)[1];
        Thread.sleep(20);
        Keypair replacement = handshake(bobAtAlice, aliceAtBob, 2 * SECOND)[1];
        assertNotSame(unconfirmed, replacement);
        assertFalse(bobSessions.confirm(unconfirmed), "a keypair no longer next confirms nothing");
        assertNull(bobIndices.get(unconfirmed.localIndex()));
        assertTrue(bobSessions.confirm(replacement));

        aliceSessions.createInitiation(bobAtAlice, 3 * SECOND, 0); // one pending as well
        aliceSessions.forget(bobAtAlice);
        bobSessions.forget(aliceAtBob);
        assertEquals(0, aliceIndices.size());
        assertEquals(0, bobIndices.size());
        assertNull(bobAtAlice.current());
        assertFalse(aliceSessions.handshakePending(bobAtAlice));
    }

    @Test
    void handshakesCompletingWhileAnotherThreadReadsAndExpiresNeitherDeadlockNorLoseTheSession() throws Exception {
        Peer bobAtAlice = peer("bob", bob);
        Peer aliceAtBob = peer("alice", alice);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        // The timers' side takes the keypairs' lock alone (expire) and the handshake's alone (its age); the
        // handshakes below take the handshake's, then the keypairs'. Bounded: 50 rounds, then the join.
        Thread timers = new Thread(() -> {
            while (!stop.get()) {
                aliceSessions.expire(bobAtAlice, 100 * SECOND, 1_000 * SECOND);
                aliceSessions.handshakeAgeNanos(bobAtAlice, 100 * SECOND);
                reads.incrementAndGet();
            }
        });
        timers.start();
        Keypair last = null;
        try {
            for (int i = 0; i < 50; i++) {
                Thread.sleep(20); // TAI64N's coarse clock: each initiation must be newer than the last
                last = handshake(bobAtAlice, aliceAtBob, (10 + i) * SECOND)[0];
            }
        } finally {
            stop.set(true);
            timers.join(10_000);
        }
        assertFalse(timers.isAlive(), "the other thread finished: no deadlock");
        assertTrue(reads.get() > 0);
        assertSame(last, bobAtAlice.current());
        assertEquals(2, aliceIndices.size(), "the current keypair and the previous one, nothing leaked");
    }
}
