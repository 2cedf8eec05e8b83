package dev.skein.node.dataplane;

import dev.skein.node.Constants;
import static org.junit.jupiter.api.Assertions.*;

import dev.skein.node.dataplane.Admission.Verdict;
import dev.skein.protocol.cookie.CookieChecker;
import dev.skein.protocol.cookie.CookieGenerator;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.noise.Layout;
import dev.skein.protocol.noise.StaticIdentity;
import dev.skein.protocol.wire.Bytes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order of the receive path's checks, and the budgets of handshake and join messages, without sockets. */
class AdmissionTest {
    private static final long MS = 1_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final StaticIdentity local = new StaticIdentity(Curve25519.generatePrivateKey(RANDOM));
    private final CookieChecker checker = new CookieChecker(local, RANDOM);
    private final Set<InetAddress> known = new HashSet<>();
    private final Admission admission = new Admission(checker, known::contains);

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    /** A 148-byte initiation of random content whose MAC1 is right (as anyone knowing our public key can make). */
    private byte[] initiation(CookieGenerator macs, long now) {
        byte[] msg = new byte[Layout.INITIATION_SIZE];
        RANDOM.nextBytes(msg);
        Bytes.putIntLE(msg, 0, 1);
        macs.addMacs(msg, 0, msg.length, now);
        return msg;
    }

