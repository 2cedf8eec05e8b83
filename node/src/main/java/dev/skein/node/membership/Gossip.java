package dev.skein.node.membership;

import io.atomix.cluster.AtomixCluster;
import io.atomix.cluster.Member;
import io.atomix.cluster.protocol.SwimMembershipProtocol;
import io.atomix.cluster.protocol.SwimMembershipProtocolConfig;
import io.atomix.utils.net.Address;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Atomix SWIM cluster of one node, bound to its overlay address only, so that every gossip message travels
 * inside the mesh's encrypted sessions. Each member carries one property, its signed record; Atomix's events
 * are only hints that make {@link Membership} look again (see ../shared/notes/atomix.md for why nothing it
 * says is believed on its own).
 */
final class Gossip implements AutoCloseable {
    static final String RECORD = "skein-record";
    static final String LEAVE = "skein-leave";
    static final String RECORDS = "skein-records";
    /**
     * SWIM settings. A dead member is removed about 2 s after its first probe fails: suspected once the direct
     * probe (500 ms) and an indirect one (500 ms more) have failed, and removed 1 s after that. Before that first
     * probe comes a wait that grows with nothing but the probe interval: each member probes one other per
     * interval, round a list it shuffles at every membership change, so at any N a given member is probed about
     * once per interval, and the time until a dead one is first probed is close to exponential with the interval
     * as its mean (the chance that nobody probes it for t is about e^(-t/interval)). At 250 ms one removal in six
     * at 512 simulated nodes took over 3 s, each time because the first probe came 0.8-1.3 s after the death
     * (docs/SIMULATIONS.md, session 25); at 125 ms a first probe that late is 25 times rarer (e^-6.4 against
     * e^-3.2: 0.2% against 4%), for 8 probes a second per member, each one datagram of about 1 kB each way
     * through the overlay ({@link DatagramProbes}). Probes were a TCP connection each until session 18,
     * and then 500 ms or 1 s probes formed a 32-node mesh on two cores 10 to 25 s sooner (docs/SIMULATIONS.md).
     */
    static final Duration GOSSIP_INTERVAL = Duration.ofMillis(100);
    static final Duration PROBE_INTERVAL = Duration.ofMillis(125);
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(1);
    /**
     * Below this many other members listed, our probe rounds come further apart: {@link #FULL_PACE_MEMBERS} / listed
     * intervals. SWIM's "each member is probed about once per interval" holds only while each prober lists many
     * members; a prober that lists one probes it every interval. In a mass start every newcomer lists only the seed
     * for its first seconds, and 31 of them probed it 248 times a second while it had to answer their 31 joins and
     * push 31 record sets on a 32nd of two cores (docs/SIMULATIONS.md, session 33). Now a member that lists only the
     * seed probes it twice a second, and a member of a mesh of two probes the other every 500 ms (removal about
     * 0.2 s later on average); from four members on, nothing changes. Only listed members count: the rounds also
     * go to nodes we handed SWIM that it does not list yet (a record set brings dozens), but those are probed at
     * once when handed and again by {@link Rediscovery}, and failure detection is for members. Counting them too
     * kept more rounds going while a mesh formed, and 32 nodes took longer (session 33: 38.4-43.9 s against
     * 36.3-38.3).
     */
    static final int FULL_PACE_MEMBERS = 4;

    /** How long one attempt to hand a member our goodbye waits for its answer before the next attempt. */
    static final Duration GOODBYE_ATTEMPT = Duration.ofMillis(300);
    /** The pause before a goodbye that failed at once (connection refused, no session yet) is tried again. */
    static final Duration GOODBYE_RETRY_PAUSE = Duration.ofMillis(50);
    /**
     * Attempts per member at most: enough for a lost message or two, few enough that a mesh stopping all at once
     * (each member refusing the others' goodbyes at once) costs each node a few connections per member, not
     * one per {@link #GOODBYE_RETRY_PAUSE}.
     */
    static final int GOODBYE_ATTEMPTS = 3;
    /**
     * A record set is offered to a member at most this many times, {@link #PUSH_RETRY_PAUSE} apart, while the
     * connection for it cannot be opened. To a newcomer the first offer usually cannot be: the connection needs
     * the WireGuard session, which is still being made, and on a busy host that takes longer than Atomix's 1 s
     * connection timeout. In a 32-node start on two cores every newcomer lost its seed's record set that way
     * (each push: ConnectTimeoutException after 1000 ms) and learned the mesh from SWIM member by member instead,
     * over one to two minutes.
     */
    static final int PUSH_ATTEMPTS = 8;
    static final Duration PUSH_RETRY_PAUSE = Duration.ofSeconds(1);
    private static final byte[] GOODBYE_TAKEN = new byte[0];

