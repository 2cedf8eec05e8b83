package dev.skein.simulations;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.cluster.messaging.MessagingException;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.utils.net.Address;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * The gossip layer's network in memory: Atomix's messaging (requests, answers, one-way messages) and unicast
 * between simulated nodes, handed over by two "wire" threads instead of TCP connections and UDP sockets.
 *
 * <p>Why: over loopback TCP, Atomix opens a connection per SWIM probe, and on this 2-core machine 256 nodes'
 * connection handling alone outruns the CPU, so the start-up backlog grows until the process passes its open
 * files limit. Everything above the transport (SWIM, Atomix's serialization, Skein's records, certificates and
 * routes) runs unchanged, and the same {@link FaultyTransport} puts every message to the {@link Fabric}. The
 * loopback transport stays for smaller meshes, the test, and to check that both give the same figures.
 *
 * <p>It behaves like Atomix's own: a request to an address nobody listens on fails (connection refused), one
 * to a type without a handler fails with {@link MessagingException.NoRemoteHandler}, and one whose handler does
 * not answer times out. It counts each message's payload and type name as the traffic it would carry.
 */
final class MemoryNetwork implements AutoCloseable {
    /** Atomix's timeout for requests that name none. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** A handler as the wire calls it: returns the answer to come, or null for a message that gets none. */
    private interface Handler extends BiFunction<Address, byte[], CompletableFuture<byte[]>> {}

    private record Listener(BiConsumer<Address, byte[]> consumer, Executor executor) {}

    private final Map<Address, Map<String, Handler>> messaging = new ConcurrentHashMap<>();
    private final Map<Address, Map<String, List<Listener>>> unicast = new ConcurrentHashMap<>();
    private final ExecutorService wire = Executors.newFixedThreadPool(2, r -> daemon(r, "sim-wire"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
            "sim-wire-timer"));
    /** How long each message (and each answer) takes to arrive. */
    private final Duration latency;
    private final LongAdder bytes = new LongAdder();
    private final LongAdder messages = new LongAdder();

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    MemoryNetwork(Duration latency) {
        this.latency = latency;
    }

    /** Hands {@code delivery} to the wire once the message has crossed the network. */
    private void carry(Runnable delivery) {
        if (latency.isZero()) {
            wire.execute(delivery);
        } else {
            timer.schedule(() -> wire.execute(delivery), latency.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** {bytes, messages} carried so far: each message's payload and type, answers included. */
    long[] counters() {
        return new long[] {bytes.sum(), messages.sum()};
    }

    private final Map<String, LongAdder[]> byType = new ConcurrentHashMap<>();

    private void count(String type, byte[] payload) {
        bytes.add(payload.length + type.length());
        messages.increment();
        LongAdder[] t = byType.computeIfAbsent(type, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        t[0].add(payload.length + type.length());
        t[1].increment();
    }

    /** Messages and bytes so far per message type, the busiest first: what the gossip is made of. */
    String breakdown() {
        StringBuilder b = new StringBuilder();
        byType.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0].sum(), x.getValue()[0].sum()))
                .forEach(e -> b.append(String.format(java.util.Locale.ROOT, "  %-40s %10d messages %12d bytes%n",
                        e.getKey(), e.getValue()[1].sum(), e.getValue()[0].sum())));
        return b.toString();
    }

    /** The messaging service of the node whose gossip address is {@code self}. */
    ManagedMessagingService messaging(Address self) {
        return new Messaging(self);
    }

    /** The unicast service of the node whose gossip address is {@code self}. */
    ManagedUnicastService unicast(Address self) {
        return new Unicast(self);
    }

    @Override
    public void close() {
        wire.shutdownNow();
        timer.shutdownNow();
    }

    private CompletableFuture<byte[]> request(Address from, Address to, String type, byte[] payload,
                                              Duration timeout) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        count(type, payload);
        carry(() -> {
            Map<String, Handler> target = messaging.get(to);
            if (target == null) {
                answer.completeExceptionally(new ConnectException("connection refused: " + to));
                return;
            }
            Handler handler = target.get(type);
            if (handler == null) {
                answer.completeExceptionally(new MessagingException.NoRemoteHandler());
                return;
            }
            CompletableFuture<byte[]> reply;
            try {
                reply = handler.apply(from, payload);
            } catch (RuntimeException e) {
                answer.completeExceptionally(new MessagingException.RemoteHandlerFailure());
                return;
            }
            if (reply != null) {
                reply.whenComplete((bytes, error) -> {
                    if (error != null) {
                        answer.completeExceptionally(new MessagingException.RemoteHandlerFailure());
                    } else {
                        count(type, bytes == null ? new byte[0] : bytes);
                        if (latency.isZero()) {
                            answer.complete(bytes);
                        } else {
                            carry(() -> answer.complete(bytes));
                        }
                    }
                });
            }
        });
        ScheduledFuture<?> expiry = timer.schedule(() -> answer.completeExceptionally(
                new TimeoutException("no answer from " + to + " to " + type)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        answer.whenComplete((bytes, error) -> expiry.cancel(false));
        return answer;
    }

    private final class Messaging implements ManagedMessagingService {
        private final Address self;
        private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
        private volatile boolean running;

        Messaging(Address self) {
            this.self = self;
        }

        @Override
        public Address address() {
            return self;
        }

        @Override
        public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
            // One-way: done once delivered; any answer is dropped. A refused connection fails, as over TCP.
            count(type, payload);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            carry(() -> {
                Map<String, Handler> target = messaging.get(to);
                if (target == null) {
                    sent.completeExceptionally(new ConnectException("connection refused: " + to));
                    return;
                }
                Handler handler = target.get(type);
                try {
                    if (handler != null) {
                        handler.apply(self, payload);
                    }
                } catch (RuntimeException e) {
                    // the receiver's failure is not the sender's
                }
                sent.complete(null);
            });
            return sent;
        }

        @Override
        public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive) {
            return request(self, to, type, payload, DEFAULT_TIMEOUT);
        }

        @Override
        public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                        Executor executor) {
            return request(self, to, type, payload, DEFAULT_TIMEOUT).whenCompleteAsync((b, e) -> {}, executor);
        }

