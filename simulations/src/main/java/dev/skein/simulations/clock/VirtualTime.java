package dev.skein.simulations.clock;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What the simulated code calls instead of the JDK's clocks, executors and blocking waits: {@link TimeRewriter}
 * puts each call to {@code System.nanoTime()}, {@code Executors.newSingleThreadScheduledExecutor(..)},
 * {@code future.get(timeout)} and the rest (see the rewriter's table) in the classes of Atomix and Skein that a
 * {@link RewritingClassLoader} loads. Each has the original's signature, the receiver first for an instance
 * method, so the call site is changed and nothing else.
 *
 * <p>A wait on the clock's own thread runs the clock's tasks until what it waits for happens or its timeout
 * passes in virtual time. A wait on any other thread (nothing simulated runs there) is the JDK's own.
 */
public final class VirtualTime {
    private static volatile VirtualClock clock;

    private VirtualTime() {
    }

    /** Sets the clock every rewritten class reads; one per process, set before the first such class loads. */
    public static void install(VirtualClock c) {
        clock = c;
    }

    static VirtualClock clock() {
        VirtualClock c = clock;
        if (c == null) {
            throw new IllegalStateException("no virtual clock installed");
        }
        return c;
    }

    private static boolean onClock() {
        return clock().owns(Thread.currentThread());
    }

    // --- clocks

    public static long nanoTime() {
        return clock().nanos();
    }

    public static long currentTimeMillis() {
        return clock().millis();
    }

    public static Instant now() {
        return Instant.ofEpochMilli(clock().millis());
    }

    /** The UTC clock (logback stamps each line with it): simulated time. */
    public static java.time.Clock systemUTC() {
        return new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return java.time.Clock.fixed(instant(), zone);
            }

            @Override
            public Instant instant() {
                return now();
            }
        };
    }

    // --- waits

    public static void sleep(long millis) throws InterruptedException {
        if (onClock()) {
            clock().runFor(TimeUnit.MILLISECONDS.toNanos(millis));
        } else {
            Thread.sleep(millis);
        }
    }

    public static void onSpinWait() {
        if (onClock()) {
            clock().runNext();
        } else {
            Thread.onSpinWait();
        }
    }

    /** Runs the clock until {@code f} is done or {@code timeoutNanos} pass; false on the timeout. */
    private static boolean await(Future<?> f, long timeoutNanos) {
        VirtualClock c = clock();
        long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : c.nanos() + timeoutNanos;
        return c.runUntil(f::isDone, deadline);
    }

    private static <T> void awaitForever(Future<T> f) {
        if (!await(f, Long.MAX_VALUE)) {
            throw new IllegalStateException("a wait without a timeout on the virtual clock: nothing left to run, and "
                    + "the future is not done");
        }
    }

    public static <T> T get(CompletableFuture<T> f) throws InterruptedException, ExecutionException {
        return futureGet(f);
    }

    public static <T> T get(CompletableFuture<T> f, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return futureGet(f, timeout, unit);
    }

    public static <T> T join(CompletableFuture<T> f) {
        if (onClock()) {
            awaitForever(f);
        }
        return f.join();
    }

    public static <T> T futureGet(Future<T> f) throws InterruptedException, ExecutionException {
        if (onClock()) {
            awaitForever(f);
        }
        return f.get();
    }

    public static <T> T futureGet(Future<T> f, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (onClock()) {
            if (!await(f, unit.toNanos(timeout))) {
                throw new TimeoutException("virtual " + unit.toMillis(timeout) + " ms");
            }
            return f.get();
        }
        return f.get(timeout, unit);
    }

    // --- executors: every one runs on the clock

    public static ScheduledExecutorService newSingleThreadScheduledExecutor() {
        return new VirtualExecutor(1);
    }

    public static ScheduledExecutorService newSingleThreadScheduledExecutor(ThreadFactory factory) {
        return new VirtualExecutor(1, factory);
    }

    public static ScheduledExecutorService newScheduledThreadPool(int threads) {
        return new VirtualExecutor(threads);
    }

    public static ScheduledExecutorService newScheduledThreadPool(int threads, ThreadFactory factory) {
        return new VirtualExecutor(threads, factory);
    }

    public static ExecutorService newSingleThreadExecutor() {
        return new VirtualExecutor(1);
    }

    public static ExecutorService newSingleThreadExecutor(ThreadFactory factory) {
        return new VirtualExecutor(1, factory);
    }

    public static ExecutorService newFixedThreadPool(int threads) {
        return new VirtualExecutor(threads);
    }

    public static ExecutorService newFixedThreadPool(int threads, ThreadFactory factory) {
        return new VirtualExecutor(threads, factory);
    }

    public static ExecutorService newCachedThreadPool() {
        return new VirtualExecutor(1);
    }

    public static ExecutorService newCachedThreadPool(ThreadFactory factory) {
        return new VirtualExecutor(1, factory);
    }

    public static Executor delayedExecutor(long delay, TimeUnit unit) {
        return delayedExecutor(delay, unit, clock().common());
    }

    public static Executor delayedExecutor(long delay, TimeUnit unit, Executor executor) {
        VirtualExecutor common = clock().common();
        return task -> common.schedule(() -> executor.execute(task), delay, unit);
    }

    public static <U> CompletableFuture<U> supplyAsync(Supplier<U> supplier) {
        return CompletableFuture.supplyAsync(supplier, clock().common());
    }

    public static CompletableFuture<Void> runAsync(Runnable runnable) {
        return CompletableFuture.runAsync(runnable, clock().common());
    }
}
