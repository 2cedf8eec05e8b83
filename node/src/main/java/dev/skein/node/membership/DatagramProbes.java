package dev.skein.node.membership;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.utils.net.Address;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * SWIM's probes as datagrams, as the SWIM paper has them, instead of a TCP connection each.
 *
 * <p>Why: Atomix 3.1 sends its probes (4 a second per node) and indirect probe requests over its TCP messaging,
 * and {@link OneShotMessaging} gives each request a connection of its own: about ten packets through the
 * overlay each way, all encrypted, and a Netty channel set up and torn down at both ends. At 32 nodes forming on
 * two cores that was a large part of the CPU (docs/SIMULATIONS.md), and a probe that waits for its connection on
 * a busy machine times out and turns into a suspicion broadcast to everyone. Here a probe is one datagram each
 * way on the gossip layer's UDP unicast (which, like the TCP messaging, is bound to the overlay address: both
 * travel inside the WireGuard sessions).
 *
 * <p>A request carries a random 64-bit id that only its target sees (the datagram is encrypted to it); a reply
 * is taken only if it names a pending id and comes from the address the request went to, so another member
 * cannot answer for one that is gone. A probe not answered within half its timeout is asked once more by
 * datagram (a lost datagram). Never over TCP: until session 27 a member that had not yet answered a datagram
 * was asked over TCP instead (for nodes older than datagram probes), and on a saturated host, where the gossip
 * socket's receive queue overflows and replies come late or not at all, that was nearly every probe: 58,741
 * probes over TCP, a connection each, while 32 nodes failed to form on two cores in 240 s (docs/SIMULATIONS.md).
 * Every type other than the two probe types passes to the TCP messaging unchanged, and probes arriving over TCP
 * are still answered.
 */
final class DatagramProbes extends ForwardingMessaging {
    /** Atomix SWIM's message types for a probe and for an indirect probe request. */
    static final String PROBE = "atomix-membership-probe";
    static final String PROBE_REQUEST = "atomix-membership-probe-request";
    /** The unicast subjects of a request (id, kind, payload) and of its reply (id, payload). */
    static final String REQUEST_SUBJECT = "skein-probe";
    static final String REPLY_SUBJECT = "skein-probe-reply";
    private static final List<String> KINDS = List.of(PROBE, PROBE_REQUEST);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * A request waiting for its reply: where it went, what it asked, when it was first sent, whether a datagram
     * answer has been timed yet (only the first is: a second answers the request sent again), and whether it is
     * settled (answered or timed out: whichever comes first counts, and is counted before the caller sees it).
     */
    private record Pending(Address to, int kind, long sentNanos, AtomicBoolean timed, AtomicBoolean settled,
                           CompletableFuture<byte[]> reply) {
        /** Settles it with {@code answer} (or {@code error}) if nothing did before, counted in {@code counter}. */
        boolean settle(byte[] answer, Throwable error, AtomicLong counter) {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            if (counter != null) {
                counter.incrementAndGet();
            }
            return error == null ? reply.complete(answer) : reply.completeExceptionally(error);
        }
    }

    private final ManagedUnicastService unicast;
    private final SecureRandom ids = new SecureRandom();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    /** The handlers of the probe kinds, by kind (index in {@link #KINDS}), once SWIM has registered them. */
    private final AtomicReferenceArray<BiFunction<Address, byte[], CompletableFuture<byte[]>>> handlers =
            new AtomicReferenceArray<>(KINDS.size());
    private final AtomicLong sentByDatagram = new AtomicLong();
    private final AtomicLong answeredByDatagram = new AtomicLong();
    private final AtomicLong refusedReplies = new AtomicLong();
    private final AtomicLong lateByDatagram = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final ProbeTimeout probeTimeout = new ProbeTimeout();
    /**
     * Gossip addresses a probe request or reply has come from: members we have a WireGuard session with, or had.
     * Bounded: past {@link #MAX_IN_CONTACT} it starts again (every member then waits as a first contact once).
     */
    private final Set<Address> inContact = ConcurrentHashMap.newKeySet();
    static final int MAX_IN_CONTACT = 65536;
    private volatile boolean listening;

    DatagramProbes(ManagedMessagingService tcp, ManagedUnicastService unicast) {
        super(tcp);
        this.unicast = unicast;
    }

