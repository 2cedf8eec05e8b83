package dev.skein.node.membership;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.member.MemberRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the data plane's peers equal to the members alive now, each with the prefixes the claims rule grants it
 * ({@link Claims}): installs the new and the changed, greets the new ({@link Joins}), removes the gone and says
 * why, and keeps the members' view for the control socket. Membership thread only; times passed in.
 */
final class PeerInstaller {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private record Installed(long version, long incarnation, List<IpPrefix> granted, Certificate certificate) {
        boolean same(MemberRecord r, List<IpPrefix> grants) {
            return version == r.version() && granted.equals(grants) && certificate.sameAs(r.certificate());
        }
    }

    private final Supplier<Membership.Settings> settings;
    private final MemberPeers peers;
    private final MemberTable table;
    private final Joins joins;
    private final Map<String, Installed> installed = new HashMap<>();
    /** Members installed for the first time and removed, since the start (read by the metrics from their thread). */
    final java.util.concurrent.atomic.AtomicLong added = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong removed = new java.util.concurrent.atomic.AtomicLong();
    /** The alive records the last apply installed: when the next finds the same, it has nothing to do. */
    private List<MemberRecord> lastAlive = List.of();
    private List<Claims.Conflict> conflicts = List.of();
    private List<Membership.MemberView> views = List.of();
    /** Set by {@link #reinstallAll}: the next apply installs every member again, changed or not. */
    private boolean reinstallAll;

    PeerInstaller(Supplier<Membership.Settings> settings, MemberPeers peers, MemberTable table, Joins joins) {
        this.settings = settings;
        this.peers = peers;
        this.table = table;
        this.joins = joins;
    }

    /** Installs {@code alive} (the members alive now, none revoked) in place of what is installed. */
    void apply(List<MemberRecord> alive, long now, Instant wall) {
        if (sameRecords(alive, lastAlive)) {
            return; // nothing to install or remove: the common case, a few times a second in a large mesh
        }
        List<Certificate> certs = new ArrayList<>();
        certs.add(settings.get().self());
        alive.forEach(r -> certs.add(r.certificate()));
        Claims.Resolution claims = Claims.resolve(certs);
        for (Claims.Conflict c : claims.conflicts()) {
            if (!conflicts.contains(c)) {
                log.warn("conflict: {}", c);
            }
        }
        conflicts = claims.conflicts();
        Set<String> aliveNames = new HashSet<>();
        List<Membership.MemberView> fresh = new ArrayList<>();
        for (MemberRecord r : alive) {
            aliveNames.add(r.name());
            List<IpPrefix> granted = claims.granted().get(r.name());
            fresh.add(new Membership.MemberView(r.name(), r.certificate(), r.endpoints(), granted, r.relay()));
            Installed prev = installed.get(r.name());
            if (prev != null && prev.same(r, granted) && !reinstallAll) {
                continue;
            }
            boolean restarted = prev != null && prev.incarnation() != 0 && prev.incarnation() != r.incarnation();
            peers.install(r, granted, restarted);
            installed.put(r.name(), new Installed(r.version(), r.incarnation(), granted, r.certificate()));
            if (prev == null) {
                added.incrementAndGet();
                joins.greet(r, now, wall);
                log.info("{} added: {}{} at {}", r.name(), r.certificate().address().address(),
                        granted.size() > 1 ? " and " + granted.subList(1, granted.size()) : "",
                        r.endpoints().isEmpty() ? "no endpoint yet" : r.endpoints().get(0));
            }
        }
        for (String name : List.copyOf(installed.keySet())) {
            if (!aliveNames.contains(name)) {
                installed.remove(name);
                joins.forget(name); // if it comes back, it is a stranger to be greeted again
                peers.uninstall(name);
                removed.incrementAndGet();
                log.info("{} removed: {}", name, whyGone(name, wall));
            }
        }
        fresh.sort((a, b) -> a.name().compareTo(b.name()));
        views = List.copyOf(fresh);
        reinstallAll = false;
        lastAlive = alive; // only now: should installing have thrown, the next apply tries again
    }

    /** The next apply installs every member again (a reload changed the data plane's policy). */
    void reinstallAll() {
        lastAlive = List.of();
        reinstallAll = true;
    }

    /** The next apply checks every member again, though the records are the same (new revocations). */
    void recheckAll() {
        lastAlive = List.of();
    }

    /** The members installed now. */
    Set<String> names() {
        return installed.keySet();
    }

    List<Membership.MemberView> views() {
        return views;
    }

    List<String> conflicts() {
        return conflicts.stream().map(Object::toString).toList();
    }

    /** True if the two lists hold the very same records in the same order (records are replaced, never changed). */
    private static boolean sameRecords(List<MemberRecord> a, List<MemberRecord> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    private String whyGone(String name, Instant wall) {
        MemberRecord r = table.record(name);
        if (r == null) {
            return "forgotten";
        }
        if (r.leaving()) {
            return "left the mesh";
        }
        if (settings.get().verifier().revoked(r.certificate())) {
            return "its certificate is revoked";
        }
        if (wall.isAfter(r.certificate().notAfter())) {
            return "its certificate expired " + r.certificate().notAfter();
        }
        return "unreachable (gossip lost it, and nothing heard for " + MemberTable.SILENCE.toSeconds() + " s)";
    }
}
