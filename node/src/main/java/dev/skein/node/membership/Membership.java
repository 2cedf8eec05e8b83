package dev.skein.node.membership;

import dev.skein.node.Constants;
import dev.skein.node.dataplane.LogLimiter;
import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateRejected;
import dev.skein.protocol.cert.CertificateVerifier;
import dev.skein.protocol.cert.RevocationList;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.member.JoinMessage;
import dev.skein.protocol.member.MemberRecord;
import dev.skein.protocol.proto.RecordSet;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's membership in the mesh: joins through the seeds, publishes its signed record over the gossip layer,
 * believes other members' records only after checking them, and keeps the data plane's peers and routes equal
 * to the members that are alive. Everything runs on one thread ("skein-membership"), so the state below needs
 * no locks; the gossip layer's events and join datagrams only schedule work on it.
 */
public final class Membership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    static final Duration TICK = Duration.ofMillis(200);
    /** How often the gossip layer's list is read with no event from it. */
    static final Duration RESCAN = Duration.ofSeconds(1);
    /**
     * The gossip layer's list is read, and the table applied, at most once per BURST: both cost O(members), and
     * at 512 simulated members under churn every member saw an event or a greeting reply several dozen times a
     * second, each read and applied alone (a third of the machine). What comes within a BURST waits for its end.
     */
    static final Duration BURST = Duration.ofMillis(100);
    /** How long a stopping node keeps handing its goodbye to the members that have not taken it yet. */
    static final Duration GOODBYE_WITHIN = Duration.ofSeconds(1);

    /**
     * What membership needs to know about this node. {@code tcpChecksumOptional}: our record tells senders they
     * may leave out TCP checksums, because our data plane hands every TCP packet to the kernel to checksum.
     */
    public record Settings(Certificate self, byte[] signingKey, CertificateVerifier verifier, int gossipPort,
                           List<InetSocketAddress> seeds, boolean relay,
                           Supplier<List<InetSocketAddress>> localEndpoints, GossipTransport transport, Pace pace,
                           boolean tcpChecksumOptional) {
        /** A node's settings: gossip over Atomix's own transport, at the real pace. */
        public Settings(Certificate self, byte[] signingKey, CertificateVerifier verifier, int gossipPort,
                        List<InetSocketAddress> seeds, boolean relay, Supplier<List<InetSocketAddress>> localEndpoints) {
            this(self, signingKey, verifier, gossipPort, seeds, relay, localEndpoints, GossipTransport.DIRECT,
                    Pace.REAL, false);
        }

        /** The same settings, our record offering optional TCP checksums or not. */
        public Settings offeringOptionalTcpChecksums(boolean offer) {
            return new Settings(self, signingKey, verifier, gossipPort, seeds, relay, localEndpoints, transport, pace,
                    offer);
        }
    }

    /** A member as `skein status` and `skein peers` show it. */
    public record MemberView(String name, Certificate certificate, List<InetSocketAddress> endpoints,
                             List<IpPrefix> granted, boolean relay) {}

    /** A consistent picture for the control socket, replaced after every change. */
    public record Snapshot(List<MemberView> members, List<String> conflicts, List<String> refusals,
                           List<InetSocketAddress> ownEndpoints, List<InetSocketAddress> observed) {
        public static final Snapshot EMPTY = new Snapshot(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** What membership did since the start, for the metrics: read from any thread. */
    public record Activity(long membersAdded, long membersRemoved, long refusals, long gossipMessagesSent) {}

    /** Replaced by {@link #reconfigure} (a reload): read on the membership thread, and by it only. */
    private volatile Settings settings;
    private final MemberPeers peers;
    private final String self;
    private final MemberTable table;
    private final MeshDiscovery discovery = new MeshDiscovery();
    private final ScheduledExecutorService executor;
    private final AtomicBoolean tickPending = new AtomicBoolean();
    private final AtomicBoolean gossipChanged = new AtomicBoolean(true);
    private final LogLimiter logLimiter = new LogLimiter(60_000_000_000L);
    private Gossip gossip;
    private final UnknownKeys unknownKeys = new UnknownKeys();

    // state, touched only on the membership thread
    private RecordChecks records;
    private final AntiEntropy antiEntropy = new AntiEntropy(new java.util.Random());
    private final Rediscovery rediscovery = new Rediscovery();
    private PeerInstaller installer;
    private final Refusals refusals = new Refusals(logLimiter);
    private OwnRecord own;
    /** A join or a record set changed the table: the next tick applies it (see {@link #applySoon}). */
    private boolean applyDue;
    private long lastApplyNanos = Constants.NEVER;
    /** The silence the last apply gave unlisted members ({@link #silence}). */
    private Duration appliedSilence = MemberTable.SILENCE;
    /** A tick is scheduled for the end of the current {@link #BURST}. */
    private boolean burstEndScheduled;
    private long lastScanNanos = Constants.NEVER;
    private Joins joins;
    private Set<String> lastListed = Set.of();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    /** {@link #formerPeer}: read by the receive thread, made at every apply. */
    private volatile Set<String> formerKeys = Set.of();
    /** The refusal count the snapshot's list of refusals was taken at. */
    private long snapshotRefusals;
    private volatile java.util.function.Consumer<RevocationList> revocationListener = list -> { };

    /** Membership's clock: every time here is read from it, and every timer is set by it. */
    private final Pace pace;

    private Membership(Settings settings, MemberPeers peers) {
        this.settings = settings;
        this.pace = settings.pace();
        this.peers = peers;
        this.self = settings.self().name();
        this.table = new MemberTable(self);
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "skein-membership");
            t.setDaemon(true);
            return t;
        });
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        // Once closing, late events from the gossip layer or the data plane are simply dropped.
        ex.setRejectedExecutionHandler(new ThreadPoolExecutor.DiscardPolicy());
        this.executor = ex;
    }

    /** Starts the gossip layer on the overlay address and begins joining through the seeds. */
    public static Membership start(Settings settings, MemberPeers peers) throws IOException {
        Membership m = new Membership(settings, peers);
        m.own = new OwnRecord(() -> m.settings, System.currentTimeMillis());
        m.joins = new Joins(() -> m.settings, m.own, peers, m.refusals);
        m.installer = new PeerInstaller(() -> m.settings, peers, m.table, m.joins);
        m.records = new RecordChecks(() -> m.settings, m.table, m.discovery, m.refusals);
        // From the mesh network, not a CA's key: the cluster stays one while the mesh moves to a new CA.
        IpPrefix network = settings.verifier().ca().address();
        String clusterId = "skein-" + HexFormat.of().formatHex(network.ip()) + "-" + network.bits();
        m.gossip = new Gossip(clusterId, m.self, settings.self().address().address(), settings.gossipPort(),
                m.discovery, m.own.signedBase64(), m::onGossipEvent, settings.transport(), settings.pace());
        m.own.publishTo(signed -> {
            m.gossip.publish(signed);
            m.refreshSnapshot(); // `skein status` shows our endpoints as published, not as at the last apply
        });
        try {
            m.gossip.start(m::onLeave, m::onRecords, m.executor);
        } catch (IOException e) {
            m.gossip.close(); // releases whatever it bound, so that a retry can bind again
            m.executor.shutdownNow();
            throw e;
        }
        m.executor.scheduleWithFixedDelay(m::safeTick, 0, m.pace.onHost(TICK).toMillis(), TimeUnit.MILLISECONDS);
        return m;
    }

    /** A join datagram from the data plane's receive thread: verified and answered on the membership thread. */
    public void onJoinDatagram(byte[] datagram, InetSocketAddress from, boolean relayed) {
        executor.execute(() -> guarded(() -> handleJoin(datagram, relayed ? null : from)));
    }

    /** A member told us the endpoint our packets come from (a pong): a candidate worth publishing. */
    public void onObserved(InetSocketAddress endpoint, String byMember) {
        executor.execute(() -> guarded(() -> own.observe(endpoint, byMember, joins.isSeed(byMember),
                pace.nanos(), System.currentTimeMillis())));
    }

    /**
     * A handshake from a key that is no peer of ours. Usually a member whose record reaches us a moment later, so
     * we look again after {@link UnknownKeys#WAIT}: by then it is either a member (we start the handshake
     * ourselves, saving its retry) or worth a warning.
     */
    public void onUnknownPeer(String publicKeyBase64, InetSocketAddress from) {
        if (unknownKeys.heard(publicKeyBase64, from)) {
            executor.schedule(() -> guarded(() -> checkUnknown(publicKeyBase64, false)),
                    pace.onHost(UnknownKeys.WAIT).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Any thread: whether the key is a member's that runs but is no peer of ours now (see {@link #apply}). */
    public boolean formerPeer(String publicKeyBase64) {
        return formerKeys.contains(publicKeyBase64);
    }

    /**
     * The data plane authenticated a fresh initiation from a member that is no peer of ours now: it is alive. It
     * counts as heard, so it is a peer again at once, and we start the handshake it wanted (its own would only
     * come again after Rekey-Timeout).
     */
    public void onFormerPeerAlive(String publicKeyBase64, InetSocketAddress from) {
        executor.execute(() -> guarded(() -> {
            String name = UnknownKeys.holderOf(publicKeyBase64, table.names(), table);
            if (name == null || installer.names().contains(name)) {
                return;
            }
            long now = pace.nanos();
            table.heardInHandshake(name, now);
            apply(now, Instant.now());
            if (installer.names().contains(name)) {
                log.debug("{} at {} is alive (its handshake): a peer again", name, from);
                peers.handshake(name);
            }
        }));
    }

    public Activity activity() {
        Gossip g = gossip;
        PeerInstaller i = installer;
        return new Activity(i == null ? 0 : i.added.get(), i == null ? 0 : i.removed.get(), refusals.total.get(),
                g == null ? 0 : g.messagesSent());
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * A reload: our renewed certificate (same name and address) and signing key, the seeds and the
     * relay flag take effect at once. Our record is re-signed and gossiped, and every member is greeted with the
     * new certificate, which it takes at once (a later certificate wins). Completes when done.
     */
    public java.util.concurrent.CompletableFuture<Void> reconfigure(Certificate cert, byte[] signingKey,
                                                                    List<InetSocketAddress> seeds, boolean relay) {
        return java.util.concurrent.CompletableFuture.runAsync(() -> {
            Settings s = settings;
            settings = new Settings(cert, signingKey.clone(), s.verifier(), s.gossipPort(), List.copyOf(seeds), relay,
                    s.localEndpoints(), s.transport(), s.pace(), s.tcpChecksumOptional());
            boolean renewed = own.renew(cert, relay, System.currentTimeMillis());
            if (renewed) {
                log.info("certificate renewed: valid until {}", cert.notAfter());
                joins.renewed(); // greet everyone anew: each takes the new certificate from the greeting
                for (String name : installer.names()) {
                    MemberRecord r = table.record(name);
                    if (r != null) {
                        joins.greet(r, pace.nanos(), Instant.now());
                    }
                }
            }
            joins.askSeedsNow(); // new seeds are tried now
        }, executor);
    }

    /** The seeds' endpoints changed (a seed given by name resolved anew): the next tick asks them. */
    public void seeds(List<InetSocketAddress> seeds) {
        List<InetSocketAddress> copy = List.copyOf(seeds);
        executor.execute(() -> guarded(() -> {
            Settings s = settings;
            settings = new Settings(s.self(), s.signingKey(), s.verifier(), s.gossipPort(), copy, s.relay(),
                    s.localEndpoints(), s.transport(), s.pace(), s.tcpChecksumOptional());
            joins.askSeedsNow();
        }));
    }

    /** The verifier of certificates (the CA, and its revocation list). */
    public CertificateVerifier verifier() {
        return settings.verifier();
    }

    /** Installs every member anew through the data plane's current policy (a reload changed it). */
    public void reapply() {
        executor.execute(() -> guarded(() -> {
            installer.reinstallAll();
            apply(pace.nanos(), Instant.now());
        }));
    }

    /** The revocation lists held now, one per CA at most. */
    public List<RevocationList> revocations() {
        return settings.verifier().revocations();
    }

    /** Called with every revocation list this node adopts (on the membership thread): the node keeps it on disk. */
    public void revocationListener(java.util.function.Consumer<RevocationList> listener) {
        this.revocationListener = listener;
    }

    /**
     * A revocation list from {@code source} (`skein revocations push`): adopted if it verifies against our CA and
     * is newer than ours, then spread to every member. Completes with what happened, in one line.
     */
    public java.util.concurrent.CompletableFuture<String> pushRevocations(byte[] encoded, String source) {
        java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
        executor.execute(() -> {
            try {
                done.complete(adoptRevocations(encoded, source, true));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    // ---- the membership thread

    /** Atomix saw a member come, go or change: the next tick reads the gossip layer's list again. */
    private void onGossipEvent() {
        gossipChanged.set(true);
        if (tickPending.compareAndSet(false, true)) {
            executor.execute(this::safeTick);
        }
    }

    private void safeTick() {
        tickPending.set(false);
        guarded(this::tick);
    }

    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // A bug must not stop membership: say it (rate-limited) and carry on with the next tick.
            if (logLimiter.allow("bug " + e.getClass(), pace.nanos())) {
                log.error("membership: unexpected error", e);
            }
        }
    }

    private void tick() {
        long now = pace.nanos();
        Instant wall = Instant.now();
        boolean changed = false;
        Set<String> listedBefore = lastListed;
        // Reading the gossip layer's list costs O(members), and every node of a mesh does it: only after
        // Atomix reported a change, and every RESCAN in case an event was missed; once per BURST at most.
        // When a deferred scan or apply may run: the end of the BURST that deferred it, not a BURST from now (a
        // member's removal waited up to two BURSTs that way, one for the scan and one for the apply after it).
        long resumeAt = now;
        boolean scanDue = gossipChanged.get() || now - lastScanNanos >= RESCAN.toNanos();
        if (scanDue && now - lastScanNanos < BURST.toNanos()) {
            resumeAt = lastScanNanos + BURST.toNanos();
        } else if (scanDue) {
            gossipChanged.set(false); // before the read: an event during it is read on the next tick
            lastScanNanos = now;
            changed = scanGossip(now, wall);
            List<String> unlisted = table.unlisted(wall);
            unlisted.removeIf(name -> settings.verifier().revoked(table.record(name).certificate()));
            for (String name : rediscovery.due(now, unlisted)) {
                discovery.nudge(name);
                if (!installer.names().contains(name)) {
                    joins.greetAtEndpoints(table.record(name), now, wall); // no session carries SWIM's probe
                }
            }
        }
        joins.expire(now);
        own.refreshEndpoints(now, wall.toEpochMilli());
        own.warnOfExpiry(wall);
        // Applying costs O(members) and is the bulk of a large mesh's membership work: at once when something
        // changed, otherwise only when a time-based rule (grace, silence, expiry) may change its result; at rest,
        // with every member listed by the gossip layer, that is not for minutes.
        // A silence stretched while our probes came back late is shortened again as they come back quickly: a
        // member the gossip layer lost goes then, not when the longer silence would have run out (a node killed
        // just after a five-node mesh formed, while the others' JIT still made their probes late, was removed up
        // to 9.7 s later that way).
        boolean silenceShortened = table.waitingOnSilence() && silence().compareTo(appliedSilence) < 0;
        if (changed || applyDue || silenceShortened || now - table.nextChangeNanos() >= 0) {
            if (now - lastApplyNanos >= BURST.toNanos()) {
                apply(now, wall);
            } else {
                applyDue = true;
                resumeAt = Math.max(resumeAt, lastApplyNanos + BURST.toNanos());
            }
        }
        if (resumeAt != now && !burstEndScheduled) {
            burstEndScheduled = true;
            executor.schedule(() -> {
                burstEndScheduled = false;
                safeTick();
            }, Math.max(1, pace.onHost(Duration.ofNanos(resumeAt - now)).toMillis()), TimeUnit.MILLISECONDS);
        }
        joins.sendRequests(now, wall, lastListed);
        sync(now, lastListed, lastListed != listedBefore);
        if (refusals.total.get() != snapshotRefusals) {
            refreshSnapshot();
        }
    }

    /** Reads the members and records the gossip layer lists; true if anything changed. */
    private boolean scanGossip(long now, Instant wall) {
        Set<String> listed = new HashSet<>();
        boolean changed = false;
        for (Gossip.Listed m : gossip.members()) {
            listed.add(m.name());
            changed |= records.fromGossip(m, now, wall);
        }
        records.listed(listed);
        table.gossipLists(listed);
        if (!listed.equals(lastListed)) {
            lastListed = listed;
            antiEntropy.listed(listed);
            discovery.gossipLists(listed);
            changed = true;
        }
        return changed;
    }

    /** Pushes our record set to whom {@link AntiEntropy} says. */
    private void sync(long now, Set<String> listed, boolean listChanged) {
        List<String> targets = antiEntropy.targets(now, listed, listChanged, joins::isNewcomer);
        if (targets.isEmpty()) {
            return;
        }
        List<byte[]> alive = new ArrayList<>();
        for (String name : installer.names()) {
            byte[] signed = records.signed(name);
            if (signed != null) {
                alive.add(signed);
            }
        }
        byte[] bytes = AntiEntropy.recordSet(own.signed(), settings.verifier().revocations(), alive);
        for (String t : targets) {
            gossip.push(t, bytes).thenAccept(delivered -> {
                if (!delivered) {
                    log.debug("membership: our record set did not reach {} in {} attempts", t, Gossip.PUSH_ATTEMPTS);
                }
            });
        }
    }

    /** Records pushed to us by a member: each is verified on its own before it counts. */
    private void onRecords(byte[] bytes) {
        guarded(() -> {
            RecordSet set;
            try {
                set = RecordSet.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                refuse("a record set", "malformed");
                return;
            }
            for (ByteString list : set.getRevocationsList().subList(0, Math.min(set.getRevocationsCount(), 16))) {
                adoptRevocations(list.toByteArray(), "a member", false); // first: no revoked record counts
            }
            long now = pace.nanos();
            Instant wall = Instant.now();
            records.fromSet(set.getRecordsList(), now, wall);
            applySoon();
        });
    }

    /**
     * Adopts a revocation list that verifies against our CA and is newer than the one held: from then on the
     * revoked members' records, joins and handshakes are refused, the next apply removes them, and the list goes
     * to every listed member at once (and with every record set after). Returns what happened.
     */
    private String adoptRevocations(byte[] encoded, String source, boolean pushed) {
        RevocationList list;
        try {
            list = settings.verifier().verifyRevocations(encoded);
        } catch (CertificateRejected e) {
            refuse("a revocation list from " + source, e.getMessage());
            return "refused: " + e.getMessage();
        }
        RevocationList held = settings.verifier().revocations(list.issuer());
        if (!settings.verifier().adopt(list)) {
            return "version " + list.version() + " is not newer than the one held (" + held.version()
                    + "): nothing changed";
        }
        List<String> names = list.entries().stream().map(e -> e.name().isEmpty() ? e.fingerprintHex() : e.name())
                .toList();
        log.info("revocation list version {} from {}: {} revoked{}", list.version(), source, names.size(),
                names.isEmpty() ? "" : " (" + String.join(", ", names) + ")");
        if (list.revokes(settings.self())) {
            log.error("this node's own certificate is revoked: the other members refuse it from now on");
        }
        revocationListener.accept(list);
        byte[] set = AntiEntropy.recordSet(own.signed(), List.of(list), List.of());
        lastListed.forEach(name -> gossip.push(name, set));
        installer.recheckAll(); // re-check every member against the list now
        apply(pace.nanos(), Instant.now());
        return "adopted version " + list.version() + " (" + names.size() + " revoked), passed on to "
                + lastListed.size() + " member(s)";
    }

    /** A member's signed goodbye, sent to us directly when it stops. */
    private void onLeave(byte[] signed) {
        guarded(() -> {
            if (records.goodbye(signed, pace.nanos(), Instant.now())) {
                apply(pace.nanos(), Instant.now());
            }
        });
    }

    /** A join message; {@code from} is null when it came through a relay (the sender's address is unknown). */
    private void handleJoin(byte[] datagram, InetSocketAddress from) {
        long now = pace.nanos();
        Instant wall = Instant.now();
        JoinMessage j = joins.handle(datagram, from, now, wall);
        if (j == null) {
            return;
        }
        table.joined(new MemberRecord(j.certificate(), 0, j.incarnation(), from == null ? List.of() : List.of(from),
                j.gossipPort(), j.relay(), false), now);
        discovery.offer(j.name(), j.certificate().address().address(), j.gossipPort());
        applySoon(); // its handshake, queued behind this tick, then finds the peer installed
    }

    /**
     * Applies the table on a tick queued now, once for every join and record set that arrives before it runs.
     * Applying costs O(members): when hundreds start at once, each member greets each newcomer, and one apply per
     * greeting made a mesh's formation O(N^3) (at 512 simulated nodes, a third of all the work).
     */
    private void applySoon() {
        applyDue = true;
        if (tickPending.compareAndSet(false, true)) {
            executor.execute(this::safeTick);
        }
    }

    private void checkUnknown(String keyBase64, boolean last) {
        if (applyDue) {
            apply(pace.nanos(), Instant.now()); // a join waiting for the end of a burst: its handshake is here
        }
        InetSocketAddress from = unknownKeys.from(keyBase64);
        switch (unknownKeys.check(keyBase64, last, installer.names(), table.names(), table)) {
            case HANDSHAKE -> peers.handshake(UnknownKeys.holderOf(keyBase64, installer.names(), table));
            case LOOK_AGAIN -> // a node that is still joining learns the others within seconds: look once more
                    executor.schedule(() -> guarded(() -> checkUnknown(keyBase64, true)),
                            4 * pace.onHost(UnknownKeys.WAIT).toMillis(), TimeUnit.MILLISECONDS);
            case FORMER_MEMBER -> log.debug("handshake from {}, a member not alive now: ignored", // last words
                    UnknownKeys.holderOf(keyBase64, table.names(), table));
            case REFUSE -> refuse("handshake initiation from " + (from == null ? "?" : from.getAddress().getHostAddress()),
                    "key " + keyBase64 + " is not one of our peers");
        }
    }

    /** How long a member the gossip layer lost may go unheard now: {@link MemberTable#SILENCE}, stretched by our slowness. */
    private Duration silence() {
        return Duration.ofNanos(ProbePacing.stretchedNanos(MemberTable.SILENCE, gossip.slowness()));
    }

    /** Makes the data plane's peers equal to the members alive now, with the prefixes the claims rule grants. */
    private void apply(long now, Instant wall) {
        applyDue = false;
        lastApplyNanos = now;
        // A member the gossip layer lost goes once the data plane has not heard from it for SILENCE, stretched by
        // our slowness as our probe rounds are (ProbePacing): on a starved host (32 nodes forming on two cores)
        // a live member's packets come late, and 98 live members were removed and added again in one formation.
        Duration silence = silence();
        appliedSilence = silence;
        List<MemberRecord> alive = table.alive(now, wall, name -> pace.host(peers.lastHeardNanos(name)), silence);
        alive.removeIf(r -> settings.verifier().revoked(r.certificate()));
        if (table.forgotLastTime()) {
            records.forgetAllBut(new HashSet<>(table.names())); // forgotten by the table: gone for long
        }
        installer.apply(alive, now, wall);
        formerKeys = formerKeys(wall);
        refreshSnapshot();
    }

    /** The keys of the members whose records say they run (no goodbye, valid, not revoked) but are no peers now. */
    private Set<String> formerKeys(Instant wall) {
        Set<String> installed = installer.names();
        Set<String> keys = new HashSet<>();
        for (String name : table.names()) {
            MemberRecord r = table.record(name);
            if (!installed.contains(name) && MemberTable.runs(r, wall) && !settings.verifier().revoked(r.certificate())) {
                keys.add(Curve25519.encodeBase64(r.certificate().x25519PublicKey()));
            }
        }
        return Set.copyOf(keys);
    }

    /**
     * What queries read. Rebuilt after every apply, and also whenever our own record is republished or a refusal
     * was counted: those change between applies, which at rest are minutes apart.
     */
    private void refreshSnapshot() {
        if (installer == null) {
            return; // our first record, published before the rest exists
        }
        snapshotRefusals = refusals.total.get();
        snapshot = new Snapshot(installer.views(), installer.conflicts(), refusals.list(), own.record().endpoints(),
                own.published());
    }

    private void refuse(String who, String why) {
        refusals.refuse(who, why, pace.nanos());
    }

    /** Says goodbye (every member removes us at once), then stops the gossip layer. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Stops membership; with {@code sayGoodbye}, first tells the members we leave (through the data plane, so
     * pointless once it has failed: the members then notice our silence instead).
     */
    public void close(boolean sayGoodbye) {
        if (sayGoodbye) {
            sayGoodbye();
            gossip.close();
        } else {
            gossip.close(200);
        }
        executor.shutdownNow();
    }

    private void sayGoodbye() {
        Duration within = pace.onHost(GOODBYE_WITHIN);
        try {
            executor.submit(() -> {
                byte[] bye = own.leave(System.currentTimeMillis());
                try {
                    List<io.atomix.utils.net.Address> members = new ArrayList<>();
                    for (String name : installer.names()) {
                        MemberRecord r = table.record(name);
                        if (r != null) {
                            members.add(new io.atomix.utils.net.Address(r.certificate().address().address(),
                                    r.gossipPort()));
                        }
                    }
                    List<io.atomix.utils.net.Address> missed = gossip.announceLeave(bye, members, within)
                            .get(within.toMillis() + 1000, TimeUnit.MILLISECONDS);
                    if (!missed.isEmpty()) {
                        // They will notice our silence instead, within the failure detection's bound.
                        log.info("goodbye not taken within {} ms by {}", within.toMillis(), missed);
                    }
                } catch (Exception e) {
                    log.debug("goodbye not delivered to every member: {}", e.toString());
                }
            }).get(within.toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("goodbye: {}", e.toString());
        }
    }
}
