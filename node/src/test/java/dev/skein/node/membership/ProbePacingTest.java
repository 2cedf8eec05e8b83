package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.atomix.cluster.BootstrapService;
import io.atomix.cluster.Member;
import io.atomix.cluster.MemberId;
import io.atomix.cluster.discovery.NodeDiscoveryService;
import io.atomix.cluster.protocol.GroupMembershipEventListener;
import io.atomix.cluster.protocol.GroupMembershipProtocol;
import io.atomix.cluster.protocol.GroupMembershipProtocolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SWIM's probe rounds paced by this member's slowness: against a stand-in with the shape of Atomix 3.1's SWIM (its
 * {@code probeFuture}, {@code swimScheduler} and {@code probe()}), on a scheduler that records each wait and runs
 * a round only when the test says. The real SWIM is paced in GossipClusterTest.
 */
class ProbePacingTest {
    private static final Duration INTERVAL = Duration.ofMillis(125);

    /** Records what is scheduled instead of running it; shut down, it refuses as a real one does. */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final List<Long> waitsNanos = new ArrayList<>();
        final List<Runnable> rounds = new ArrayList<>();

        RecordingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (isShutdown()) {
                throw new RejectedExecutionException("shut down");
            }
            waitsNanos.add(unit.toNanos(delay));
            rounds.add(command);
            return null;
        }

        /** Runs the last round scheduled. */
        void runRound() {
            rounds.get(rounds.size() - 1).run();
        }
    }

    /** The shape ProbePacing expects of Atomix's SwimMembershipProtocol. */
    @SuppressWarnings("unused")
    private static class Swim implements GroupMembershipProtocol {
        private ScheduledFuture<?> probeFuture;
        private final RecordingScheduler swimScheduler;
        final AtomicInteger probes = new AtomicInteger();

        Swim(RecordingScheduler scheduler, ScheduledFuture<?> fixedRate) {
            this.swimScheduler = scheduler;
            this.probeFuture = fixedRate;
        }

        private void probe() {
            if (probes.incrementAndGet() == 2) {
                throw new IllegalStateException("a round that fails");
            }
        }

        @Override
        public Set<Member> getMembers() {
            return Set.of();
        }

        @Override
        public Member getMember(MemberId id) {
            return null;
        }

        @Override
        public CompletableFuture<Void> join(BootstrapService b, NodeDiscoveryService d, Member m) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> leave(Member m) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void addListener(GroupMembershipEventListener l) {
        }

        @Override
        public void removeListener(GroupMembershipEventListener l) {
        }

        @Override
        public GroupMembershipProtocolConfig config() {
            return null;
        }
    }

    private final ScheduledThreadPoolExecutor atomix = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        atomix.shutdownNow();
    }

    @Test
    void roundsComeOneIntervalApartTimesTheSlownessAndAtomixsFixedRateIsCancelled() {
        RecordingScheduler scheduler = new RecordingScheduler();
        ScheduledFuture<?> fixedRate = atomix.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.HOURS);
        Swim swim = new Swim(scheduler, fixedRate);
        AtomicReference<Double> slowness = new AtomicReference<>(1.0);
        assertTrue(ProbePacing.install(swim, INTERVAL, slowness::get));
        assertTrue(fixedRate.isCancelled(), "Atomix's own rounds no longer run");
        assertEquals(List.of(INTERVAL.toNanos()), scheduler.waitsNanos);

        slowness.set(3.0); // probes come back three times as slowly as SWIM's timeout allows: rounds 3x apart
        scheduler.runRound();
        assertEquals(1, swim.probes.get());
        assertEquals(3 * INTERVAL.toNanos(), scheduler.waitsNanos.get(1));

        slowness.set(100.0); // never more than Lifeguard's bound
        scheduler.runRound(); // this round fails inside SWIM: the next one is scheduled all the same
        assertEquals(2, swim.probes.get());
        assertEquals(ProbeTimeout.MAX_MULTIPLIER * INTERVAL.toNanos(), scheduler.waitsNanos.get(2));

        slowness.set(Double.NaN); // and never less than one interval
        scheduler.runRound();
        assertEquals(INTERVAL.toNanos(), scheduler.waitsNanos.get(3));

        scheduler.shutdown(); // SWIM left: its scheduler refuses, the rounds end without an error
        scheduler.runRound();
        assertEquals(4, swim.probes.get());
        assertEquals(4, scheduler.waitsNanos.size());
    }

    @Test
    void aProtocolOfAnotherShapeKeepsItsOwnRounds() {
        GroupMembershipProtocol other = new Swim(new RecordingScheduler(), null) {
        };
        // An anonymous subclass declares none of the fields: install finds nothing and changes nothing.
        assertFalse(ProbePacing.install(other, INTERVAL, () -> 1.0));
        RecordingScheduler scheduler = new RecordingScheduler();
        assertFalse(ProbePacing.install(new Swim(scheduler, null), INTERVAL, () -> 1.0), "not started yet");
        assertTrue(scheduler.waitsNanos.isEmpty());
    }
}
