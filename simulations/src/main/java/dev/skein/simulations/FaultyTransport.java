package dev.skein.simulations;

import dev.skein.node.membership.ForwardingMessaging;
import dev.skein.node.membership.GossipTransport;
import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.ManagedUnicastService;
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
 * One simulated node's gossip transport: Atomix's real TCP messaging and UDP unicast over loopback, or the
 * {@link MemoryNetwork}, with each message first put to the {@link Fabric}, which may drop it (the node is dead
 * or paused, a partition separates the two, or random loss). A dropped request is never answered, so the sender times out exactly as over a lossy network.
 * The sender decides a request's fate, the receiver its reply's.
 *
 * <p>It also notes when a message last arrived from each member: on a real node every gossip message arrives
 * through the member's WireGuard session and so counts as hearing from it ({@link SimPeers#lastHeardNanos}).
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
    private final MemoryNetwork network;
    private final String self;
    /** The gossip address of the run being built: Atomix builds the messaging service first, then unicast. */
    private volatile Address building;
    private final java.util.Map<String, Long> heard = new java.util.concurrent.ConcurrentHashMap<>();

    /** With a {@code network}, the gossip goes through it instead of loopback TCP and UDP. */
    FaultyTransport(Fabric fabric, MemoryNetwork network, String selfAddress) {
        this.fabric = fabric;
        this.network = network;
        this.self = selfAddress;
    }

    /** {@link #lastHeard} of a member never heard from: far in the past, yet safe to subtract from a time. */
    static final long NEVER_HEARD = Long.MIN_VALUE / 2;

    /** System.nanoTime() of the last message from the member at {@code address}, or {@link #NEVER_HEARD}. */
    long lastHeard(String address) {
        return heard.getOrDefault(address, NEVER_HEARD);
    }

    private void heardFrom(Address from) {
        heard.put(from.host(), System.nanoTime());
    }

    private CompletableFuture<byte[]> answered(Address to, CompletableFuture<byte[]> reply) {
        return reply.whenComplete((bytes, error) -> {
            if (error == null) {
                heardFrom(to);
            }
        });
    }

    private boolean sends(Address to, String type) {
        if (!fabric.passes(self, to.host(), type)) {
            return false;
        }
        if (fabric.carries(self, to.host())) {
            return true;
        }
        fabric.noSession(self, to.host());
        return false;
    }

    private boolean refused(Address to, String type) {
        return fabric.refuses(self, to.host(), type);
    }

    private static <T> CompletableFuture<T> refusal() {
        return CompletableFuture.failedFuture(new java.net.ConnectException("refused by the simulation"));
    }

    private static <T> CompletableFuture<T> timeout(Duration after) {
        CompletableFuture<T> f = new CompletableFuture<>();
        TIMER.schedule(() -> f.completeExceptionally(new TimeoutException("dropped by the simulation")),
                after.toMillis(), TimeUnit.MILLISECONDS);
        return f;
    }

    @Override
    public ManagedMessagingService messaging(ManagedMessagingService atomix) {
        building = atomix.address();
        ManagedMessagingService real = network == null ? atomix : network.messaging(atomix.address());
        return new ForwardingMessaging(real) {
            @Override
            public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
                return sends(to, type) ? real.sendAsync(to, type, payload, keepAlive) : CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive) {
                if (refused(to, type)) {
                    return refusal();
                }
                return sends(to, type) ? answered(to, real.sendAndReceive(to, type, payload, keepAlive))
                        : timeout(DEFAULT_TIMEOUT);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                            Executor executor) {
                if (refused(to, type)) {
                    return refusal();
                }
                return sends(to, type) ? answered(to, real.sendAndReceive(to, type, payload, keepAlive, executor))
                        : timeout(DEFAULT_TIMEOUT);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                            Duration timeout) {
                if (refused(to, type)) {
                    return refusal();
                }
                return sends(to, type) ? answered(to, real.sendAndReceive(to, type, payload, keepAlive, timeout))
                        : timeout(timeout);
            }

            @Override
            public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                            Duration timeout, Executor executor) {
                if (refused(to, type)) {
                    return refusal();
                }
                return sends(to, type) ? answered(to, real.sendAndReceive(to, type, payload, keepAlive, timeout, executor))
                        : timeout(timeout);
            }

            @Override
            public void registerHandler(String type, BiConsumer<Address, byte[]> handler, Executor executor) {
                real.registerHandler(type, (BiConsumer<Address, byte[]>) (from, payload) -> {
                    heardFrom(from);
                    handler.accept(from, payload);
                }, executor);
            }

            @Override
            public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
                real.registerHandler(type, (BiFunction<Address, byte[], CompletableFuture<byte[]>>) (from, payload) -> {
                    heardFrom(from);
                    return sends(from, type) ? CompletableFuture.supplyAsync(() -> handler.apply(from, payload), executor)
                            : new CompletableFuture<>();
                });
            }

            @Override
            public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
                real.registerHandler(type, (BiFunction<Address, byte[], CompletableFuture<byte[]>>) (from, payload) -> {
                    heardFrom(from);
                    return sends(from, type) ? handler.apply(from, payload) : new CompletableFuture<>();
                });
            }
        };
    }

    @Override
    public ManagedUnicastService unicast(ManagedUnicastService atomix) {
        ManagedUnicastService real = network == null ? atomix : network.unicast(building);
        return new ManagedUnicastService() {
            @Override
            public void unicast(Address to, String type, byte[] payload) {
                if (sends(to, type)) {
                    real.unicast(to, type, payload);
                }
            }

            private final java.util.Map<BiConsumer<Address, byte[]>, BiConsumer<Address, byte[]>> wrapped =
                    new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public void addListener(String type, BiConsumer<Address, byte[]> listener, Executor executor) {
                BiConsumer<Address, byte[]> w = (from, payload) -> {
                    heardFrom(from);
                    listener.accept(from, payload);
                };
                wrapped.put(listener, w);
                real.addListener(type, w, executor);
            }

            @Override
            public void removeListener(String type, BiConsumer<Address, byte[]> listener) {
                BiConsumer<Address, byte[]> w = wrapped.remove(listener);
                real.removeListener(type, w == null ? listener : w);
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
