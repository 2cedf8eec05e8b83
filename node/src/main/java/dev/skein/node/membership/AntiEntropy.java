package dev.skein.node.membership;

import com.google.protobuf.ByteString;
import dev.skein.protocol.cert.RevocationList;
import dev.skein.protocol.proto.RecordSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Anti-entropy: whom our whole set of records (ours, the members' we believe alive, and the revocation lists) goes
 * to. The newly listed members that joined through us (a newcomer learns the whole mesh from its seed) and, every
 * {@link #INTERVAL}, one random member. Not every newly listed member: when many start at once each is new to
 * every other, and greetings between members would then cost N x N record sets of O(N) bytes each.
 * Membership thread only; times passed in.
 */
final class AntiEntropy {
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final Set<String> syncedWith = new HashSet<>();
    private final Random random;
    private long lastSyncNanos;

    AntiEntropy(Random random) {
        this.random = random;
    }

    /** The members to send our record set to now; {@code newcomer}: it joined through us lately. */
    List<String> targets(long now, Set<String> listed, boolean listChanged, Predicate<String> newcomer) {
        List<String> targets = new ArrayList<>();
        for (String name : listChanged ? listed : Set.<String>of()) {
            if (syncedWith.add(name) && newcomer.test(name)) {
                targets.add(name);
            }
        }
        if (now - lastSyncNanos > INTERVAL.toNanos() && !listed.isEmpty()) {
            lastSyncNanos = now;
            List<String> all = new ArrayList<>(listed);
            String pick = all.get(random.nextInt(all.size()));
            if (!targets.contains(pick)) {
                targets.add(pick);
            }
        }
        return targets;
    }

    /** The gossip layer lists these members now: the others, if they come back, are new again. */
    void listed(Set<String> listed) {
        syncedWith.retainAll(listed);
    }

    /** A record set: our signed record first, then the revocation lists, then the members' signed records. */
    static byte[] recordSet(byte[] own, List<RevocationList> revocations, Iterable<byte[]> records) {
        RecordSet.Builder set = RecordSet.newBuilder().addRecords(ByteString.copyFrom(own));
        for (RevocationList r : revocations) {
            set.addRevocations(ByteString.copyFrom(r.encoded()));
        }
        for (byte[] signed : records) {
            set.addRecords(ByteString.copyFrom(signed));
        }
        return set.build().toByteArray();
    }
}
