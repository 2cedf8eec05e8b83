package dev.skein.node.membership;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.utils.net.Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * An Atomix messaging service that hands every call to another one: the base of the wrappers that change only
 * how messages are sent ({@link OneShotMessaging}) or which ones pass (the simulations' faults).
 */
public class ForwardingMessaging implements ManagedMessagingService {
    protected final ManagedMessagingService real;
    /** Messages sent through this service (SWIM's probes and gossip, our records and goodbyes). */
    private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();

    public ForwardingMessaging(ManagedMessagingService real) {
        this.real = real;
    }

    public long sent() {
        return sent.get();
    }

    /**
     * Called with the type of every message before it is sent, after it is counted in {@link #sent}: a test can
     * count by type here without overriding every way to send.
     */
    protected void sending(String type) {
    }

    private void count(String type) {
        sent.incrementAndGet();
        sending(type);
    }

    /** The keep-alive wish passed on with every send: the caller's, unless a subclass decides otherwise. */
    protected boolean keepAlive(boolean requested) {
        return requested;
    }

    @Override
    public Address address() {
        return real.address();
    }

    @Override
    public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
        count(type);
        return real.sendAsync(to, type, payload, keepAlive(keepAlive));
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive) {
        count(type);
        return real.sendAndReceive(to, type, payload, keepAlive(keepAlive));
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Executor executor) {
        count(type);
        return real.sendAndReceive(to, type, payload, keepAlive(keepAlive), executor);
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Duration timeout) {
        count(type);
        return real.sendAndReceive(to, type, payload, keepAlive(keepAlive), timeout);
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
                                                    Duration timeout, Executor executor) {
        count(type);
        return real.sendAndReceive(to, type, payload, keepAlive(keepAlive), timeout, executor);
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
