package dev.kiln.core.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Availability;
import dev.kiln.api.Measurement;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.Verdict;
import dev.kiln.api.WorkPlan;
import dev.kiln.core.kit.KitHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RunEngineTest {
    private static final RunOptions FAST = RunOptions.defaults(1).withHangTimeout(Duration.ofMillis(500))
            .withPrepareTimeout(Duration.ofSeconds(1));

    private static SuiteRequest req(InlineSuite s, long millis, boolean required) {
        return new SuiteRequest(s, Duration.ofMillis(millis), required, Map.of());
    }

    private static RunReport run(RunOptions o, SuiteRequest... r) {
        return KitHarness.run(KitHarness.engine(), o, new RunListener() { }, r);
    }

    @Test
    void passingSuitePassesAndKeepsItsBudget() {
        RunReport r = run(FAST, req(new InlineSuite("ok", InlineSuite::spin), 300, true));
        SuiteResult s = r.result("ok");
        assertEquals(Outcome.PASS, s.outcome());
        assertEquals(Verdict.PASS, r.verdict());
        assertTrue(Duration.between(s.started(), s.ended()).toMillis() >= 280);
        assertTrue(s.iterations() > 0);
    }

    @Test
    @Timeout(20)
    void watchdogMarksSilentWorkerHungAndTheRunGoesOn() {
        InlineSuite hang = new InlineSuite("stuck", ctx -> {
            while (ctx.keepRunning()) {
                if (ctx.iteration() == 2) {
                    while (true) {
                        LockSupport.park(); // ignores interrupts, like a stuck driver call
                    }
                }
            }
        });
        InlineSuite after = new InlineSuite("after", InlineSuite::spin);
        long t0 = System.nanoTime();
        RunReport r = run(FAST, req(hang, 60_000, true), req(after, 200, true));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "the hang did not hold up the run");
        SuiteResult s = r.result("stuck");
        assertEquals(Outcome.HUNG, s.outcome());
        assertTrue(s.reason().contains("made no progress"), s.reason());
        assertTrue(s.reason().contains("iteration 2"), s.reason());
        assertEquals(Outcome.PASS, r.result("after").outcome());
        assertEquals(Verdict.FAIL, r.verdict(), "a hang is a failure");
    }

    @Test
    @Timeout(20)
    void prepareThatNeverReturnsIsErrorAndCleanedUp() {
        InlineSuite s = new InlineSuite("slow-prepare", InlineSuite::spin);
        s.prep = ctx -> {
            while (true) {
                LockSupport.park();
            }
        };
        RunReport r = run(FAST, req(s, 100, true));
        assertEquals(Outcome.ERROR, r.result("slow-prepare").outcome());
        assertTrue(r.result("slow-prepare").reason().contains("prepare did not return within 1.0s"), r.result("slow-prepare").reason());
        assertTrue(s.cleanedUp, "cleanup runs after a prepare that timed out");
    }

    @Test
    void throwingWorkerIsErrorNotFail() {
        InlineSuite s = new InlineSuite("buggy", ctx -> {
            ctx.keepRunning();
            throw new IllegalStateException("bug");
        });
        RunReport r = run(FAST, req(s, 1000, true));
        SuiteResult res = r.result("buggy");
        assertEquals(Outcome.ERROR, res.outcome());
        assertTrue(res.reason().contains("IllegalStateException: bug"), res.reason());
        assertEquals(Verdict.INCOMPLETE, r.verdict());
        assertTrue(s.cleanedUp, "cleanup runs after an error");
    }

    @Test
    void failureWinsOverLaterError() {
        InlineSuite s = new InlineSuite("both", ctx -> {
            ctx.keepRunning();
            ctx.failure("x-bad", "bad", Map.of("expected", 1, "actual", 2));
            throw new IllegalStateException("then broke");
        });
        assertEquals(Outcome.FAIL, run(FAST, req(s, 1000, true)).result("both").outcome());
    }

    @Test
    void unavailableIsSkippedAndNeverPrepared() {
        InlineSuite s = new InlineSuite("absent", InlineSuite::spin);
        s.availability = Availability.unavailable(UnavailableCategory.NOT_PRESENT, "no such device");
        s.prep = ctx -> {
            throw new AssertionError("prepared");
        };
        RunReport r = run(FAST, req(s, 100, true));
        assertEquals(Outcome.SKIPPED, r.result("absent").outcome());
        assertEquals(UnavailableCategory.NOT_PRESENT, r.result("absent").category());
        assertEquals(Verdict.INCOMPLETE, r.verdict());
        RunReport optional = run(FAST, req(s, 100, false), req(new InlineSuite("ok", InlineSuite::spin), 100, true));
        assertEquals(Verdict.PASS, optional.verdict(), "an optional skip does not block a pass");
        RunReport onlyOptional = run(FAST, req(new InlineSuite("ok", InlineSuite::spin), 100, false));
        assertEquals(Verdict.INCOMPLETE, onlyOptional.verdict(), "nothing required ran");
        assertTrue(RunEngine.explain(onlyOptional).contains("none of them is required"), RunEngine.explain(onlyOptional));
    }

    @Test
    void aRefusalInPrepareIsASkipAndRunningOutOfMemoryIsAnErrorWithItsSize() {
        InlineSuite refuse = new InlineSuite("refuse", InlineSuite::spin);
        refuse.prep = ctx -> {
            throw new SuiteUnavailableException(UnavailableCategory.NO_PERMISSION, "needs root");
        };
        InlineSuite oom = new InlineSuite("oom", InlineSuite::spin);
        oom.prep = ctx -> {
            throw new OutOfMemoryError("Unable to allocate");
        };
        RunReport r = run(FAST, req(refuse, 100, true), req(oom, 100, true));
        assertEquals(UnavailableCategory.NO_PERMISSION, r.result("refuse").category());
        assertEquals(Outcome.ERROR, r.result("oom").outcome());
        assertTrue(r.result("oom").reason().contains("out of memory in prepare (Unable to allocate); this JVM's heap is at most "),
                r.result("oom").reason());
        assertTrue(refuse.cleanedUp && oom.cleanedUp);
        RunReport optional = run(FAST, req(oom, 100, false), req(new InlineSuite("ok", InlineSuite::spin), 100, true));
        assertEquals(Verdict.INCOMPLETE, optional.verdict(), "an optional suite that ran out of memory never lets the run pass");
    }

    @Test
    void measurementOutsideLimitsFails() {
        InlineSuite s = new InlineSuite("limits", ctx -> {
            InlineSuite.spin(ctx);
            ctx.measurement(new Measurement("temp_celsius", 105, "celsius", null, 100.0, Map.of()));
        });
        SuiteResult r = run(FAST, req(s, 100, true)).result("limits");
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals("limits-measurement-out-of-limits", r.failures().get(0).symptom());
    }

    @Test
    void degradedAloneDoesNotFail() {
        InlineSuite s = new InlineSuite("slow", ctx -> {
            InlineSuite.spin(ctx);
            ctx.degraded("slow-core", "core is slow", Map.of());
        });
        SuiteResult r = run(FAST, req(s, 100, true)).result("slow");
        assertEquals(Outcome.PASS, r.outcome());
        assertTrue(r.failures().get(0).degraded());
    }

    @Test
    void failuresAreCappedButCounted() {
        InlineSuite s = new InlineSuite("storm", ctx -> {
            while (ctx.keepRunning()) {
                ctx.failure("storm-bad", "bad", Map.of());
            }
        });
        RunOptions o = FAST.withMaxIterations(500);
        SuiteResult r = run(o, req(s, 10_000, true)).result("storm");
        assertEquals(500, r.failureCount());
        assertEquals(o.maxFailuresKept(), r.failures().size());
    }

    @Test
    void failureCarriesLocationAndSeed() {
        InlineSuite s = new InlineSuite("loc", ctx -> {
            while (ctx.keepRunning()) {
                if (ctx.injectFault("site")) {
                    ctx.failure("loc-bad", "bad", Map.of("expected", 1));
                }
            }
        });
        s.plan = new WorkPlan(List.of(new WorkPlan.Phase("p1", WorkPlan.Mode.PARALLEL,
                List.of(WorkPlan.Placement.ANY, WorkPlan.Placement.ANY), 1)));
        RunOptions o = FAST.withMaxIterations(5).withFaults(List.of(new FaultPlan("loc", "site", 1, "p1", 3)));
        SuiteResult r = run(o, req(s, 10_000, true)).result("loc");
        assertEquals(1, r.failureCount());
        Map<String, Object> d = r.failures().get(0).details();
        assertEquals(1, d.get("worker"));
        assertEquals(3L, d.get("iteration"));
        assertEquals("p1", d.get("phase"));
        assertEquals(Seeds.format(1), d.get("seed"));
    }

    @Test
    void sequentialPhaseRunsOneWorkerAtATimeAndSplitsTheBudget() {
        java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxLive = new java.util.concurrent.atomic.AtomicInteger();
        InlineSuite s = new InlineSuite("seq", ctx -> {
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            InlineSuite.spin(ctx);
            live.decrementAndGet();
        });
        s.plan = new WorkPlan(List.of(new WorkPlan.Phase("one-by-one", WorkPlan.Mode.SEQUENTIAL,
                List.of(WorkPlan.Placement.ANY, WorkPlan.Placement.ANY, WorkPlan.Placement.ANY), 1)));
        SuiteResult r = run(FAST, req(s, 600, true)).result("seq");
        assertEquals(Outcome.PASS, r.outcome());
        assertEquals(1, maxLive.get());
        long ms = Duration.between(r.started(), r.ended()).toMillis();
        assertTrue(ms >= 550 && ms < 3000, "took " + ms);
    }

    @Test
    @Timeout(20)
    void cancelInterruptsTheSuiteInFlightAndTheRest() throws Exception {
        RunEngineHolder h = new RunEngineHolder();
        CompletableFuture<RunReport> f = CompletableFuture.supplyAsync(() -> KitHarness.run(h.engine, FAST,
                new RunListener() { }, req(new InlineSuite("long", InlineSuite::spin), 60_000, true),
                req(new InlineSuite("next", InlineSuite::spin), 60_000, true)));
        while (h.engine.progress() == null || h.engine.progress().iterations() == 0) {
            Thread.sleep(10);
        }
        h.engine.cancel();
        RunReport r = f.get(5, TimeUnit.SECONDS);
        assertEquals(Outcome.INTERRUPTED, r.result("long").outcome());
        assertEquals(Outcome.INTERRUPTED, r.result("next").outcome());
        assertFalse(r.result("next").reason().isEmpty());
        assertEquals(Verdict.INCOMPLETE, r.verdict());
    }

    private static final class RunEngineHolder {
        final RunEngine engine = KitHarness.engine();
    }

    /** A placer that places nothing and records when companions start and stop around the lone workers. */
    static final class RecordingPlacer implements dev.kiln.core.platform.ThreadPlacer {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Result place(WorkPlan.Placement placement) {
            events.add("place " + placement.cluster() + " " + placement.cpu());
            return new Result(false, "recorded");
        }

        @Override
        public Companions companions(WorkPlan.Placement placement) {
            if (!placement.cluster().equals("efficiency")) {
                return Companions.NONE;
            }
            events.add("companions on for " + placement.cpu());
            return () -> events.add("companions off for " + placement.cpu());
        }

        @Override
        public int currentCpu() {
            return -1;
        }

        @Override
        public String method() {
            return "recording";
        }
    }

    @Test
    void aLoneEfficiencyWorkerRunsWithItsCompanionsAndTheyStopAfterIt() {
        RecordingPlacer placer = new RecordingPlacer();
        List<WorkPlan.Placement> cpus = List.of(new WorkPlan.Placement(0, "performance"), new WorkPlan.Placement(1, "efficiency"));
        InlineSuite s = new InlineSuite("spill", InlineSuite::spin);
        s.plan = new WorkPlan(List.of(new WorkPlan.Phase("all-cores", WorkPlan.Mode.PARALLEL, cpus, 1),
                new WorkPlan.Phase("each-core", WorkPlan.Mode.SEQUENTIAL, cpus, 1)));
        RunReport r = KitHarness.run(new RunEngine(placer, KitHarness.environment()), FAST, new RunListener() { }, req(s, 400, true));
        assertEquals(Outcome.PASS, r.result("spill").outcome());
        List<String> e = placer.events;
        // the parallel phase has every core busy already: no companions; one core at a time, the efficiency worker gets them
        assertEquals(1, e.stream().filter(x -> x.startsWith("companions on")).count(), e.toString());
        int on = e.indexOf("companions on for 1");
        int placed = e.lastIndexOf("place efficiency 1");
        int off = e.indexOf("companions off for 1");
        assertTrue(on >= 0 && on < placed && placed < off, "on, then the worker, then off: " + e);
    }
}
