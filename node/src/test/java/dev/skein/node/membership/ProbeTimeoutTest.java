package dev.skein.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The probe timeout: SWIM's own while answers are quick, twice the slowest recent answer while they are slow,
 * within 8 times SWIM's, and back to SWIM's 4 s after the last slow answer however few answers came since.
 */
class ProbeTimeoutTest {
    private static final Duration CONFIGURED = Duration.ofMillis(500);
    private static final Duration CAP = CONFIGURED.multipliedBy(ProbeTimeout.MAX_MULTIPLIER);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ProbeTimeout timeout = new ProbeTimeout(now::get);

    private void pass(Duration d) {
        now.addAndGet(d.toNanos());
    }

    /** {@code n} answers after {@code rtt} each, {@code apart} from one another. */
    private void answers(int n, Duration rtt, Duration apart) {
        for (int i = 0; i < n; i++) {
            pass(apart);
            timeout.answeredAfter(rtt);
        }
    }

    @Test
    void withoutAnswersOrWithQuickOnesItIsTheConfiguredTimeout() {
        assertEquals(CONFIGURED, timeout.timeout(CONFIGURED));
        for (int i = 0; i < 200; i++) {
            pass(Duration.ofMillis(125));
            timeout.answeredAfter(Duration.ofMillis(1 + i % 4));
        }
        assertEquals(CONFIGURED, timeout.timeout(CONFIGURED), "a healthy mesh keeps SWIM's timeout");
        answers(10, Duration.ofMillis(250), Duration.ofMillis(125));
        assertEquals(CONFIGURED, timeout.timeout(CONFIGURED), "twice 250 ms is SWIM's own 500");
    }

    @Test
    void slowAnswersStretchItToTwiceTheSlowestAndTimeBringsItBack() {
        timeout.answeredAfter(Duration.ofMillis(700));
        assertEquals(Duration.ofMillis(1400), timeout.timeout(CONFIGURED));
        answers(30, Duration.ofMillis(900), Duration.ofMillis(500)); // a starved host: every answer late
        answers(30, Duration.ofMillis(1100), Duration.ofMillis(500));
        assertEquals(Duration.ofMillis(2200), timeout.timeout(CONFIGURED), "twice the slowest of the last 4 s");
        answers(7, Duration.ofMillis(2), Duration.ofMillis(500)); // the host recovers: 3.5 s of quick answers
        assertEquals(Duration.ofMillis(2200), timeout.timeout(CONFIGURED), "a late answer counts for 4 s");
        answers(1, Duration.ofMillis(2), Duration.ofMillis(501));
        assertEquals(CONFIGURED, timeout.timeout(CONFIGURED), "and no longer");
    }

    @Test
    void neverMoreThanEightTimesTheConfiguredTimeout() {
        answers(10, Duration.ofSeconds(4), Duration.ofMillis(100)); // the latest an answer still counts
        assertEquals(CAP, timeout.timeout(CONFIGURED));
        answers(10, Duration.ofMillis(Long.MAX_VALUE / 4_000_000), Duration.ofMillis(100));
        assertEquals(CAP, timeout.timeout(CONFIGURED), "and no overflow");
    }

    /**
     * A node that has just started: its JIT compiles while the mesh forms, so its first answers come back a
     * second or more late, and while they do it probes up to 8 times less often (ProbePacing). The smoothed mean
     * used before forgot such a start only after some seventeen quicker answers, which at one probe a second was
     * ten seconds and more: a member killed a second after a five-node mesh formed was removed 10.1 s later. Now
     * the start is forgotten 4 s after its last late answer, with however few answers since (here none).
     */
    @Test
    void aSlowStartIsForgottenFourSecondsAfterItsLastLateAnswerEvenWithoutAnswersSince() {
        answers(3, Duration.ofMillis(1500), Duration.ofMillis(400));
        answers(2, Duration.ofMillis(900), Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(3000), timeout.timeout(CONFIGURED));
        pass(Duration.ofMillis(2100)); // 4.1 s after the last 1.5 s answer, 2.1 s after the last 900 ms one
        assertEquals(Duration.ofMillis(1800), timeout.timeout(CONFIGURED));
        pass(Duration.ofMillis(2000));
        assertEquals(CONFIGURED, timeout.timeout(CONFIGURED));
    }

    /**
     * The limit README's trust model states: a member answering late on purpose stretches the timeout of those
     * probing it to Lifeguard's bound, 4 s, for 4 s after each such answer, however many honest answers come in
     * that time. (Capping each answer at 3x the configured timeout, tried in session 20, bounded it more tightly,
     * but a 32-node formation on two cores was slower with it: docs/SIMULATIONS.md.)
     */
    @Test
    void aMemberAnsweringLateOnPurposeStretchesItOnlyWithinLifeguardsBoundAndForFourSeconds() {
        answers(50, Duration.ofMillis(2), Duration.ofMillis(125));
        answers(1, Duration.ofSeconds(4), Duration.ofMillis(125));
        assertEquals(CAP, timeout.timeout(CONFIGURED));
        answers(31, Duration.ofMillis(2), Duration.ofMillis(125)); // 3.875 s of honest answers at 8 a second
        assertEquals(CAP, timeout.timeout(CONFIGURED));
        answers(2, Duration.ofMillis(2), Duration.ofMillis(125));
        assertEquals(CONFIGURED, timeout.timeout(CONFIGURED), "back to SWIM's 500 ms 4 s after the late answer");
    }

    /** More answers in the window than are kept (a host whose clock jumps, or SWIM faster than it is set). */
    @Test
    void aFullBufferKeepsTheNewestAnswers() {
        answers(1, Duration.ofSeconds(1), Duration.ofMillis(1));
        answers(100, Duration.ofMillis(2), Duration.ofMillis(1));
        assertEquals(CONFIGURED, timeout.timeout(CONFIGURED), "the slow answer was pushed out by 100 newer ones");
        answers(1, Duration.ofSeconds(1), Duration.ofMillis(1));
        assertEquals(Duration.ofSeconds(2), timeout.timeout(CONFIGURED));
    }
}