    /** Probes sent as datagrams (a request asked again counts twice); of them, answered by datagram; replies refused. */
    long sentByDatagram() {
        return sentByDatagram.get();
    }

    long answeredByDatagram() {
        return answeredByDatagram.get();
    }

    /** Datagram replies that came after the probe had timed out, and second replies to a request asked again. */
    long lateByDatagram() {
        return lateByDatagram.get();
    }

    long refusedReplies() {
        return refusedReplies.get();
    }

    /** Probes and probe requests that had no answer within their timeout. */
    long timedOut() {
        return timedOut.get();
    }

    /**
     * What a request of {@code type} waits now when SWIM's configured timeout is {@code configured}. A probe: as
     * long as recent round trips say it should ({@link ProbeTimeout}). A probe request asks another member to
     * probe for us, with its own timeout as long as ours, so it gets twice that: SWIM as Atomix has it waits for
     * the request no longer than for a probe, so an indirect probe of a slow member failed whenever the direct one
     * had, and the member was suspected.
     *
     * <p>A member no request or reply has come from yet gets the longest timeout a probe can have
     * ({@link ProbeTimeout#MAX_MULTIPLIER} times SWIM's): the first datagram to it waits for a WireGuard handshake
     * through the overlay, which on a busy host takes longer than SWIM's 500 ms. In a 32-node start on two cores,
     * members were suspected (and the suspicion broadcast to all) by members that had just learned of them and
     * probed them first, before any session between the two existed. Only a member never heard from waits longer
     * to be found dead; one that dies after it answered once is timed as before.
     */
    Duration timeoutFor(String type, Address to, Duration configured) {
        return inContact.contains(to) ? inContactTimeout(type, configured)
                : ofType(type, configured.multipliedBy(ProbeTimeout.MAX_MULTIPLIER));
    }

    /** What a request of {@code type} to a member in contact waits: when any request is asked again. */
    private Duration inContactTimeout(String type, Duration configured) {
        return ofType(type, probeTimeout.timeout(configured));
    }

    /** A probe's wait {@code probe} for a request of {@code type}: a probe request waits for two probes. */
    private static Duration ofType(String type, Duration probe) {
        return type.equals(PROBE) ? probe : probe.multipliedBy(2);
    }

    /**
     * How many times SWIM's {@code configured} timeout a probe waits now, 1 to {@link ProbeTimeout#MAX_MULTIPLIER}:
     * how slowly this member's probes come back (its own slowness, or its peers').
     */
    double slowness(Duration configured) {
        return (double) probeTimeout.timeout(configured).toNanos() / configured.toNanos();
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Duration timeout) {
        int kind = KINDS.indexOf(type);
        if (kind < 0) {
            return super.sendAndReceive(to, type, payload, keepAlive, timeout);
        }
        return probe(to, kind, payload, timeout);
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive) {
        int kind = KINDS.indexOf(type);
        return kind < 0 ? super.sendAndReceive(to, type, payload, keepAlive) : probe(to, kind, payload, DEFAULT_TIMEOUT);
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Duration timeout, Executor executor) {
        int kind = KINDS.indexOf(type);
        if (kind < 0) {
            return super.sendAndReceive(to, type, payload, keepAlive, timeout, executor);
        }
        return probe(to, kind, payload, timeout).thenApplyAsync(reply -> reply, executor);
    }

