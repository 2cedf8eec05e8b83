package dev.skein.node.membership;

import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.utils.net.Address;
import io.netty.channel.Channel;
import io.netty.channel.FixedRecvByteBufAllocator;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomix's UDP unicast (SWIM's gossip) with every datagram read whole, and a bounded number of them held at once.
 * Atomix gives its datagram channel Netty's {@code DefaultMaxBytesRecvByteBufAllocator}, which spends a budget of
 * 64 KiB per read loop and sizes each buffer by what is left of it: when many gossip datagrams wait at once (a
 * mesh forming, dozens of members), the last one read in a loop lands in a buffer smaller than itself, the kernel
 * cuts it, and Atomix's decoder fails ({@code IndexOutOfBoundsException: readerIndex(4) + length(523) exceeds
 * writerIndex(423)}), losing that gossip. Once the channel is open this gives it buffers that hold the largest UDP
 * datagram, and at most {@link #DATAGRAMS_PER_READ} of them per read loop: Netty's NIO datagram channel reads a
 * whole loop before it hands any datagram on, so a loop holds all its buffers at once, and an unbounded one (the
 * first version of this class gave it a 64 MiB budget) took a node's whole direct memory when hundreds of
 * datagrams waited at 32 nodes on two cores ({@code OutOfMemoryError: Cannot reserve 4194304 bytes of direct
 * buffer memory}). The channel is a private field of Atomix's service, reached by reflection: it has no setting
 * for it.
 */
final class WholeDatagrams implements ManagedUnicastService {
    private static final Logger log = LoggerFactory.getLogger(WholeDatagrams.class);
    /** The largest UDP payload over IPv4. */
    static final int LARGEST_DATAGRAM = 65507;
    /** Datagrams read per loop: 1 MiB of buffers at most, and the event loop turns to its other work between. */
    static final int DATAGRAMS_PER_READ = 16;

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
        return c != null && c.config().getRecvByteBufAllocator() instanceof FixedRecvByteBufAllocator a
                && a.maxMessagesPerRead() == DATAGRAMS_PER_READ;
    }

    private void fixBuffers() {
        Channel c = channel();
        if (c == null) {
            log.warn("gossip: cannot reach Atomix's datagram channel; large gossip datagrams may be cut under load");
            return;
        }
        // Each buffer the largest datagram's size, never what is left of a budget. Reading on while datagrams may
        // wait (not stopping at the first datagram shorter than its buffer, Netty's guess that the socket is empty)
        // but never more than DATAGRAMS_PER_READ in one loop.
        FixedRecvByteBufAllocator buffers = new FixedRecvByteBufAllocator(LARGEST_DATAGRAM);
        buffers.respectMaybeMoreData(false);
        buffers.maxMessagesPerRead(DATAGRAMS_PER_READ);
        c.config().setRecvByteBufAllocator(buffers);
    }

    /** Atomix's datagram channel, or null if this version of Atomix keeps it elsewhere. */
    Channel channel() {
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
