package dev.skein.simulations;

import dev.skein.node.membership.GossipTransport;
import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.utils.net.Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * One simulated node's gossip transport: Atomix's real TCP messaging and UDP unicast, with each message first
 * put to the {@link Fabric}, which may drop it (the node is dead or paused, a partition separates the two, or
 * random loss). A dropped request is never answered, so the sender times out exactly as over a lossy network.
 * The sender decides a request's fate, the receiver its reply's.
 */
final class FaultyTransport implements GossipTransport {
    /** Atomix's timeout for requests that name none. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sim-transport-timer");
        t.setDaemon(true);
        return t;
    });

    private final Fabric fabric;
    private final String self;

    FaultyTransport(Fabric fabric, String selfAddress) {
        this.fabric = fabric;
        this.self = selfAddress;
    }

    private boolean sends(Address to) {
        return fabric.passes(self, to.host());
    }

    private static <T> CompletableFuture<T> timeout(Duration after) {
        CompletableFuture<T> f = new CompletableFuture<>();
        TIMER.schedule(() -> f.completeExceptionally(new TimeoutException("dropped by the simulation")),
                after.toMillis(), TimeUnit.MILLISECONDS);
        return f;
    }

    @Override
    public ManagedMessagingService messaging(ManagedMessagingService real) {
        return new ManagedMessagingService() {
            @Override
            public Address address() {
                return real.address();
            }

            @Override
            public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
                return sends(to) ? real.sendAsync(to, type, payload, keepAlive) : CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive) {
                return sends(to) ? real.sendAndReceive(to, type, payload, keepAlive) : timeout(DEFAULT_TIMEOUT);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                            Executor executor) {
                return sends(to) ? real.sendAndReceive(to, type, payload, keepAlive, executor)
                        : timeout(DEFAULT_TIMEOUT);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                            Duration timeout) {
                return sends(to) ? real.sendAndReceive(to, type, payload, keepAlive, timeout) : timeout(timeout);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                            Duration timeout, Executor executor) {
                return sends(to) ? real.sendAndReceive(to, type, payload, keepAlive, timeout, executor)
                        : timeout(timeout);
            }

            @Override
            public void registerHandler(String type, BiConsumer<Address, byte[]> handler, Executor executor) {
                real.registerHandler(type, handler, executor);
            }

            @Override
            public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
                real.registerHandler(type, (BiFunction<Address, byte[], CompletableFuture<byte[]>>) (from, payload) ->
                        sends(from) ? CompletableFuture.supplyAsync(() -> handler.apply(from, payload), executor)
                                : new CompletableFuture<>());
            }

            @Override
            public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
                real.registerHandler(type, (BiFunction<Address, byte[], CompletableFuture<byte[]>>) (from, payload) ->
                        sends(from) ? handler.apply(from, payload) : new CompletableFuture<>());
            }

            @Override
            public void unregisterHandler(String type) {
                real.unregisterHandler(type);
            }

            @Override
            public CompletableFuture<MessagingService> start() {
                return real.start().thenApply(started -> this);
            }

            @Override
            public boolean isRunning() {
                return real.isRunning();
            }

            @Override
            public CompletableFuture<Void> stop() {
                return real.stop();
            }
        };
    }

    @Override
    public ManagedUnicastService unicast(ManagedUnicastService real) {
        return new ManagedUnicastService() {
            @Override
            public void unicast(Address to, String type, byte[] payload) {
                if (sends(to)) {
                    real.unicast(to, type, payload);
                }
            }

            @Override
            public void addListener(String type, BiConsumer<Address, byte[]> listener, Executor executor) {
                real.addListener(type, listener, executor);
            }

            @Override
            public void removeListener(String type, BiConsumer<Address, byte[]> listener) {
                real.removeListener(type, listener);
            }

            @Override
            public CompletableFuture<UnicastService> start() {
                return real.start().thenApply(started -> this);
            }

            @Override
            public boolean isRunning() {
                return real.isRunning();
            }

            @Override
            public CompletableFuture<Void> stop() {
                return real.stop();
            }
        };
    }
}
