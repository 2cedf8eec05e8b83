package dev.skein.node.os;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadCpuClockTest {
    @Test
    void itCountsWorkAndNotWaiting() throws InterruptedException {
        long before = ThreadCpuClock.nanos();
        Thread.sleep(200);
        long slept = ThreadCpuClock.nanos() - before;
        assertTrue(slept < 50_000_000L, "200 ms asleep counted " + slept / 1e6 + " ms");

        long sum = 0;
        long start = ThreadCpuClock.nanos();
        for (int i = 0; i < 50_000_000; i++) {
            sum += i ^ (sum >>> 3);
        }
        long worked = ThreadCpuClock.nanos() - start;
        assertTrue(worked > 0, "work counted nothing (" + sum + ")");
    }
}
