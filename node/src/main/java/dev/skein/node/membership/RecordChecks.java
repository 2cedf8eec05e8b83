package dev.skein.node.membership;

import com.google.protobuf.ByteString;
import dev.skein.protocol.member.MemberRecord;
import dev.skein.protocol.member.MemberRejected;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every membership record is checked here before it counts: from the gossip layer (the record must be its
 * sender's own, gossiped from its certificate's address), from the record sets members push (byte-identical
 * ones we hold are skipped), and goodbyes. What passes goes to the {@link MemberTable}, and is kept signed, as
 * it goes on to others in our record sets. Membership thread only; times passed in.
 */
final class RecordChecks {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** A record set holds at most this many records: the rest of a larger one is ignored. */
    static final int MAX_RECORDS_PER_SET = 4096;

    private final Supplier<Membership.Settings> settings;
    private final MemberTable table;
    private final MeshDiscovery discovery;
    private final Refusals refusals;
    /** The gossip layer's record text per member as last checked: unchanged text is not checked again. */
    private final Map<String, String> checkedText = new HashMap<>();
    private final Map<String, byte[]> signed = new HashMap<>();

    RecordChecks(Supplier<Membership.Settings> settings, MemberTable table, MeshDiscovery discovery, Refusals refusals) {
        this.settings = settings;
        this.table = table;
        this.discovery = discovery;
        this.refusals = refusals;
    }

    /** A member as the gossip layer lists it: checked if its record changed; true if so (accepted or not). */
    boolean fromGossip(Gossip.Listed m, long now, Instant wall) {
        if (m.record() == null || m.record().equals(checkedText.get(m.name()))) {
            return false;
        }
        checkedText.put(m.name(), m.record());
        String who = "gossip member '" + m.name() + "'";
        MemberRecord r;
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(m.record());
            r = MemberRecord.verify(bytes, settings.get().verifier(), wall);
        } catch (IllegalArgumentException e) {
            refusals.refuse(who, "malformed record", now);
            return true;
        } catch (MemberRejected e) {
            refusals.refuse(who, e.getMessage(), now);
            return true;
        }
        if (!r.name().equals(m.name())) {
            refusals.refuse(who, "carries the record of '" + r.name() + "': a node may speak only for itself", now);
            return true;
        }
        if (!r.certificate().address().address().equals(m.host())) {
            refusals.refuse(who, "gossips from " + m.host() + ", not from its certificate's address "
                    + r.certificate().address().address(), now);
            return true;
        }
        offer(r, bytes, now);
        return true;
    }

    /** The gossip layer lists only these now: what it said of the others is forgotten. */
    void listed(Set<String> names) {
        checkedText.keySet().retainAll(names);
    }

    /** The records of a record set a member pushed: each checked on its own, unless we hold it already. */
    void fromSet(List<ByteString> records, long now, Instant wall) {
        // Most of a set is what we hold already: skip those byte-identical records instead of checking two
        // signatures each (at hundreds of members, that is most of the membership thread's work).
        Set<ByteBuffer> held = new HashSet<>();
        signed.values().forEach(r -> held.add(ByteBuffer.wrap(r)));
        int n = 0;
        for (ByteString b : records) {
            if (++n > MAX_RECORDS_PER_SET) {
                break;
            }
            if (held.contains(b.asReadOnlyByteBuffer())) {
                continue;
            }
            try {
                MemberRecord r = MemberRecord.verify(b.toByteArray(), settings.get().verifier(), wall);
                offer(r, b.toByteArray(), now);
            } catch (MemberRejected e) {
                refusals.refuse("a synced record", e.getMessage(), now);
            }
        }
    }

    /** A member's signed goodbye, sent to us directly: true if it is one and was taken. */
    boolean goodbye(byte[] bytes, long now, Instant wall) {
        try {
            MemberRecord r = MemberRecord.verify(bytes, settings.get().verifier(), wall);
            if (r.leaving()) {
                offer(r, bytes, now);
                return true;
            }
        } catch (MemberRejected e) {
            refusals.refuse("a goodbye", e.getMessage(), now);
        }
        return false;
    }

    /** The member's record as signed, for our record sets; null if we hold none. */
    byte[] signed(String name) {
        return signed.get(name);
    }

    /** Drops what we keep of members the table no longer knows (gone for long). */
    void forgetAllBut(Set<String> known) {
        for (String name : List.copyOf(signed.keySet())) {
            if (!known.contains(name)) {
                signed.remove(name);
                discovery.forget(name);
            }
        }
    }

    private MemberTable.Offer offer(MemberRecord r, byte[] bytes, long now) {
        MemberTable.Offer o = table.offer(r, now);
        switch (o) {
            case NEW -> log.debug("record of {} (version {})", r.name(), r.version());
            case RESTARTED -> log.info("{} restarted", r.name());
            case LEFT -> {
                log.info("{} left the mesh", r.name());
                discovery.forget(r.name());
            }
            case UPDATED, STALE -> { }
        }
        if (o != MemberTable.Offer.STALE) {
            signed.put(r.name(), bytes);
            if (o != MemberTable.Offer.LEFT) {
                discovery.offer(r.name(), r.certificate().address().address(), r.gossipPort());
            }
        }
        return o;
    }
}
