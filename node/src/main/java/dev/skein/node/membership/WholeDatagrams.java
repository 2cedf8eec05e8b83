package dev.skein.node.membership;

import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.utils.net.Address;
import io.netty.channel.Channel;
import io.netty.channel.DefaultMaxBytesRecvByteBufAllocator;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomix's UDP unicast (SWIM's gossip) with every datagram read whole. Atomix gives its datagram channel Netty's
 * {@code DefaultMaxBytesRecvByteBufAllocator}, which spends a budget of 64 KiB per read loop and sizes each
 * buffer by what is left of it: when many gossip datagrams wait at once (a mesh forming, dozens of members), the
 * last one read in a loop lands in a buffer smaller than itself, the kernel cuts it, and Atomix's decoder fails
 * ({@code IndexOutOfBoundsException: readerIndex(4) + length(523) exceeds writerIndex(423)}), losing that gossip.
 * Once the channel is open this gives it the same allocator with a budget no read loop reaches, so every buffer
 * holds the largest UDP datagram (the channel is a private field of Atomix's service, reached by reflection: it
 * has no setting for it).
 */
final class WholeDatagrams implements ManagedUnicastService {
    private static final Logger log = LoggerFactory.getLogger(WholeDatagrams.class);
    /** The largest UDP payload over IPv4. */
    static final int LARGEST_DATAGRAM = 65507;
    /** Far more than a socket buffer holds (Atomix's is 64 KiB: the cause). */
    static final int READ_LOOP_BUDGET = 64 << 20;

    private final ManagedUnicastService delegate;

    WholeDatagrams(ManagedUnicastService delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<UnicastService> start() {
        return delegate.start().thenApply(service -> {
            fixBuffers();
            return this;
        });
    }

    /** True once the channel reads into buffers that hold any datagram. */
    boolean readsWholeDatagrams() {
        Channel c = channel();
        return c != null && c.config().getRecvByteBufAllocator() instanceof DefaultMaxBytesRecvByteBufAllocator a
                && a.maxBytesPerIndividualRead() == LARGEST_DATAGRAM && a.maxBytesPerRead() == READ_LOOP_BUDGET;
    }

    private void fixBuffers() {
        Channel c = channel();
        if (c == null) {
            log.warn("gossip: cannot reach Atomix's datagram channel; large gossip datagrams may be cut under load");
            return;
        }
        // Atomix's handle, which reads on while datagrams wait, but with a budget no read loop spends before the
        // socket's buffer is empty: each buffer is then the largest datagram's size, never what is left.
        c.config().setRecvByteBufAllocator(new DefaultMaxBytesRecvByteBufAllocator(READ_LOOP_BUDGET, LARGEST_DATAGRAM));
    }

    private Channel channel() {
        try {
            Field f = delegate.getClass().getDeclaredField("channel");
            f.setAccessible(true);
            return (Channel) f.get(delegate);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public boolean isRunning() {
        return delegate.isRunning();
    }

    @Override
    public CompletableFuture<Void> stop() {
        return delegate.stop();
    }

    @Override
    public void unicast(Address address, String subject, byte[] message) {
        delegate.unicast(address, subject, message);
    }

    @Override
    public void addListener(String subject, BiConsumer<Address, byte[]> listener, Executor executor) {
        delegate.addListener(subject, listener, executor);
    }

    @Override
    public void removeListener(String subject, BiConsumer<Address, byte[]> listener) {
        delegate.removeListener(subject, listener);
    }
}
