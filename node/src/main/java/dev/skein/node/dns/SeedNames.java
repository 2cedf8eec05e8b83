package dev.skein.node.dns;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's seeds as endpoints: resolved when configured (at start, at a reload) and, while any is a name, again
 * every {@link SeedLookup#INTERVAL} on a thread of its own; a change goes to the listener (membership).
 */
public final class SeedNames implements AutoCloseable {
    private final SeedLookup lookup;
    private volatile List<InetSocketAddress> configured;
    private volatile List<InetSocketAddress> current;
    private static final Consumer<List<InetSocketAddress>> NO_LISTENER = seeds -> { };
    private volatile Consumer<List<InetSocketAddress>> listener = NO_LISTENER;
    private ScheduledExecutorService timer;

    /** Resolves {@code configured} now (a name that does not resolve is left out until it does). */
    public SeedNames(SeedLookup lookup, List<InetSocketAddress> configured) {
        this.lookup = lookup;
        this.configured = List.copyOf(configured);
        this.current = lookup.resolve(this.configured);
    }

    /** The seeds' endpoints as last resolved. */
    public List<InetSocketAddress> current() {
        return current;
    }

    /** From now on, a change is told to {@code onChange}; names are asked again every minute. */
    public synchronized void follow(Consumer<List<InetSocketAddress>> onChange) {
        listener = onChange;
        askAgainWhileNamed();
    }

    /** Starts the timer once some seed is a name (none at all for literal addresses, the common case). */
    private void askAgainWhileNamed() {
        if (timer == null && SeedLookup.hasNames(configured)) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "skein-seed-names");
                t.setDaemon(true);
                return t;
            });
            long every = SeedLookup.INTERVAL.toMillis();
            timer.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** True while the names are asked again on a timer. */
    synchronized boolean asking() {
        return timer != null;
    }

    /** A reload: the new seeds, resolved now; returns their endpoints. */
    public synchronized List<InetSocketAddress> configure(List<InetSocketAddress> seeds) {
        configured = List.copyOf(seeds);
        current = lookup.resolve(configured);
        if (listener != NO_LISTENER) {
            askAgainWhileNamed();
        }
        return current;
    }

    private void refresh() {
        List<InetSocketAddress> before;
        List<InetSocketAddress> now;
        synchronized (this) {
            if (!SeedLookup.hasNames(configured)) {
                return;
            }
            before = current;
            now = lookup.resolve(configured);
            current = now;
        }
        if (!now.equals(before)) {
            listener.accept(now);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
