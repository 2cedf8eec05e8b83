package dev.skein.simulations.clock;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * An executor whose tasks run on the {@link VirtualClock}: in place of every executor the simulated code makes
 * (Atomix's SWIM scheduler and thread contexts, Skein's membership thread, the simulation's own), put there by
 * {@link TimeRewriter}. It is a {@link ScheduledThreadPoolExecutor} only so that code which builds one with
 * {@code new} and sets its policies keeps working; it never starts a thread. Every task of every such executor
 * runs on the clock's one thread, so a single-threaded executor's tasks run one at a time, as they would.
 *
 * <p>Shutting down follows the JDK's defaults and the policies set: periodic tasks stop, delayed ones still run
 * unless {@code setExecuteExistingDelayedTasksAfterShutdownPolicy(false)} or {@link #shutdownNow}, and a task
 * given after shutdown goes to the rejection handler (which throws, unless the code chose another).
 */
public final class VirtualExecutor extends ScheduledThreadPoolExecutor {
    /** The delay of a task refused after shutdown, which the rejection handler chose to drop: never queued. */
    private static final long REFUSED = Long.MIN_VALUE;
    private final VirtualClock clock;
    private volatile boolean shutdown;
    /** Tasks queued and neither run for the last time nor cancelled: once shut down with none left, terminated. */
    private final Set<Task<?>> queued = ConcurrentHashMap.newKeySet();

    public VirtualExecutor(int corePoolSize) {
        this(corePoolSize, Executors.defaultThreadFactory());
    }

    public VirtualExecutor(int corePoolSize, ThreadFactory threadFactory) {
        this(VirtualTime.clock(), threadFactory);
    }

    VirtualExecutor(VirtualClock clock, ThreadFactory threadFactory) {
        super(1, threadFactory);
        this.clock = clock;
    }

    public VirtualExecutor(int corePoolSize, RejectedExecutionHandler handler) {
        this(corePoolSize, Executors.defaultThreadFactory(), handler);
    }

    public VirtualExecutor(int corePoolSize, ThreadFactory threadFactory, RejectedExecutionHandler handler) {
        this(corePoolSize, threadFactory);
        setRejectedExecutionHandler(handler);
    }

    /** One task on the clock: once, or again every {@code period} (fixed rate, > 0) or after {@code -period}. */
    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V>, VirtualClock.Task {
        private final long period;
        private volatile long at;

        Task(Callable<V> callable, long delayNanos) {
            super(callable);
            this.period = 0;
            this.at = delayNanos == REFUSED ? REFUSED : queue(delayNanos);
            if (delayNanos == REFUSED) {
                cancel(false);
            }
        }

        private long queue(long delayNanos) {
            queued.add(this);
            return clock.add(this, delayNanos);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            queued.remove(this);
            return cancelled;
        }

        Task(Runnable runnable, long delayNanos, long period) {
            super(runnable, null);
            this.period = period;
            this.at = queue(delayNanos);
        }

        @Override
        public void fire() {
            if (shutdown && (period != 0 || !getExecuteExistingDelayedTasksAfterShutdownPolicy())) {
                cancel(false);
                return;
            }
            if (period == 0) {
                queued.remove(this);
                run();
            } else if (runAndReset() && !shutdown) {
                long delay = period > 0 ? at + period - clock.nanos() : -period;
                at = clock.add(this, delay);
            } else {
                queued.remove(this);
            }
        }

        @Override
        public boolean cancelled() {
            return isCancelled();
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - clock.nanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    private <V> Task<V> refused() {
        return new Task<>(() -> null, REFUSED);
    }

    private boolean refuse(Runnable r) {
        if (shutdown) {
            getRejectedExecutionHandler().rejectedExecution(r, this);
            return true;
        }
        return false;
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public java.util.concurrent.Future<?> submit(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> java.util.concurrent.Future<T> submit(Runnable task, T result) {
        return schedule(Executors.callable(task, result), 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> java.util.concurrent.Future<T> submit(Callable<T> task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (refuse(command)) {
            return refused();
        }
        return new Task<>(command, unit.toNanos(delay), 0);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        if (refuse(() -> { })) {
            return refused();
        }
        return new Task<>(callable, unit.toNanos(delay));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("period " + period);
        }
        if (refuse(command)) {
            return refused();
        }
        return new Task<>(command, unit.toNanos(initialDelay), unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) {
            throw new IllegalArgumentException("delay " + delay);
        }
        if (refuse(command)) {
            return refused();
        }
        return new Task<>(command, unit.toNanos(initialDelay), -unit.toNanos(delay));
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    /** Cancels every task still queued and returns them, as the JDK's does. */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> never = new java.util.ArrayList<>(queued);
        never.forEach(t -> ((Task<?>) t).cancel(false));
        return never;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && queued.isEmpty();
    }

    @Override
    public boolean isTerminating() {
        return false;
    }

    /** On the clock's thread, runs the clock until the tasks left have run or {@code timeout} has passed. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        if (clock.owns(Thread.currentThread())) {
            return clock.runUntil(this::isTerminated, clock.nanos() + unit.toNanos(timeout));
        }
        return isTerminated();
    }
}
