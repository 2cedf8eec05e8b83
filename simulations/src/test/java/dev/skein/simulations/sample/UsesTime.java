package dev.skein.simulations.sample;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/** Code that keeps time as Atomix and Skein do, for TimeRewriterTest (loaded through the rewriting loader). */
public final class UsesTime {
    private UsesTime() {
    }

    public static long[] run() throws Exception {
        LongSupplier wall = System::currentTimeMillis;
        long n0 = System.nanoTime();
        long w0 = wall.getAsLong();
        Thread.sleep(60_000);
        long slept = System.nanoTime() - n0;
        long wallSlept = wall.getAsLong() - w0;

        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        CompletableFuture<Long> done = new CompletableFuture<>();
        long n1 = System.nanoTime();
        timer.schedule(() -> done.complete(System.nanoTime()), 30, TimeUnit.SECONDS);
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1);
        AtomicInteger ticks = new AtomicInteger();
        own.scheduleAtFixedRate(ticks::incrementAndGet, 0, 10, TimeUnit.SECONDS);
        long completedAt = done.get(40, TimeUnit.SECONDS);
        own.shutdownNow();
        timer.shutdown();
        return new long[] {slept, wallSlept, completedAt - n1, ticks.get(), Instant.now().toEpochMilli(),
            java.time.Clock.systemUTC().millis()};
    }

    /** Checks a signature as membership does, for the test of SharedSignatureChecks. */
    public static boolean checks(byte[] publicKey, byte[] message, byte[] signature) {
        return dev.skein.protocol.crypto.Ed25519Keys.verify(publicKey, message, signature);
    }
}
