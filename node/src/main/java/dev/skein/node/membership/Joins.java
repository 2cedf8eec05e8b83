package dev.skein.node.membership;

import dev.skein.node.Constants;
import dev.skein.protocol.member.JoinMessage;
import dev.skein.protocol.member.MemberRecord;
import dev.skein.protocol.member.MemberRejected;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Join messages, both ways: requests to the seeds until we are listed, replies to those who join through us, and
 * greetings that hand our certificate to members that may not know us yet (a handshake from an unknown key is
 * refused). Checks each message it gets (signatures, recipient, freshness) and remembers whom it exchanged joins
 * with lately, who joined through us (each is owed our record set), and which seed is which member.
 * Membership thread only; times passed in.
 */
final class Joins {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** Join requests: every second while we know no member, then every 15 s to seeds that are not members. */
    static final Duration RETRY = Duration.ofSeconds(1);
    static final Duration REFRESH = Duration.ofSeconds(15);
    /**
     * While we know no member but a seed answered us within {@link #REFRESH}: the seed holds us as a member for
     * its join grace ({@link MemberTable#JOIN_GRACE}, renewed by each request), and what we wait for now is its
     * gossip layer, which more requests do not hasten. Asked every second instead, in a 32-node start on two cores
     * the seed verified, signed and answered 207 requests in 20 s, about seven per newcomer, while its gossip layer
     * took up to ten seconds to list them (docs/SIMULATIONS.md, session 33).
     */
    static final Duration ANSWERED_RETRY = Duration.ofSeconds(4);
    /** A greeting's nonce is shared for this long: greeting a large mesh must not flood {@link FreshJoins}. */
    static final Duration GREETING_REUSE = Duration.ofSeconds(30);
    /** A record lists a few endpoints (local, public, IPv6): the first ones are the likeliest. */
    static final int MAX_GREETED_ENDPOINTS = 4;

    private final Supplier<Membership.Settings> settings;
    private final OwnRecord own;
    private final MemberPeers peers;
    private final Refusals refusals;
    private final String self;
    private final FreshJoins freshJoins = new FreshJoins(new SecureRandom());
    private final Map<InetSocketAddress, String> seedNames = new HashMap<>();
    /** Members we exchanged join messages with lately (name to System.nanoTime()): they already know us. */
    private final Map<String, Long> recent = new HashMap<>();
    /** Members that joined through us lately (name to System.nanoTime()): each is owed our record set. */
    private final Map<String, Long> newcomers = new HashMap<>();
    private long lastSentNanos = Constants.NEVER;
    private long seedAnsweredNanos = Constants.NEVER;
    private byte[] greetingNonce;
    private long greetingNonceNanos;

    Joins(Supplier<Membership.Settings> settings, OwnRecord own, MemberPeers peers, Refusals refusals) {
        this.settings = settings;
        this.own = own;
        this.peers = peers;
        this.refusals = refusals;
        this.self = settings.get().self().name();
    }

    /**
     * A join message; {@code from} is null when it came through a relay (the sender's address is unknown).
     * Answers a request, learns from a reply; returns the verified message for the caller to install its sender,
     * or null when it was refused or is none of our business.
     */
    JoinMessage handle(byte[] datagram, InetSocketAddress from, long now, Instant wall) {
        Membership.Settings s = settings.get();
        JoinMessage j;
        try {
            j = JoinMessage.verify(datagram, s.verifier(), wall);
        } catch (MemberRejected e) {
            refusals.refuse("join from " + (from == null ? "a relay" : from.getAddress().getHostAddress()),
                    e.getMessage(), now);
            return null;
        }
        if (j.name().equals(self)) {
            if (from != null) {
                seedNames.put(from, self); // one of our seeds is ourselves
            }
            return null;
        }
        if (!j.addressedTo(s.self().x25519PublicKey())) {
            log.debug("join from {} ({}) ignored: addressed to another member", from, j.name()); // a replayed copy
            return null;
        }
        String stale = freshJoins.refusal(j, now);
        if (stale != null) {
            // A replay (or a duplicate): it must not extend a member's grace, undo a goodbye, or teach us an
            // address. Seen on every lost-and-resent greeting too, so no warning.
            log.debug("join from {} ({}) ignored: {}", from, j.name(), stale);
            return null;
        }
        recent.put(j.name(), now);
        if (!j.reply() && !j.greeting()) {
            newcomers.put(j.name(), now);
        }
        if (from == null) {
            // A greeting passed on by a relay: its certificate is all we need; its record brings the rest.
        } else if (j.reply()) {
            // A reply to a greeting comes from a member, not a seed: only a configured seed's word is trusted alone
            // about our own endpoint (ObservedEndpoints), so only a configured seed's reply names one.
            if (s.seeds().contains(from)) {
                seedAnsweredNanos = now;
                if (!j.name().equals(seedNames.put(from, j.name()))) {
                    log.info("seed {} is {} ({})", from, j.name(), j.certificate().address().address());
                }
            }
            if (j.observed() != null) {
                own.observe(j.observed(), j.name(), isSeed(j.name()), now, wall.toEpochMilli());
            }
        } else {
            byte[] reply = JoinMessage.reply(s.self(), s.gossipPort(), from, wall, own.record().incarnation(), j)
                    .relaying(s.relay()).encode(s.signingKey());
            if (reply.length <= datagram.length) { // never send more than we received
                peers.sendDatagram(reply, from);
            }
            log.debug("{} at {} joins through us", j.name(), from);
        }
        return j;
    }

