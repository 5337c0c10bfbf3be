package dev.kiln.core.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import dev.kiln.core.kit.KitHarness;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every lifecycle call that breaks, through the real runner: the suite's outcome, cleanup, and the run going on. */
class LifecycleOutcomeTest {
    private static final RunOptions FAST = RunOptions.defaults(1).withHangTimeout(Duration.ofMillis(500))
            .withPrepareTimeout(Duration.ofSeconds(1));

    private static SuiteRequest req(InlineSuite s, long millis) {
        return new SuiteRequest(s, Duration.ofMillis(millis), true, Map.of());
    }

    /** Runs the suite, then a healthy one: the second must still PASS. */
    private static SuiteResult runThenNext(InlineSuite s) {
        RunReport r = KitHarness.run(KitHarness.engine(), FAST, new RunListener() { }, req(s, 200),
                req(new InlineSuite("next", InlineSuite::spin), 200));
        assertEquals(Outcome.PASS, r.result("next").outcome(), "the run goes on to the next suite");
        return r.result(s.descriptor().id());
    }

    private static void parkForever() {
        while (true) {
            LockSupport.park();
            Thread.interrupted();
        }
    }

    @Test
    void availabilityThatThrowsIsError() {
        InlineSuite s = new InlineSuite("avail", InlineSuite::spin);
        s.availabilityCall = () -> {
            throw new IllegalStateException("driver query broke");
        };
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.reason().startsWith("availability failed: IllegalStateException: driver query broke"), r.reason());
        assertTrue(!s.cleanedUp, "never prepared, so nothing to clean up");
    }

    @Test
    @Timeout(20)
    void availabilityThatHangsIsError() {
        InlineSuite s = new InlineSuite("avail-hang", InlineSuite::spin);
        s.availabilityCall = () -> {
            parkForever();
            return null;
        };
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.ERROR, r.outcome());
        assertEquals("availability did not return within 1.0s", r.reason());
    }

    @Test
    void planThatThrowsIsErrorAndCleanedUp() {
        InlineSuite s = new InlineSuite("plan", InlineSuite::spin);
        s.planCall = () -> {
            throw new IllegalArgumentException("no placements");
        };
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.reason().startsWith("plan failed: IllegalArgumentException: no placements"), r.reason());
        assertTrue(s.cleanedUp, "prepare ran, so cleanup runs");
    }

    @Test
    @Timeout(20)
    void finishThatNeverReturnsIsErrorNotPass() {
        InlineSuite s = new InlineSuite("finish", InlineSuite::spin);
        s.finish = ctx -> parkForever();
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.ERROR, r.outcome());
        assertEquals("finish did not return within 0.5s", r.reason());
        assertTrue(s.cleanedUp);
    }

    /**
     * A worker that says its device stopped answering (WorkerContext.hung) ends the suite HUNG with
     * its reason at once, though it keeps its heartbeat (the watchdog would never fire), finish is not
     * called, and the run goes on.
     */
    @Test
    @Timeout(20)
    void aWorkerThatReportsAHangIsHungWithItsReason() {
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        InlineSuite s = new InlineSuite("reports-hang", ctx -> {
            while (ctx.keepRunning()) {
                ctx.verified(1);
                if (ctx.iteration() == 3) {
                    ctx.hung("gpu0: the FMA launch did not complete in 2.00s");
                    return;
                }
            }
        });
        s.finish = ctx -> finished.set(true);
        RunReport r = KitHarness.run(KitHarness.engine(), FAST, new RunListener() { }, req(s, 5_000),
                req(new InlineSuite("next", InlineSuite::spin), 200));
        SuiteResult h = r.result("reports-hang");
        assertEquals(Outcome.HUNG, h.outcome());
        assertTrue(h.reason().contains("at iteration 3: gpu0: the FMA launch did not complete in 2.00s"), h.reason());
        assertTrue(Duration.between(h.started(), h.ended()).toMillis() < 3_000, "at once, not at the end of its 5 s budget");
        assertTrue(!finished.get(), "finish is not called after a hang");
        assertTrue(s.cleanedUp);
        assertEquals(Outcome.PASS, r.result("next").outcome(), "the run goes on");
    }

    /**
     * timeUp() turns true when the budget is spent, without being a heartbeat or an iteration: a
     * suite whose one iteration would run forever ends it there, PASS, in its budget.
     */
    @Test
    @Timeout(20)
    void timeUpEndsALongIterationInsideTheBudget() {
        long[] inner = {0};
        InlineSuite s = new InlineSuite("long-round", ctx -> {
            while (ctx.keepRunning()) {
                while (!ctx.timeUp()) { // one endless round, cut when the time is up
                    inner[0]++;
                    if (inner[0] % 1000 == 0) {
                        ctx.verified(1);
                    }
                    Thread.onSpinWait();
                }
            }
        });
        long t0 = System.nanoTime();
        RunReport r = KitHarness.run(KitHarness.engine(), RunOptions.defaults(1).withHangTimeout(Duration.ofSeconds(10)), new RunListener() { },
                req(s, 1_000));
        double took = (System.nanoTime() - t0) / 1e9;
        assertEquals(Outcome.PASS, r.result("long-round").outcome(), r.result("long-round").reason());
        assertEquals(1, r.result("long-round").iterations(), "one iteration, cut short");
        assertTrue(took < 3, "ended at its 1 s budget: " + took);
    }

    @Test
    void finishThatThrowsIsError() {
        InlineSuite s = new InlineSuite("finish-throws", InlineSuite::spin);
        s.finish = ctx -> {
            throw new java.io.IOException("cannot read EDAC");
        };
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.reason().startsWith("finish failed: IOException: cannot read EDAC"), r.reason());
    }

    @Test
    void finishThatFindsADefectFails() {
        InlineSuite s = new InlineSuite("finish-fails", InlineSuite::spin);
        s.finish = ctx -> ctx.failure("x-edac", "2 corrected errors", Map.of());
        assertEquals(Outcome.FAIL, runThenNext(s).outcome());
    }

    @Test
    @Timeout(20)
    void hungSuiteIsCleanedUp() {
        InlineSuite s = new InlineSuite("hung", ctx -> {
            while (ctx.keepRunning()) {
                ctx.verified(1);
                if (ctx.iteration() == 1) {
                    parkForever();
                }
            }
        });
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.HUNG, r.outcome());
        assertTrue(s.cleanedUp, "cleanup runs after a hang, so a locked arena is not kept for the rest of the run");
    }

    @Test
    @Timeout(20)
    void cleanupThatHangsIsLoggedAndTheRunGoesOn() {
        InlineSuite s = new InlineSuite("clean-hangs", InlineSuite::spin);
        s.clean = ctx -> parkForever();
        StringBuilder logged = new StringBuilder();
        long t0 = System.nanoTime();
        RunReport r = KitHarness.run(KitHarness.engine(), FAST, new RunListener() {
            @Override
            public void log(String suiteId, dev.kiln.api.LogLevel level, String message) {
                synchronized (logged) {
                    logged.append(suiteId).append(": ").append(message).append('\n');
                }
            }
        }, req(s, 200), req(new InlineSuite("next", InlineSuite::spin), 200));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
        assertEquals(Outcome.PASS, r.result("clean-hangs").outcome(), "its checks held; the cleanup is logged");
        assertEquals(Outcome.PASS, r.result("next").outcome());
        assertTrue(logged.toString().contains("clean-hangs: cleanup did not return within 0.5s"), logged.toString());
    }

    @Test
    void noIterationIsErrorNoWorkDone() {
        InlineSuite s = new InlineSuite("idle", ctx -> { });
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.reason().startsWith("no work done"), r.reason());
    }

    @Test
    void claimingToVerifyWithoutACheckIsError() {
        InlineSuite s = new InlineSuite("unchecked", ctx -> {
            while (ctx.keepRunning()) {
                Thread.onSpinWait();
            }
        });
        SuiteResult r = runThenNext(s);
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.reason().startsWith("claims to verify every result but reported no check"), r.reason());

        InlineSuite honest = new InlineSuite("load-only", ctx -> {
            while (ctx.keepRunning()) {
                Thread.onSpinWait();
            }
        });
        honest.alwaysVerifies = false;
        assertEquals(Outcome.PASS, runThenNext(honest).outcome(), "a suite that does not claim to verify is held to less");
    }

    @Test
    void everyWorkerDoesAtLeastOneIterationEvenWhenItStartsLate() {
        InlineSuite s = new InlineSuite("late", InlineSuite::spin);
        s.prep = ctx -> Thread.sleep(50);
        RunReport r = KitHarness.run(KitHarness.engine(), FAST, new RunListener() { },
                new SuiteRequest(s, Duration.ofNanos(1), true, Map.of()));
        assertEquals(Outcome.PASS, r.result("late").outcome(), r.result("late").reason());
        assertTrue(r.result("late").iterations() >= 1);
        assertEquals(Verdict.PASS, r.verdict());
    }

    @Test
    void aCheckDoneInPrepareWithNoBudgetPasses() {
        InlineSuite s = new InlineSuite("builtin", ctx -> {
            throw new AssertionError("no workers for a suite given no time");
        });
        s.prep = ctx -> ctx.verified(3);
        SuiteResult r = KitHarness.run(KitHarness.engine(), FAST, new RunListener() { },
                new SuiteRequest(s, Duration.ZERO, true, Map.of())).result("builtin");
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertEquals(3, r.checks());
        assertEquals(0, r.iterations());
    }
}