    private CompletableFuture<byte[]> probe(Address to, int kind, byte[] payload, Duration configured) {
        listen();
        Duration timeout = timeoutFor(KINDS.get(kind), to, configured);
        // The id stays pending after the answer and past the timeout, up to the longest timeout there can be: a
        // reply after the timeout still counts as a round trip, and on a starved host that is how the timeout
        // learns to be longer.
        Duration pendingFor = max(timeout, Duration.ofMillis(configured.toMillis() * ProbeTimeout.MAX_MULTIPLIER));
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        long id = ids.nextLong();
        Pending request = new Pending(to, kind, System.nanoTime(), new AtomicBoolean(), new AtomicBoolean(), reply);
        pending.put(id, request);
        sendRequest(to, id, kind, payload);
        // Asked again at half the wait of a member in contact, a first contact's too: its first datagram may have
        // been lost with the handshake it waited for, and waiting half of 4 s to ask again slowed how fast a
        // restarted member was routed both ways under churn at 256 (0.4 to 0.9 s median, 1.6 to 6.2 s at most).
        long half = Math.max(1, inContactTimeout(KINDS.get(kind), configured).toMillis() / 2);
        CompletableFuture.delayedExecutor(half, TimeUnit.MILLISECONDS).execute(() -> {
            if (!request.settled().get()) {
                sendRequest(to, id, kind, payload);
            }
        });
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            // Most probes are answered by now: the exception (its message formats the address with a regular
            // expression, and it fills in a stack trace) is made only for one that is not. A few per second,
            // but an idle node's gossip code runs in the interpreter for its first minutes.
            if (!request.settled().get()) {
                request.settle(null, new TimeoutException("no answer to a probe from " + to), timedOut);
            }
        });
        CompletableFuture.delayedExecutor(pendingFor.toMillis(), TimeUnit.MILLISECONDS).execute(() -> pending.remove(id));
        return reply;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private void sendRequest(Address to, long id, int kind, byte[] payload) {
        sentByDatagram.incrementAndGet();
        unicast.unicast(to, REQUEST_SUBJECT, ByteBuffer.allocate(9 + payload.length)
                .putLong(id).put((byte) kind).put(payload).array());
    }

    @Override
    public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
        super.registerHandler(type, handler, executor);
        int kind = KINDS.indexOf(type);
        if (kind >= 0) {
            take(kind, (from, payload) -> CompletableFuture.supplyAsync(() -> handler.apply(from, payload), executor));
        }
    }

    @Override
    public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
        super.registerHandler(type, handler);
        int kind = KINDS.indexOf(type);
        if (kind >= 0) {
            take(kind, handler);
        }
    }

    @Override
    public void unregisterHandler(String type) {
        super.unregisterHandler(type);
        int kind = KINDS.indexOf(type);
        if (kind >= 0) {
            handlers.set(kind, null);
        }
    }

    private void take(int kind, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
        handlers.set(kind, handler);
        listen();
    }

    /** Listens for requests and replies from the first handler registered or probe sent on. */
    private synchronized void listen() {
        if (!listening) {
            listening = true;
            unicast.addListener(REQUEST_SUBJECT, this::onRequest, Runnable::run);
            unicast.addListener(REPLY_SUBJECT, this::onReply, Runnable::run);
        }
    }

    /** A request: answered by the handler SWIM registered for its kind, to the address it names. */
    private void onRequest(Address from, byte[] datagram) {
        if (datagram.length < 9) {
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(datagram);
        long id = in.getLong();
        int kind = in.get();
        inContact(from);
        BiFunction<Address, byte[], CompletableFuture<byte[]>> handler =
                kind >= 0 && kind < handlers.length() ? handlers.get(kind) : null;
        if (handler == null) {
            return;
        }
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.apply(from, payload);
        } catch (RuntimeException e) { // a payload SWIM cannot decode: no answer, as over TCP
            return;
        }
        answer.whenComplete((reply, error) -> {
            if (error == null && reply != null) {
                unicast.unicast(from, REPLY_SUBJECT, ByteBuffer.allocate(8 + reply.length).putLong(id).put(reply).array());
            }
        });
    }

    /** A datagram of ours came back from {@code from}, or one of its own arrived: the two have a session. */
    private void inContact(Address from) {
        if (inContact.size() >= MAX_IN_CONTACT) {
            inContact.clear();
        }
        inContact.add(from);
    }

    /** A reply: taken only for a pending id, from the member the request went to. */
    private void onReply(Address from, byte[] datagram) {
        if (datagram.length < 8) {
            refusedReplies.incrementAndGet();
            return;
        }
        long id = ByteBuffer.wrap(datagram).getLong();
        Pending p = pending.get(id);
        if (p == null || !p.to().equals(from)) {
            refusedReplies.incrementAndGet();
            return;
        }
        inContact(from);
        if (p.kind() == KINDS.indexOf(PROBE) && p.timed().compareAndSet(false, true)) {
            probeTimeout.answeredAfter(Duration.ofNanos(System.nanoTime() - p.sentNanos()));
        }
        // Counted before the caller sees the answer (a test reads the count as soon as its probe returns).
        if (!p.settle(java.util.Arrays.copyOfRange(datagram, 8, datagram.length), null, answeredByDatagram)) {
            lateByDatagram.incrementAndGet(); // after the timeout, or a second reply: its round trip still counted
        }
    }
}