    /** A member as the gossip layer lists it: its id, the host of its gossip address, its record property. */
    record Listed(String name, String host, String record) {}

    private final AtomixCluster cluster;
    /** SWIM's probe rounds are paced by {@link ProbePacing} (false: Atomix's fixed rate). */
    private volatile boolean paced;
    private final String self;
    private final Pace pace;
    /** How many other members the gossip layer listed when {@link #members} last read it. */
    private volatile int listed;

    Gossip(String clusterId, String name, String overlayAddress, int port, MeshDiscovery discovery,
           String record, Runnable onEvent, GossipTransport transport, Pace pace) {
        // A suspicion is broadcast to every member, the suspect included, and that is how the suspect hears of it.
        // Not also notified by each member that takes the suspicion up: Atomix 3.1 answers every message that
        // shows it suspected with a refutation broadcast to every member (the same one each time), so a single
        // false suspicion at 32 nodes cost the suspect some 20 broadcasts of 31 datagrams each, on a host already
        // too slow to answer probes in time (docs/SIMULATIONS.md, session 20).
        SwimMembershipProtocolConfig swim = new SwimMembershipProtocolConfig()
                .setGossipInterval(pace.onHost(GOSSIP_INTERVAL)).setGossipFanout(2)
                .setProbeInterval(pace.onHost(PROBE_INTERVAL)).setProbeTimeout(pace.onHost(PROBE_TIMEOUT))
                .setSuspectProbes(2).setFailureTimeout(pace.onHost(FAILURE_TIMEOUT))
                .setBroadcastUpdates(true).setNotifySuspect(false);
        this.self = name;
        this.pace = pace;
        this.cluster = new GossipCluster.Builder(transport)
                .withClusterId(clusterId)
                .withMemberId(name)
                .withAddress(overlayAddress, port)
                .withMessagingInterface(overlayAddress)
                .withProperty(RECORD, record)
                .withMembershipProvider(discovery)
                .withMembershipProtocol(SwimMembershipProtocol.TYPE.newProtocol(swim))
                .build();
        cluster.getMembershipService().addListener(event -> onEvent.run());
    }

    void start(Consumer<byte[]> onLeave, Consumer<byte[]> onRecords, Executor executor) throws IOException {
        try {
            cluster.start().get(15, TimeUnit.SECONDS);
            // (The builder takes a protocol's settings and builds its own: the one running is the cluster's.)
            if (cluster instanceof GossipCluster c && cluster.getMessagingService() instanceof DatagramProbes probes) {
                Duration timeout = pace.onHost(PROBE_TIMEOUT);
                paced = ProbePacing.install(c.protocol(), pace.onHost(PROBE_INTERVAL),
                        () -> Math.max(probes.slowness(timeout), fewMembersFactor(listed)));
            }
            // A goodbye is answered (an empty reply) once taken, so that its sender knows whom it reached.
            cluster.getMessagingService().registerHandler(LEAVE, (from, signed) -> {
                onLeave.accept(signed);
                return GOODBYE_TAKEN;
            }, executor);
            cluster.getCommunicationService().subscribe(RECORDS, Function.identity(), onRecords, executor)
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("the gossip layer did not start: " + e, e);
        }
    }

    boolean paced() {
        return paced;
    }

    /** How slowly our probes come back: 1 (healthy) to {@link ProbeTimeout#MAX_MULTIPLIER} (see ProbePacing). */
    double slowness() {
        return cluster.getMessagingService() instanceof DatagramProbes probes
                ? probes.slowness(pace.onHost(PROBE_TIMEOUT)) : 1.0;
    }

    /**
     * How many intervals apart our probe rounds come while {@code listed} other members are listed (at least 1):
     * see {@link #FULL_PACE_MEMBERS}.
     */
    static double fewMembersFactor(int listed) {
        return listed >= FULL_PACE_MEMBERS ? 1.0 : (double) FULL_PACE_MEMBERS / Math.max(1, listed);
    }

    /** The other members the gossip layer lists now (alive or suspected). */
    List<Listed> members() {
        List<Listed> out = new ArrayList<>();
        for (Member m : cluster.getMembershipService().getMembers()) {
            if (!m.id().id().equals(self)) {
                out.add(new Listed(m.id().id(), m.address().host(), m.properties().getProperty(RECORD)));
            }
        }
        listed = out.size();
        return out;
    }

    /** Replaces our record; the gossip layer spreads it on its next round. */
    void publish(String record) {
        // Atomix notices a change of the local member's properties in place (never remove a key: see notes).
        cluster.getMembershipService().getLocalMember().properties().setProperty(RECORD, record);
    }

