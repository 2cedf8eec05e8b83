package dev.skein.node.dataplane;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that seal or open the packets of one batch at once, so that a pipeline uses more than one core when one
 * is not enough (wireguard-go's encryption and decryption workers). The pipeline's own thread hands over a batch
 * ({@link #run}): independent jobs, one packet each. It takes part itself and returns when every job is done.
 * So a peer's packets stay in order without wireguard-go's per-peer queues: what must happen in order (the
 * counters, the UDP send, the replay window, the TUN write) happens before or after the batch, on the
 * pipeline's thread, as with one worker.
 *
 * <p>Each worker is a {@link Lane} with its own cipher instance. One worker is the pipeline's thread alone: no
 * thread is started and every job runs inline. A helper waits for the next batch spinning for {@link #SPIN_NANOS},
 * since under load the next one follows within microseconds, then parks.
 */
final class CipherWorkers implements AutoCloseable {
    /** A batch this small is sealed by the pipeline's thread alone: waking a helper costs more than it saves. */
    static final int MIN_SHARED = 4;
    /** How long an idle helper spins for the next batch before it parks. */
    static final long SPIN_NANOS = 20_000;

    /** One worker's own means: its cipher instance, and an index by which a job keeps per-lane buffers. */
    static final class Lane {
        final int index;
        final ThreadCipher cipher = new ThreadCipher();

        Lane(int index) {
            this.index = index;
        }
    }

    /** The jobs of one batch: {@link #run} is called once for each index from 0 to the count less one, on any lane. */
    interface Job {
        void run(int index, Lane lane);
    }

    /** One batch: its jobs are claimed one at a time by whichever lane is free. */
    private static final class Batch {
        final Job job;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Batch(Job job, int count) {
            this.job = job;
            this.count = count;
        }

        void work(Lane lane) {
            for (int i; (i = next.getAndIncrement()) < count; ) {
                try {
                    job.run(i, lane);
                } catch (Throwable e) {
                    failure = e; // rethrown on the pipeline's thread
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final Lane own = new Lane(0);
    private final Thread[] helpers;
    private volatile Batch current;
    private volatile boolean closed;

    /** {@code workers} lanes, the calling pipeline's thread one of them; the others are threads named {@code name-i}. */
    CipherWorkers(int workers, String name) {
        if (workers < 1) {
            throw new IllegalArgumentException("at least one worker: " + workers);
        }
        helpers = new Thread[workers - 1];
        for (int i = 0; i < helpers.length; i++) {
            Lane lane = new Lane(i + 1);
            Thread t = new Thread(() -> help(lane), name + "-" + (i + 1));
            t.setDaemon(true);
            helpers[i] = t;
            t.start();
        }
    }

    int workers() {
        return helpers.length + 1;
    }

    /**
     * Runs jobs 0 to {@code count - 1} of {@code job} on this thread and the helpers, and returns when all are done;
     * an exception a job threw is thrown here. One thread only may call it: the pipeline's.
     */
    void run(int count, Job job) {
        if (helpers.length == 0 || count < MIN_SHARED) {
            for (int i = 0; i < count; i++) {
                job.run(i, own);
            }
            return;
        }
        Batch batch = new Batch(job, count);
        current = batch;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        batch.work(own);
        // What is left runs on a helper: one packet each, a microsecond or two, unless the helper lost its core.
        for (int spins = 0; batch.done.get() < count; spins++) {
            if (spins < 1000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Throwable failure = batch.failure;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private void help(Lane lane) {
        Batch last = null;
        while (!closed) {
            Batch batch = current;
            if (batch != last) {
                batch.work(lane);
                last = batch;
                continue;
            }
            long until = System.nanoTime() + SPIN_NANOS;
            for (int i = 0; current == last && !closed; i++) {
                if ((i & 63) == 0 && System.nanoTime() > until) {
                    // An unpark between the check above and this park is kept: the park returns at once.
                    LockSupport.park(this);
                    break;
                }
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
    }
}
