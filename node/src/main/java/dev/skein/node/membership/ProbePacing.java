package dev.skein.node.membership;

import io.atomix.cluster.protocol.GroupMembershipProtocol;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SWIM's probe rounds at a pace set by this member's health: one round per probe interval while probes come
 * back quickly, up to {@link ProbeTimeout#MAX_MULTIPLIER} intervals apart while they come back late. Lifeguard
 * (Dadgar et al., 2018; memberlist's "awareness") stretches a slow member's probe interval by the same factor as
 * its probe timeout; Atomix 3.1 probes at a fixed rate, so its round is taken over here.
 *
 * <p>Why: a probe round costs both ends a datagram each way through the overlay, encrypted, Kryo-decoded and
 * handled. When the host cannot keep up (32 nodes forming on two cores), every round adds to what it cannot keep
 * up with: 32 young nodes probing 8 times a second wanted more than the two cores, and the mesh did not form in
 * 240 s. A member that is late answering is already known to be slow ({@link ProbeTimeout}), so probing it less
 * often loses little; in a healthy mesh, where a round trip takes milliseconds, the factor is 1 and failure
 * detection is as fast as before.
 *
 * <p>Atomix has no setting for it: its {@code probeFuture} is cancelled and its private {@code probe()} called on
 * its own SWIM scheduler, so a round runs on the thread and with the state it always did. Should Atomix's
 * internals not be what this expects, Atomix's fixed rate stays (logged once).
 */
final class ProbePacing {
    private static final Logger log = LoggerFactory.getLogger(ProbePacing.class);

    private final Object protocol;
    private final Method probe;
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final DoubleSupplier factor;

    private ProbePacing(Object protocol, Method probe, ScheduledExecutorService scheduler, Duration interval,
                        DoubleSupplier factor) {
        this.protocol = protocol;
        this.probe = probe;
        this.scheduler = scheduler;
        this.interval = interval;
        this.factor = factor;
    }

    /**
     * Takes over the probe rounds of a started SWIM {@code protocol}: every {@code interval} times
     * {@code factor} (read before each round, at least 1). False, and Atomix's own rounds left running, if the
     * protocol is not the SWIM this was written for.
     */
    static boolean install(GroupMembershipProtocol protocol, Duration interval, DoubleSupplier factor) {
        try {
            Class<?> swim = protocol.getClass();
            Field futureField = swim.getDeclaredField("probeFuture");
            Field schedulerField = swim.getDeclaredField("swimScheduler");
            Method probe = swim.getDeclaredMethod("probe");
            futureField.setAccessible(true);
            schedulerField.setAccessible(true);
            probe.setAccessible(true);
            ScheduledFuture<?> fixedRate = (ScheduledFuture<?>) futureField.get(protocol);
            ScheduledExecutorService scheduler = (ScheduledExecutorService) schedulerField.get(protocol);
            if (fixedRate == null || scheduler == null) {
                log.warn("gossip: SWIM has not started its probe rounds; its fixed rate stays");
                return false;
            }
            ProbePacing pacing = new ProbePacing(protocol, probe, scheduler, interval, factor);
            fixedRate.cancel(false);
            pacing.next();
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("gossip: cannot pace SWIM's probe rounds ({}); its fixed rate stays", e.toString());
            return false;
        }
    }

    /** {@code base} times the factor, taken as 1 to {@link ProbeTimeout#MAX_MULTIPLIER} (the wait before a round). */
    static long stretchedNanos(Duration base, double factor) {
        double f = Double.isFinite(factor) ? Math.max(1.0, Math.min(ProbeTimeout.MAX_MULTIPLIER, factor)) : 1.0;
        return (long) (base.toNanos() * f);
    }

    private void next() {
        try {
            scheduler.schedule(this::round, stretchedNanos(interval, factor.getAsDouble()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // SWIM stopped (its scheduler is shut down when the member leaves): no more rounds.
        }
    }

    private void round() {
        try {
            probe.invoke(protocol);
        } catch (InvocationTargetException e) {
            log.debug("gossip: a probe round failed", e.getCause()); // as under Atomix's own schedule: the next one runs
        } catch (IllegalAccessException e) {
            log.warn("gossip: SWIM's probe round cannot be called ({}); no more probes", e.toString());
            return;
        }
        next();
    }
}