    /**
     * Hands our signed goodbye to every member the gossip layer lists and to every gossip address in
     * {@code alsoTo} (the members we installed: one that restarted moments ago may not be listed by SWIM yet, and
     * would otherwise learn of our leaving only by failure detection). Each member answers once it has taken it;
     * one that has not is asked again until {@code within} has passed (a lost segment, or a session still being
     * set up, must not turn our goodbye into a failure detection). Completes, never exceptionally, with the
     * addresses that did not answer.
     */
    CompletableFuture<List<Address>> announceLeave(byte[] leavingRecord, java.util.Collection<Address> alsoTo,
                                                   Duration within) {
        java.util.Set<Address> to = new java.util.LinkedHashSet<>(alsoTo);
        for (Member m : cluster.getMembershipService().getMembers()) {
            if (!m.id().id().equals(self)) {
                to.add(m.address());
            }
        }
        long deadline = System.nanoTime() + within.toNanos();
        List<Address> targets = List.copyOf(to);
        List<CompletableFuture<Boolean>> taken = new ArrayList<>();
        for (Address a : targets) {
            taken.add(handOver(a, leavingRecord, deadline, GOODBYE_ATTEMPTS));
        }
        return CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Address> missed = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                if (!taken.get(i).join()) {
                    missed.add(targets.get(i));
                }
            }
            return missed;
        });
    }

    /**
     * One member's goodbye, asked again (at most {@code attempts} in all) until it answers or {@code deadline}
     * (System.nanoTime()) passes.
     */
    private CompletableFuture<Boolean> handOver(Address to, byte[] leavingRecord, long deadline, int attempts) {
        return retried(() -> {
            long left = deadline - System.nanoTime();
            Duration wait = Duration.ofNanos(Math.min(left, pace.onHost(GOODBYE_ATTEMPT).toNanos()));
            return cluster.getMessagingService().sendAndReceive(to, LEAVE, leavingRecord, false, wait)
                    .handle((reply, error) -> error == null);
        }, attempts, GOODBYE_RETRY_PAUSE, () -> deadline - System.nanoTime() > 0);
    }

    /**
     * Runs {@code attempt} until it completes with true: at most {@code attempts} times, {@code pause} (on the
     * protocol's clock) after each failure, and only while {@code worthIt} holds. Completes with the last result.
     */
    private CompletableFuture<Boolean> retried(Supplier<CompletableFuture<Boolean>> attempt, int attempts,
                                               Duration pause, BooleanSupplier worthIt) {
        if (attempts <= 0 || !worthIt.getAsBoolean()) {
            return CompletableFuture.completedFuture(false);
        }
        return attempt.get().thenCompose(ok -> ok || attempts == 1 ? CompletableFuture.completedFuture(ok)
                : CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(
                        pace.onHost(pause).toMillis(), TimeUnit.MILLISECONDS))
                .thenCompose(x -> retried(attempt, attempts - 1, pause, worthIt)));
    }

    /** Messages this node sent over the gossip layer's messaging, SWIM's own included, probe datagrams too. */
    long messagesSent() {
        Object messaging = cluster.getMessagingService();
        long overTcp = messaging instanceof ForwardingMessaging f ? f.sent() : 0;
        return overTcp + (messaging instanceof DatagramProbes d ? d.sentByDatagram() : 0);
    }

    /**
     * Sends a set of signed records to one member over the reliable channel, again while the connection cannot be
     * opened ({@link #PUSH_ATTEMPTS}). Completes, never exceptionally, with whether it was written to a
     * connection to the member (the one-way message is not answered: see {@link OneShotMessaging}).
     */
    CompletableFuture<Boolean> push(String member, byte[] recordSet) {
        return retried(() -> send(member, RECORDS, recordSet).handle((sent, error) -> error == null),
                PUSH_ATTEMPTS, PUSH_RETRY_PAUSE, () -> true);
    }

    /**
     * One message to one member, straight over the messaging service, which sends it on a connection of its own
     * ({@link OneShotMessaging}): anti-entropy reaches each member in turn, and a pooled connection per member per
     * node is more than a mesh of hundreds can afford. The subscribers of {@link #start} receive it all the same.
     */
    private CompletableFuture<Void> send(String member, String subject, byte[] payload) {
        // (getMember(id) throws inside Atomix for an id SWIM does not hold: look it up among the members.)
        for (Member m : cluster.getMembershipService().getMembers()) {
            if (m.id().id().equals(member)) {
                return cluster.getMessagingService().sendAsync(m.address(), subject, payload, false);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        close(3000);
    }

    /**
     * Stops the gossip layer, waiting at most {@code waitMillis} (Atomix's own shutdown takes about 2 s, most of
     * it Netty's quiet period; a node that is exiting after a failure need not wait for it).
     */
    public void close(long waitMillis) {
        try {
            cluster.stop().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Stopping is best effort: the process or node is going away anyway.
        }
    }
}