        @Override
        public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                        Duration timeout) {
            return request(self, to, type, payload, timeout);
        }

        @Override
        public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                        Duration timeout, Executor executor) {
            return request(self, to, type, payload, timeout).whenCompleteAsync((b, e) -> {}, executor);
        }

        @Override
        public void registerHandler(String type, BiConsumer<Address, byte[]> handler, Executor executor) {
            handlers.put(type, (from, payload) -> {
                try {
                    executor.execute(() -> handler.accept(from, payload));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the receiver is stopping: the message is lost, as with a connection reset
                }
                return null;
            });
        }

        @Override
        public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
            handlers.put(type, (from, payload) -> CompletableFuture.supplyAsync(() -> handler.apply(from, payload),
                    executor));
        }

        @Override
        public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
            handlers.put(type, handler::apply);
        }

        @Override
        public void unregisterHandler(String type) {
            handlers.remove(type);
        }

        @Override
        public CompletableFuture<MessagingService> start() {
            messaging.put(self, handlers);
            running = true;
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public CompletableFuture<Void> stop() {
            running = false;
            messaging.remove(self, handlers);
            return CompletableFuture.completedFuture(null);
        }
    }

    private final class Unicast implements ManagedUnicastService {
        private final Address self;
        private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
        private volatile boolean running;

        Unicast(Address self) {
            this.self = self;
        }

        @Override
        public void unicast(Address to, String type, byte[] payload) {
            count(type, payload);
            carry(() -> {
                Map<String, List<Listener>> target = unicast.get(to);
                List<Listener> ls = target == null ? null : target.get(type);
                if (ls != null) {
                    for (Listener l : ls) {
                        try {
                            l.executor().execute(() -> l.consumer().accept(self, payload));
                        } catch (java.util.concurrent.RejectedExecutionException e) {
                            // the receiver is stopping: its datagram is lost, as over UDP
                        }
                    }
                }
            });
        }

        @Override
        public void addListener(String type, BiConsumer<Address, byte[]> listener, Executor executor) {
            listeners.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(new Listener(listener, executor));
        }

        @Override
        public void removeListener(String type, BiConsumer<Address, byte[]> listener) {
            List<Listener> ls = listeners.get(type);
            if (ls != null) {
                ls.removeIf(l -> l.consumer() == listener);
            }
        }

        @Override
        public CompletableFuture<UnicastService> start() {
            unicast.put(self, listeners);
            running = true;
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public CompletableFuture<Void> stop() {
            running = false;
            unicast.remove(self, listeners);
            return CompletableFuture.completedFuture(null);
        }
    }
}