    private int count(Verdict wanted, int tries, InetSocketAddress from, long now) {
        CookieGenerator macs = new CookieGenerator(local.publicKey());
        int n = 0;
        for (int i = 0; i < tries; i++) {
            if (admission.handshake(initiation(macs, now), from, 0, now) == wanted) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aWrongMac1IsRefusedFirstAndCostsTheSourceNothing() {
        InetSocketAddress attacker = at("198.18.0.66", 1000);
        long now = 10_000 * MS;
        byte[] garbage = new byte[Layout.INITIATION_SIZE];
        for (int i = 0; i < 500; i++) {
            RANDOM.nextBytes(garbage);
            assertEquals(Verdict.BAD_MAC, admission.handshake(garbage, attacker, 0, now));
        }
        // Neither the source's bucket nor the load count was touched: a good message still passes, no cookie asked.
        assertEquals(Constants.HANDSHAKE_BURST, count(Verdict.ADMIT, Constants.HANDSHAKE_BURST, attacker, now));
    }

    @Test
    void eachSourceHasItsOwnHandshakeBudgetKeyedByAddressNotPort() {
        long now = 10_000 * MS;
        int admitted = 0;
        for (int port = 1; port <= 100; port++) {
            admitted += count(Verdict.ADMIT, 1, at("198.18.0.66", port), now);
        }
        assertEquals(Constants.HANDSHAKE_BURST, admitted, "a hundred ports of one host are one source");
        assertEquals(Constants.HANDSHAKE_BURST, count(Verdict.ADMIT, 50, at("198.18.0.7", 51820), now),
                "an honest neighbour keeps its budget");
        // One second later the flooding host has earned one second's worth again, never more.
        assertEquals(Constants.HANDSHAKE_BURST, count(Verdict.ADMIT, 100, at("198.18.0.66", 1), now + 1000 * MS));
    }

    @Test
    void underLoadACookieIsAskedBeforeTheBudgetAndAValidOnePasses() {
        long now = 10_000 * MS;
        // More than HANDSHAKES_UNDER_LOAD in one second, from many sources (each within its own budget).
        int admitted = 0;
        for (int host = 1; host <= Constants.HANDSHAKES_UNDER_LOAD / 4 + 1; host++) {
            admitted += count(Verdict.ADMIT, 4, at("198.19.0." + host, 1), now);
        }
        assertEquals(Constants.HANDSHAKES_UNDER_LOAD, admitted, "beyond the load threshold MAC2 is required");
        InetSocketAddress from = at("198.18.0.9", 4000);
        CookieGenerator macs = new CookieGenerator(local.publicKey());
        byte[] first = initiation(macs, now);
        assertEquals(Verdict.SEND_COOKIE, admission.handshake(first, from, 0, now));
        byte[] reply = admission.cookieReply(first, from, now);
        assertTrue(macs.consumeReply(reply, 0, reply.length, now), "the reply opens for the sender");
        assertEquals(Verdict.ADMIT, admission.handshake(initiation(macs, now), from, 0, now),
                "with the cookie for its address it passes");
        byte[] elsewhere = initiation(macs, now);
        assertEquals(Verdict.SEND_COOKIE, admission.handshake(elsewhere, at("198.18.0.9", 4001), 0, now),
                "a cookie is bound to the address and port it was sent to");
        // With a cookie, the per-source budget still holds: a spoofer that receives cannot exceed it.
        int passed = 1;
        for (int i = 0; i < 50; i++) {
            if (admission.handshake(initiation(macs, now), from, 0, now) == Verdict.ADMIT) {
                passed++;
            }
        }
        assertEquals(Constants.HANDSHAKE_BURST, passed);
    }

    @Test
    void relayedHandshakesAreBudgetedPerForwardedMember() {
        long now = 10_000 * MS;
        InetSocketAddress relay = at("198.18.0.1", 51820);
        CookieGenerator macs = new CookieGenerator(local.publicKey());
        int a = 0;
        int b = 0;
        for (int i = 0; i < 20; i++) {
            a += admission.handshake(initiation(macs, now), relay, 0x1111L, now) == Verdict.ADMIT ? 1 : 0;
            b += admission.handshake(initiation(macs, now), relay, 0x2222L, now) == Verdict.ADMIT ? 1 : 0;
        }
        // Each member: its burst, then (proven by the relay, which cannot pass a cookie on) its second bucket.
        assertEquals(2 * Constants.HANDSHAKE_BURST, a);
        assertEquals(2 * Constants.HANDSHAKE_BURST, b, "two members behind one relay do not share a budget");
    }

    @Test
    void oneFloodingHostNeverPutsTheNodeUnderLoad() {
        long now = 10_000 * MS;
        InetSocketAddress flooder = at("198.18.0.66", 1000);
        assertEquals(Constants.HANDSHAKE_BURST, count(Verdict.ADMIT, 2000, flooder, now));
        assertEquals(0, count(Verdict.ADMIT, 100, flooder, now), "its excess is never admitted");
        assertEquals(1, count(Verdict.ADMIT, 1, at("198.18.0.5", 51820), now),
                "a newcomer's first initiation needs no cookie round trip");
    }

    @Test
    void aSpooferThatDrainsAnHonestAddressCannotLockItOut() {
        long now = 10_000 * MS;
        InetSocketAddress honest = at("198.18.0.5", 51820);
        count(Verdict.ADMIT, 100, honest, now); // spoofed in the honest host's name: its bucket is empty
        CookieGenerator macs = new CookieGenerator(local.publicKey());
        byte[] first = initiation(macs, now);
        assertEquals(Verdict.SEND_COOKIE, admission.handshake(first, honest, 0, now));
        byte[] reply = admission.cookieReply(first, honest, now);
        assertTrue(macs.consumeReply(reply, 0, reply.length, now)); // only the real host receives it
        assertEquals(Verdict.ADMIT, admission.handshake(initiation(macs, now), honest, 0, now));
    }

    @Test
    void aFloodingStrangerCannotStarveNewcomersOrMembers() throws Exception {
        long now = 10_000 * MS;
        InetSocketAddress stranger = at("198.18.0.66", 9999);
        int flood = 0;
        for (int i = 0; i < 5000; i++) {
            flood += admission.join(stranger, 0, now) ? 1 : 0;
        }
        assertEquals(Constants.STRANGER_BURST, flood, "one stranger gets its own burst, no more");
        assertTrue(admission.join(at("198.18.0.20", 51820), 0, now), "a newcomer from another address joins");
        InetAddress member = InetAddress.getByName("198.18.0.3");
        known.add(member);
        int greetings = 0;
        for (int i = 0; i < 100; i++) {
            greetings += admission.join(new InetSocketAddress(member, 51820), 0, now) ? 1 : 0;
        }
        assertEquals(Constants.JOINS_PER_KNOWN_SOURCE, greetings, "a member's budget is its own");
        // After a second the stranger earns JOINS_PER_STRANGER again.
        int later = 0;
        for (int i = 0; i < 100; i++) {
            later += admission.join(stranger, 0, now + 1000 * MS) ? 1 : 0;
        }
        assertEquals(Constants.STRANGER_BURST, later, "a second refills the stranger's bucket up to its burst");
    }

    @Test
    void allStrangersTogetherAreBounded() {
        long now = 10_000 * MS;
        int passed = 0;
        for (int host = 0; host < 2000; host++) {
            passed += admission.join(at("198.19." + host / 250 + "." + host % 250, 1), 0, now) ? 1 : 0;
        }
        assertEquals(Constants.JOINS_FROM_STRANGERS, passed, "spoofed sources share one budget");
        assertTrue(admission.join(at("198.18.0.1", 1), 0x42L, now), "a relayed member's join is not a stranger's");
    }
}
