package dev.skein.simulations.clock;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a simulation on a {@link VirtualClock}: installs the clock, loads the simulation's entry class again
 * through a {@link RewritingClassLoader}, and calls its {@code run(String[])} on the clock's thread, which then
 * drives the clock: every sleep, wait and poll of the simulation runs the queue of the nodes' tasks.
 *
 * <p>The thread is an Atomix thread because Atomix's thread contexts ask which thread runs their tasks (on the
 * clock, this one) and require it to be theirs.
 */
public final class VirtualRun {
    private VirtualRun() {
    }

    /** Runs {@code entryClass}'s static {@code run(String[])}; returns its result, rethrows its failure. */
    public static Object run(String entryClass, String[] args) throws Exception {
        VirtualClock clock = new VirtualClock(System.currentTimeMillis());
        VirtualTime.install(clock);
        ClassLoader loader = new RewritingClassLoader(VirtualRun.class.getClassLoader());
        Class<?> entry = Class.forName(entryClass, true, loader);
        Method run = entry.getDeclaredMethod("run", String[].class);
        run.setAccessible(true);
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable body = () -> {
            try {
                result.set(run.invoke(null, (Object) args));
            } catch (InvocationTargetException e) {
                failure.set(e.getCause());
            } catch (Throwable e) {
                failure.set(e);
            }
        };
        Class<?> atomixThread = Class.forName("io.atomix.utils.concurrent.AtomixThread", true, loader);
        Thread owner = (Thread) atomixThread.getConstructor(Runnable.class).newInstance(body);
        owner.setName("virtual-clock");
        owner.setContextClassLoader(loader);
        clock.own(owner);
        owner.start();
        long hostStart = System.nanoTime();
        // Once a minute of host time, how far the simulation has got: a large one runs for a long while.
        for (owner.join(60_000); owner.isAlive(); owner.join(60_000)) {
            System.err.printf("virtual clock: %.1f s simulated after %.0f s of host time%n",
                    clock.elapsedNanos() / 1e9, (System.nanoTime() - hostStart) / 1e9);
        }
        long[] counters = clock.counters();
        System.err.printf("virtual clock: %.1f s simulated, %d tasks run, waits nested %d deep at most%n",
                clock.elapsedNanos() / 1e9, counters[0], counters[1]);
        if (failure.get() instanceof Exception e) {
            throw e;
        } else if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        return result.get();
    }
}
