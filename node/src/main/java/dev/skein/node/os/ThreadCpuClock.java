package dev.skein.node.os;

import com.sun.jna.Memory;

/**
 * The CPU time the calling thread has used, in nanoseconds (Linux's CLOCK_THREAD_CPUTIME_ID). Unlike the wall
 * clock it does not run while the thread waits for a core, so a timing taken on a busy machine (a node starting
 * beside the JIT and the gossip layer, or beside other nodes) measures the work, not the wait.
 */
public final class ThreadCpuClock {
    private static final int CLOCK_THREAD_CPUTIME_ID = 3;

    private ThreadCpuClock() {}

    /** This thread's CPU time so far. */
    public static long nanos() {
        try (Memory timespec = new Memory(16)) {
            if (LibC.clock_gettime(CLOCK_THREAD_CPUTIME_ID, timespec) != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
            }
            return timespec.getLong(0) * 1_000_000_000L + timespec.getLong(8);
        }
    }
}
