package dev.skein.node.dns;

import dev.skein.node.membership.Membership;
import dev.skein.protocol.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The names of this node and the members it believes alive, as membership's latest snapshot has them: rebuilt
 * only when the snapshot changes (membership replaces it after every change), so a query costs a lookup.
 */
public final class MemberNames implements Supplier<MeshNames> {
    private final String domain;
    private final Supplier<Certificate> self;
    private final Supplier<Membership.Snapshot> snapshots;
    private Membership.Snapshot seen;
    private Certificate seenSelf;
    private MeshNames names;

    /** {@code self}: our certificate as of now (a reload may renew it). */
    public MemberNames(String domain, Supplier<Certificate> self, Supplier<Membership.Snapshot> snapshots) {
        this.domain = domain;
        this.self = self;
        this.snapshots = snapshots;
    }

    @Override
    public synchronized MeshNames get() {
        Membership.Snapshot now = snapshots.get();
        Certificate me = self.get();
        if (names == null || now != seen || me != seenSelf) {
            List<MeshNames.Member> members = new ArrayList<>();
            members.add(new MeshNames.Member(me, true));
            for (Membership.MemberView m : now.members()) {
                members.add(new MeshNames.Member(m.certificate(), m.granted()));
            }
            names = MeshNames.of(domain, members);
            seen = now;
            seenSelf = me;
        }
        return names;
    }
}
