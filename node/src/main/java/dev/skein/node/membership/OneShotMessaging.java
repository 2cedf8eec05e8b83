package dev.skein.node.membership;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.utils.net.Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Atomix's TCP messaging with every message on a connection of its own, closed once it is sent or answered.
 *
 * <p>Why: Atomix 3.1 sends every one-way message on a pooled connection that it never closes, whatever
 * {@code keepAlive} says, and its event service, started with every cluster, sends to each new member and
 * gossips to random ones. So a node ends up holding a TCP connection to every member of the mesh: at 256
 * members, 510 idle sockets per node (both ends of each), half the default limit of open files. SWIM's probes
 * are already one-shot; one-way messages are rare and small, so a connection each costs little.
 *
 * <p>Atomix only closes a one-shot connection when the request is answered or times out, so a one-way message
 * goes as a request with a short timeout: its handler never answers, and a timeout means it was delivered.
 */
final class OneShotMessaging implements ManagedMessagingService {
    /** How long a one-way message's connection stays open after it is written: it is closed when this ends. */
    static final Duration ONE_WAY_LINGER = Duration.ofMillis(250);
    private final ManagedMessagingService real;

    OneShotMessaging(ManagedMessagingService real) {
        this.real = real;
    }

    @Override
    public Address address() {
        return real.address();
    }

    @Override
    public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
        return real.sendAndReceive(to, type, payload, false, ONE_WAY_LINGER).handle((reply, error) -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause == null || cause instanceof TimeoutException) {
                return null;
            }
            throw new CompletionException(cause);
        });
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive) {
        return real.sendAndReceive(to, type, payload, false);
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Executor executor) {
        return real.sendAndReceive(to, type, payload, false, executor);
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Duration timeout) {
        return real.sendAndReceive(to, type, payload, false, timeout);
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Duration timeout, Executor executor) {
        return real.sendAndReceive(to, type, payload, false, timeout, executor);
    }

    @Override
    public void registerHandler(String type, BiConsumer<Address, byte[]> handler, Executor executor) {
        real.registerHandler(type, handler, executor);
    }

    @Override
    public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
        real.registerHandler(type, handler, executor);
    }

    @Override
    public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
        real.registerHandler(type, handler);
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
}
