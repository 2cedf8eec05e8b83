package dev.skein.simulations.clock;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Simulated time for a whole simulation in one process: a queue of tasks, each due at an instant of virtual time,
 * run one after another on one thread (the clock's owner) in the order they are due. Time moves only from one
 * task to the next, so however long the host takes to run a task, it takes no virtual time: what the simulation
 * measures is what the protocol does with its timers and the network's delays, never how fast the host is.
 *
 * <p>The owner drives it: {@link #runFor}, or {@link #runUntil} a condition holds. A task that blocks (waits on
 * a future, sleeps) runs the queue from inside itself until what it waits for happens ({@link VirtualTime}), as
 * a thread would be blocked while others run. Any thread may add tasks.
 */
public final class VirtualClock {
    /** Where virtual {@code System.nanoTime()} starts: far from zero, as the host's is, so no code meets 0. */
    private static final long ORIGIN_NANOS = 1_000_000_000_000L;

    /** What the queue runs. */
    interface Task {
        void fire();

        boolean cancelled();
    }

    /** A task due at {@code at} (virtual nanoseconds); among those due at once, the one added first runs first. */
    private record Entry(long at, long order, Task task) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private final long epochMillis;
    private long now = ORIGIN_NANOS;
    private long added;
    private long ran;
    private volatile Thread owner;
    private int depth;
    private int deepest;
    private VirtualExecutor common;

    /** A clock whose wall time starts at {@code epochMillis} (what {@code System.currentTimeMillis()} reads). */
    public VirtualClock(long epochMillis) {
        this.epochMillis = epochMillis;
    }

    /** What runs the asynchronous steps that name no executor, and delayed ones: the JDK's common pool here. */
    synchronized VirtualExecutor common() {
        if (common == null) {
            common = new VirtualExecutor(this, java.util.concurrent.Executors.defaultThreadFactory());
        }
        return common;
    }

    /** Makes {@code thread} the one that runs the tasks (the simulation's driver). */
    public void own(Thread thread) {
        owner = thread;
    }

    boolean owns(Thread thread) {
        return thread == owner;
    }

    /** Virtual {@code System.nanoTime()}. */
    public synchronized long nanos() {
        return now;
    }

    /** Virtual time run since the clock started. */
    public synchronized long elapsedNanos() {
        return now - ORIGIN_NANOS;
    }

    /** Virtual {@code System.currentTimeMillis()}: the epoch the clock started at, plus the time run since. */
    public synchronized long millis() {
        return epochMillis + TimeUnit.NANOSECONDS.toMillis(now - ORIGIN_NANOS);
    }

    /** Tasks run so far; the deepest a blocked task's wait nested other tasks' runs. */
    public synchronized long[] counters() {
        return new long[] {ran, deepest};
    }

    /** Queues {@code task} to run {@code delayNanos} from now; returns the instant it is due. */
    synchronized long add(Task task, long delayNanos) {
        long at = now + Math.max(0, delayNanos);
        queue.add(new Entry(at, added++, task));
        return at;
    }

    /** The next task due at or before {@code limit}, with time moved to it; null if none. */
    private synchronized Task next(long limit) {
        while (true) {
            Entry e = queue.peek();
            if (e == null || e.at() > limit) {
                return null;
            }
            queue.poll();
            if (!e.task().cancelled()) {
                now = Math.max(now, e.at());
                ran++;
                return e.task();
            }
        }
    }

    private synchronized void advanceTo(long at) {
        now = Math.max(now, at);
    }

    /** Runs every task due within {@code nanos} from now, then sets the time to that instant. */
    public void runFor(long nanos) {
        long until;
        synchronized (this) {
            until = now + nanos;
        }
        runUntil(() -> false, until);
    }

    /**
     * Runs tasks in order until {@code done} holds (looked at before each task) or the time would pass
     * {@code deadline} (virtual nanoseconds); true if {@code done} holds. On a deadline the time is set to it.
     */
    public boolean runUntil(BooleanSupplier done, long deadline) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("only the clock's owner runs its tasks, not " + Thread.currentThread());
        }
        depth++;
        deepest = Math.max(deepest, depth);
        try {
            while (!done.getAsBoolean()) {
                Task t = next(deadline);
                if (t == null) {
                    // A wait with a deadline ends there; one without, with nothing left to run, leaves time alone.
                    if (deadline != Long.MAX_VALUE) {
                        advanceTo(deadline);
                    }
                    return done.getAsBoolean();
                }
                t.fire();
            }
            return true;
        } finally {
            depth--;
        }
    }

    /**
     * Runs the next task, however far ahead it is due: a spin-wait on the owner waits for something another
     * thread would do, and here that is a task.
     */
    void runNext() {
        Task t = next(Long.MAX_VALUE);
        if (t != null) {
            t.fire();
        }
    }
}