    /**
     * A member we learned of from others may not know us yet, and a handshake from an unknown key is refused.
     * So we hand it our certificate first, in a greeting to its endpoint, as a joiner does with a seed; unless we
     * exchanged joins lately.
     */
    void greet(MemberRecord r, long now, Instant wall) {
        Long last = recent.get(r.name());
        if (last != null && now - last < REFRESH.toNanos()) {
            return;
        }
        recent.put(r.name(), now);
        // Straight, or through a relay when it is behind NAT.
        peers.sendDatagram(greeting(r.certificate().x25519PublicKey(), now, wall), r.name());
    }

    /**
     * A member we believe (its record says it runs) but neither list nor hold as a peer: SWIM's probe, asked again
     * by {@link Rediscovery}, has no session to travel in, and the member may have dropped us as well, so neither
     * side would start a handshake and each would wait for the other's gossip for good (in a 32-node formation on
     * two cores, two members held each other so for minutes). A greeting to its endpoints, outside the overlay,
     * asks it to answer: alive, it replies, and each becomes the other's peer for the join grace, time enough for
     * a handshake. Rediscovery's backoff bounds how often; a member behind NAT, reached only through a relay, is
     * not greeted this way.
     */
    void greetAtEndpoints(MemberRecord r, long now, Instant wall) {
        byte[] greeting = greeting(r.certificate().x25519PublicKey(), now, wall);
        r.endpoints().stream().limit(MAX_GREETED_ENDPOINTS).forEach(e -> peers.sendDatagram(greeting, e));
    }

    /**
     * A signed greeting addressed to the member holding {@code recipient}: a copy replayed to another is void. One
     * signature per greeting; the nonce its replies echo is shared for {@link #GREETING_REUSE}.
     */
    private byte[] greeting(byte[] recipient, long now, Instant wall) {
        if (greetingNonce == null || now - greetingNonceNanos > GREETING_REUSE.toNanos()) {
            greetingNonce = freshJoins.newRequestNonce(now);
            greetingNonceNanos = now;
        }
        Membership.Settings s = settings.get();
        return JoinMessage.greeting(s.self(), s.gossipPort(), wall, own.record().incarnation(), greetingNonce,
                recipient).relaying(s.relay()).encode(s.signingKey());
    }

    /**
     * Join requests to the seeds that are not listed members: every {@link #RETRY} while none is (every
     * {@link #ANSWERED_RETRY} once a seed answered), else {@link #REFRESH}.
     */
    void sendRequests(long now, Instant wall, Set<String> listed) {
        Membership.Settings s = settings.get();
        boolean answered = now - seedAnsweredNanos < REFRESH.toNanos();
        long interval = (!listed.isEmpty() ? REFRESH : answered ? ANSWERED_RETRY : RETRY).toNanos();
        if (s.seeds().isEmpty() || now - lastSentNanos < interval) {
            return;
        }
        lastSentNanos = now;
        byte[] request = JoinMessage.request(s.self(), s.gossipPort(), wall, own.record().incarnation(),
                freshJoins.newRequestNonce(now)).relaying(s.relay()).encode(s.signingKey());
        for (InetSocketAddress seed : s.seeds()) {
            String name = seedNames.get(seed);
            if (self.equals(name) || own.localEndpoints().contains(seed) || (name != null && listed.contains(name))) {
                continue;
            }
            peers.sendDatagram(request, seed);
        }
    }

    /** Forgets the exchanges older than {@link #REFRESH}. */
    void expire(long now) {
        recent.values().removeIf(t -> now - t > REFRESH.toNanos());
        newcomers.values().removeIf(t -> now - t > REFRESH.toNanos());
    }

    /** The member is gone: if it comes back, it is a stranger to be greeted again. */
    void forget(String name) {
        recent.remove(name);
        newcomers.remove(name);
    }

    /** Our certificate changed: greet everyone anew (each takes it from the greeting); seeds are asked now. */
    void renewed() {
        recent.clear();
    }

    /** The seeds may have changed: the next tick asks them. */
    void askSeedsNow() {
        lastSentNanos = Constants.NEVER;
    }

    /** True if {@code member} answered us as one of our configured seeds. */
    boolean isSeed(String member) {
        return seedNames.containsValue(member);
    }

    /** True if {@code name} joined through us lately (it is owed our record set). */
    boolean isNewcomer(String name) {
        return newcomers.containsKey(name);
    }
}
