package dev.skein.simulations.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The clock and its executors, driven from the test's thread as a simulation's driver drives them. */
class VirtualClockTest {
    private static final long MS = 1_000_000;
    private VirtualClock clock;

    @BeforeEach
    void install() {
        clock = new VirtualClock(1_700_000_000_000L);
        VirtualTime.install(clock);
        clock.own(Thread.currentThread());
    }

    @Test
    void tasksRunInTheOrderTheyAreDueAndTimeMovesOnlyToThem() {
        VirtualExecutor a = new VirtualExecutor(1);
        VirtualExecutor b = new VirtualExecutor(1);
        List<String> ran = new ArrayList<>();
        long start = clock.nanos();
        a.schedule(() -> ran.add("a300@" + (clock.nanos() - start) / MS), 300, TimeUnit.MILLISECONDS);
        b.schedule(() -> ran.add("b100@" + (clock.nanos() - start) / MS), 100, TimeUnit.MILLISECONDS);
        a.execute(() -> ran.add("a0@" + (clock.nanos() - start) / MS));
        b.execute(() -> ran.add("b0@" + (clock.nanos() - start) / MS));
        clock.runFor(200 * MS);
        assertEquals(List.of("a0@0", "b0@0", "b100@100"), ran);
        assertEquals(200 * MS, clock.nanos() - start, "after running for 200 ms the clock reads 200 ms on");
        clock.runFor(1000 * MS);
        assertEquals("a300@300", ran.get(3));
        assertEquals(1_700_000_001_200L, clock.millis(), "wall time is the epoch plus the time run");
    }

    @Test
    void periodicTasksKeepTheirRateOrDelayAndStopAtShutdownOrCancel() {
        VirtualExecutor ex = new VirtualExecutor(1);
        List<Long> rate = new ArrayList<>();
        List<Long> delay = new ArrayList<>();
        long start = clock.nanos();
        ScheduledFuture<?> r = ex.scheduleAtFixedRate(() -> rate.add((clock.nanos() - start) / MS), 0, 100,
                TimeUnit.MILLISECONDS);
        ex.scheduleWithFixedDelay(() -> delay.add((clock.nanos() - start) / MS), 50, 250, TimeUnit.MILLISECONDS);
        clock.runFor(450 * MS);
        assertEquals(List.of(0L, 100L, 200L, 300L, 400L), rate);
        assertEquals(List.of(50L, 300L), delay);
        r.cancel(false);
        clock.runFor(90 * MS); // to 540 ms: the fixed-delay task is next due at 550
        assertEquals(5, rate.size(), "a cancelled periodic task does not run again");
        ex.shutdown();
        clock.runFor(1000 * MS);
        assertEquals(2, delay.size(), "periodic tasks stop at shutdown");
        assertTrue(ex.isTerminated());
    }

    @Test
    void afterShutdownDelayedTasksRunUnlessTheirPolicySaysNotAndNewOnesGoToTheHandler() {
        VirtualExecutor keeps = new VirtualExecutor(1);
        VirtualExecutor drops = new VirtualExecutor(1);
        drops.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        List<String> ran = new ArrayList<>();
        keeps.schedule(() -> ran.add("kept"), 10, TimeUnit.MILLISECONDS);
        drops.schedule(() -> ran.add("dropped"), 10, TimeUnit.MILLISECONDS);
        keeps.shutdown();
        drops.shutdown();
        assertFalse(keeps.isTerminated(), "a delayed task is still to run");
        assertTrue(keeps.awaitTermination(1, TimeUnit.SECONDS), "the owner's wait runs it");
        clock.runFor(100 * MS);
        assertEquals(List.of("kept"), ran);
        assertThrows(RejectedExecutionException.class, () -> keeps.execute(() -> ran.add("late")));
        drops.setRejectedExecutionHandler(new ThreadPoolExecutor.DiscardPolicy());
        drops.execute(() -> ran.add("discarded"));
        clock.runFor(100 * MS);
        assertEquals(List.of("kept"), ran);
    }

    @Test
    void aBlockingWaitOnTheOwnerRunsTheClockUntilTheFutureIsDoneOrItsTimeoutPasses() throws Exception {
        VirtualExecutor ex = new VirtualExecutor(1);
        CompletableFuture<String> f = new CompletableFuture<>();
        ex.schedule(() -> f.complete("done"), 3, TimeUnit.SECONDS);
        long start = clock.nanos();
        assertEquals("done", VirtualTime.get(f, 10, TimeUnit.SECONDS));
        assertEquals(3_000 * MS, clock.nanos() - start, "the wait took 3 s of virtual time");
        CompletableFuture<String> never = new CompletableFuture<>();
        assertThrows(TimeoutException.class, () -> VirtualTime.get(never, 2, TimeUnit.SECONDS));
        assertEquals(5_000 * MS, clock.nanos() - start, "a timed-out wait ends at its timeout");
        assertThrows(IllegalStateException.class, () -> VirtualTime.join(never),
                "a wait without a timeout, with nothing left to run, is a deadlock and says so");
        CompletableFuture<String> delayed = new CompletableFuture<>();
        VirtualTime.delayedExecutor(700, TimeUnit.MILLISECONDS).execute(() -> delayed.complete("late"));
        VirtualTime.sleep(699);
        assertFalse(delayed.isDone());
        VirtualTime.sleep(1);
        assertTrue(delayed.isDone());
    }
}
