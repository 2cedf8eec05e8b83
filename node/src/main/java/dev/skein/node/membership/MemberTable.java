package dev.skein.node.membership;

import dev.skein.node.Constants;
import dev.skein.protocol.member.MemberRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The verified records this node holds, and the rule that decides which members are alive. Pure logic: time
 * and the data plane's "last heard" are passed in, so every rule is unit-tested.
 *
 * <p>A member is alive unless it said goodbye (a signed leaving record) or its certificate has expired, and
 * while any of these holds: the gossip layer lists it; it joined through us moments ago (its gossip has not
 * arrived yet), or its record is new to us (first seen, or from a new run) and our gossip layer has not probed it
 * yet; or the data plane authenticated a packet from it within {@link #SILENCE}. So a gossip layer
 * that drops a member (possibly because a forged unauthenticated UDP gossip packet said so) removes it only
 * once the data plane has heard nothing from it either; and a member that died is removed as soon as both
 * agree. A member removed while it is alive counts as heard again when it sends us a fresh, authenticated
 * handshake initiation ({@link #heardInHandshake}): the data plane has no peer for it then, so only this tells.
 */
final class MemberTable {
    static final Duration SILENCE = Duration.ofSeconds(2);
    static final Duration JOIN_GRACE = Duration.ofSeconds(5);
    /** Records of members gone this long are forgotten, so the table stays bounded. */
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    /**
     * Versions are a node's wall clock in milliseconds: one further ahead of ours than this is refused, so a stolen
     * key cannot publish a version no later record could beat (2^64-1) and pin its record for good.
     */
    static final Duration MAX_VERSION_AHEAD = Duration.ofMinutes(10);

    enum Offer { NEW, UPDATED, RESTARTED, LEFT, STALE }

    private static final class Entry {
        MemberRecord record;
        boolean inGossip;
        long joinedAtNanos = Constants.NEVER;
        long lastLiveNanos;
        /** When an authenticated, fresh handshake initiation last came from it while it was not our peer. */
        long handshakeNanos = Constants.NEVER;
    }

    private final String self;
    private final java.util.function.LongSupplier wallMillis;
    private final Map<String, Entry> entries = new HashMap<>();

    MemberTable(String self) {
        this(self, System::currentTimeMillis);
    }

    /** {@code wallMillis}: the wall clock that bounds record versions (tests move it). */
    MemberTable(String self, java.util.function.LongSupplier wallMillis) {
        this.self = self;
        this.wallMillis = wallMillis;
    }

    /**
     * A verified record: kept if it is newer than what we hold. Newer means a later certificate (later
     * not-before: a renewal beats every record of the certificate it replaces, so a stolen old key loses once the
     * member is renewed), then, for the same not-before, a greater version; a version more than
     * {@link #MAX_VERSION_AHEAD} ahead of our clock is refused.
     */
    Offer offer(MemberRecord r, long nowNanos) {
        if (r.name().equals(self)
                || Long.compareUnsigned(r.version(), wallMillis.getAsLong() + MAX_VERSION_AHEAD.toMillis()) > 0) {
            return Offer.STALE;
        }
        Entry e = entries.get(r.name());
        if (e != null) {
            int byCertificate = r.certificate().notBefore().compareTo(e.record.certificate().notBefore());
            if (byCertificate < 0 || byCertificate == 0 && Long.compareUnsigned(r.version(), e.record.version()) <= 0) {
                return Offer.STALE;
            }
        }
        boolean isNew = e == null;
        if (isNew) {
            e = new Entry();
            e.lastLiveNanos = nowNanos;
            entries.put(r.name(), e);
        }
        MemberRecord old = e.record;
        e.record = r;
        if (r.leaving()) {
            return Offer.LEFT;
        }
        Offer result = isNew || old.leaving() ? Offer.NEW
                : old.incarnation() != r.incarnation() && old.version() != 0 ? Offer.RESTARTED : Offer.UPDATED;
        if (result != Offer.UPDATED) {
            // A member new to us, or back from a restart: believed for the grace period, until our gossip layer
            // has probed it and lists it (that ends the grace), or the grace runs out.
            e.joinedAtNanos = nowNanos;
        }
        return result;
    }

    /** A member that just completed a join exchange with us: believed for {@link #JOIN_GRACE} until its gossip. */
    void joined(MemberRecord provisional, long nowNanos) {
        Entry e = entries.get(provisional.name());
        if (e != null && e.record.leaving()
                && Long.compareUnsigned(provisional.incarnation(), e.record.incarnation()) <= 0) {
            return; // a join of the run that said goodbye (a replay, or a late datagram) cannot bring it back
        }
        if (e == null) {
            offer(provisional, nowNanos);
            e = entries.get(provisional.name());
        } else if (e.record.leaving() || renews(provisional, e.record)) {
            // Back after a goodbye, or with a renewed certificate (new key or expiry) proven by the join's
            // signature: the join's certificate counts now, else its handshakes under a new key would be refused
            // until its gossip got through. Keep the held version: only records newer than it count.
            MemberRecord p = provisional;
            // The join's incarnation too: a renewal within the same run is no restart (whose sessions would be reset).
            // The offer of optional checksums is known only from the run's own records (a join does not say it).
            boolean sameRun = p.incarnation() == e.record.incarnation() && !e.record.leaving();
            e.record = new MemberRecord(p.certificate(), e.record.version(), p.incarnation(), p.endpoints(),
                    p.gossipPort(), p.relay(), false, sameRun && e.record.tcpChecksumOptional());
        }
        if (e != null) {
            e.joinedAtNanos = nowNanos;
        }
    }

    private static boolean renews(MemberRecord joined, MemberRecord held) {
        return !held.certificate().sameAs(joined.certificate())
                && !joined.certificate().notBefore().isBefore(held.certificate().notBefore());
    }

    /** The names the gossip layer lists now. */
    void gossipLists(Set<String> names) {
        entries.forEach((name, e) -> {
            e.inGossip = names.contains(name);
            if (e.inGossip) {
                e.joinedAtNanos = Constants.NEVER; // the grace has served: from now on gossip decides
            }
        });
    }

    /**
     * The records of the members alive now (see the class comment). Also sets {@link #nextChangeNanos}: the
     * earliest time at which the answer may change with time alone.
     */
    List<MemberRecord> alive(long nowNanos, Instant wallNow, ToLongFunction<String> lastHeardNanos) {
        return alive(nowNanos, wallNow, lastHeardNanos, SILENCE);
    }

    /**
     * The same with {@code silence} in place of {@link #SILENCE}: how long an unlisted member may go unheard. A
     * node whose own probes come back late waits longer (see {@code Membership#apply}).
     */
    List<MemberRecord> alive(long nowNanos, Instant wallNow, ToLongFunction<String> lastHeardNanos,
                             Duration silence) {
        List<MemberRecord> alive = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        boolean keptBySilence = false;
        long next = nowNanos + FORGET_AFTER.toNanos();
        for (Map.Entry<String, Entry> item : entries.entrySet()) {
            Entry e = item.getValue();
            if (!runs(e.record, wallNow)) {
                next = forgetOrWait(item.getKey(), e, nowNanos, next, forget);
                continue;
            }
            // A listed member stays alive until an event (the gossip layer's, a record's) says otherwise; an
            // unlisted one only until its grace and its silence have both run out.
            if (!e.inGossip) {
                long graceLeft = e.joinedAtNanos + JOIN_GRACE.toNanos() - nowNanos;
                long heard = latest(lastHeardNanos.applyAsLong(item.getKey()), e.handshakeNanos);
                long silenceLeft = heard + silence.toNanos() - nowNanos;
                long left = Math.max(graceLeft, silenceLeft);
                if (left <= 0) {
                    next = forgetOrWait(item.getKey(), e, nowNanos, next, forget);
                    continue;
                }
                next = earliest(next, nowNanos + left);
                keptBySilence |= silenceLeft > graceLeft;
            }
            e.lastLiveNanos = nowNanos;
            alive.add(e.record);
            Duration valid = Duration.between(wallNow, e.record.certificate().notAfter());
            if (valid.compareTo(FORGET_AFTER) < 0) {
                next = earliest(next, nowNanos + valid.toNanos() + 1);
            }
        }
        forget.forEach(entries::remove);
        forgotLastTime = !forget.isEmpty();
        waitingOnSilence = keptBySilence;
        nextChangeNanos = next;
        return alive;
    }

    /**
     * When the last {@link #alive} may change with time alone: a grace or a silence running out, a certificate
     * expiring, a record to forget. Until then only an event changes it (a record, a join, the gossip layer's
     * list, a packet heard from a member not listed), so a large mesh at rest is not applied again and again.
     */
    long nextChangeNanos() {
        return nextChangeNanos;
    }

    private long nextChangeNanos = Long.MIN_VALUE;
    private boolean forgotLastTime;
    private boolean waitingOnSilence;

    /**
     * True if the last {@link #alive} kept a member only because it was heard within the silence it was given:
     * a shorter silence (its caller's host caught up) may remove it before {@link #nextChangeNanos}.
     */
    boolean waitingOnSilence() {
        return waitingOnSilence;
    }

    /** True if the last {@link #alive} forgot a member (gone {@link #FORGET_AFTER}): what is kept of it can go too. */
    boolean forgotLastTime() {
        return forgotLastTime;
    }

    /** A member not alive now: forgotten once gone {@link #FORGET_AFTER}; returns the next change with its own. */
    private static long forgetOrWait(String name, Entry e, long nowNanos, long next, List<String> forget) {
        long forgetAt = e.lastLiveNanos + FORGET_AFTER.toNanos();
        if (forgetAt - nowNanos < 0) {
            forget.add(name);
            return next;
        }
        return earliest(next, forgetAt + 1);
    }

    private static long earliest(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    private static long latest(long a, long b) {
        return a - b >= 0 ? a : b;
    }

    /**
     * {@code name}, not our peer now, sent us an authenticated handshake initiation newer than any before it: it
     * is alive, whatever the gossip layer says, so it counts as heard from now (the data plane, having no peer
     * for it, could not count it). Without this, a live member removed on a false suspicion had its handshakes
     * ignored, could not be reached to be probed again, and stayed out until the gossip layer listed it again:
     * in a 32-node formation, three pairs never made a session in three minutes (docs/SIMULATIONS.md, session 28).
     */
    void heardInHandshake(String name, long nowNanos) {
        Entry e = entries.get(name);
        if (e != null) {
            e.handshakeNanos = nowNanos;
        }
    }

    /** Whether {@code record} says its member runs at {@code wallNow}: no goodbye, and its certificate valid. */
    static boolean runs(MemberRecord record, Instant wallNow) {
        return !record.leaving() && !wallNow.isAfter(record.certificate().notAfter());
    }

    /** The members whose records say they run (no goodbye, certificate valid) but whom the gossip layer does not list. */
    List<String> unlisted(Instant wallNow) {
        List<String> out = new ArrayList<>();
        entries.forEach((name, e) -> {
            if (!e.inGossip && runs(e.record, wallNow)) {
                out.add(name);
            }
        });
        return out;
    }

    MemberRecord record(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.record;
    }

    Collection<String> names() {
        return List.copyOf(entries.keySet());
    }
}
