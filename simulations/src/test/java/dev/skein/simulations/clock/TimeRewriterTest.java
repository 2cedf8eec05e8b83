package dev.skein.simulations.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.protocol.crypto.Ed25519Keys;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A class loaded through the {@link RewritingClassLoader} keeps time on the virtual clock: its sleeps, clocks,
 * executors (made with Executors or with new ScheduledThreadPoolExecutor), method references to the clock and
 * timed waits all read or run the clock, while the same class loaded normally uses the host's.
 */
class TimeRewriterTest {
    @Test
    void rewrittenCodeSleepsWaitsAndSchedulesOnTheVirtualClock() throws Exception {
        VirtualClock clock = new VirtualClock(1_000_000L);
        VirtualTime.install(clock);
        clock.own(Thread.currentThread());
        ClassLoader loader = new RewritingClassLoader(getClass().getClassLoader());
        Class<?> sample = Class.forName("dev.skein.simulations.sample.UsesTime", true, loader);
        assertEquals(loader, sample.getClassLoader(), "loaded again, not by the parent");
        Method run = sample.getMethod("run");
        long hostBefore = System.nanoTime();
        long[] seen = (long[]) run.invoke(null);
        long hostTook = System.nanoTime() - hostBefore;
        // UsesTime sleeps 60 s, waits 30 s on a future a timer completes, and reads each clock before and after.
        assertEquals(TimeUnit.SECONDS.toNanos(60), seen[0], "Thread.sleep(60 s) took 60 s of System.nanoTime()");
        assertEquals(60_000, seen[1], "and 60 s of System.currentTimeMillis(), through a method reference");
        assertEquals(TimeUnit.SECONDS.toNanos(30), seen[2], "the executor's task completed the wait at 30 s");
        assertEquals(3, seen[3], "a new ScheduledThreadPoolExecutor's periodic task ran at 0, 10 and 20 s");
        assertEquals(clock.millis(), seen[4], "Instant.now() reads the virtual wall clock");
        assertEquals(clock.millis(), seen[5], "and so does Clock.systemUTC(), which stamps the log's lines");
        assertTrue(hostTook < TimeUnit.SECONDS.toNanos(60), "the host did not wait the 90 s: " + hostTook / 1e9);
    }

    @Test
    void rewrittenCodeSharesItsSignatureChecksAndGetsTheSameAnswers() throws Exception {
        ClassLoader loader = new RewritingClassLoader(getClass().getClassLoader());
        Method checks = Class.forName("dev.skein.simulations.sample.UsesTime", true, loader)
                .getMethod("checks", byte[].class, byte[].class, byte[].class);
        byte[] key = Ed25519Keys.generatePrivateKey(new SecureRandom());
        byte[] pub = Ed25519Keys.publicKey(key);
        byte[] message = "a record".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Ed25519Keys.sign(key, message);
        int before = SharedSignatureChecks.remembered();
        assertEquals(true, checks.invoke(null, pub, message, signature));
        assertEquals(before + 1, SharedSignatureChecks.remembered(), "the check went through the shared memory");
        assertEquals(true, checks.invoke(null, pub, message, signature));
        assertEquals(before + 1, SharedSignatureChecks.remembered(), "and was answered from it the second time");
        byte[] forged = signature.clone();
        forged[0] ^= 1;
        assertEquals(false, checks.invoke(null, pub, message, forged), "a forged signature is still refused");
        assertEquals(false, checks.invoke(null, pub, "another record".getBytes(StandardCharsets.UTF_8), signature));
        assertEquals(false, checks.invoke(null, pub, message, new byte[3]), "and a malformed one");
    }
}
