package dev.kiln.core.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import dev.kiln.core.kit.KitHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The members of a stage run at the same time, each named with the stage; the idle windows frame them. */
class StageTest {
    private static final RunOptions FAST = RunOptions.defaults(7).withHangTimeout(Duration.ofMillis(800))
            .withPrepareTimeout(Duration.ofSeconds(2));
    private static final Stage STAGE = new Stage("together", Duration.ofMillis(300), Duration.ofMillis(300));

    @Test
    @Timeout(20)
    void membersRunAtTheSameTimeBetweenBaselineAndCoolDownAndAFailureNamesTheStage() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        InlineSuite.Body overlapping = ctx -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                InlineSuite.spin(ctx);
            } finally {
                running.decrementAndGet();
            }
        };
        InlineSuite a = new InlineSuite("a", overlapping);
        InlineSuite b = new InlineSuite("b", ctx -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                while (ctx.keepRunning()) {
                    if (ctx.iteration() == 50) {
                        ctx.failure("b-bad-answer", "planted", Map.of());
                    }
                    ctx.verified(1);
                }
            } finally {
                running.decrementAndGet();
            }
        });
        RunEngine engine = KitHarness.engine();
        Instant before = Instant.now();
        RunReport r = KitHarness.run(engine, FAST, new RunListener() { },
                new SuiteRequest(a, Duration.ofMillis(600), true, Map.of(), STAGE, 0),
                new SuiteRequest(b, Duration.ofMillis(600), true, Map.of(), STAGE, 0.5));
        assertEquals(2, most.get(), "both members ran at once");
        SuiteResult ra = r.result("together/a");
        SuiteResult rb = r.result("together/b");
        assertEquals(Outcome.PASS, ra.outcome(), ra.reason());
        assertEquals(Outcome.FAIL, rb.outcome());
        Failure f = rb.failures().get(0);
        assertEquals("together", f.details().get("stage"));
        assertEquals(Verdict.FAIL, r.verdict());
        StageWindow w = engine.stages().get(0);
        assertTrue(Duration.between(before, w.start()).toMillis() >= 280, "the baseline came first");
        assertTrue(!ra.started().isBefore(w.prepareStart()) && !rb.ended().isAfter(w.cooldownEnd()));
        assertTrue(!loadMark(ra, "loadStart").isBefore(w.start()) && !loadMark(rb, "loadEnd").isAfter(w.end()), "the loads are the hold");
        assertTrue(Duration.between(w.end(), w.cooldownEnd()).toMillis() >= 280, "then the cool-down");
        // different seeds' streams from the solo run of the same suite
        assertTrue(ra.checks() > 0 && rb.checks() > 0);
    }

    @Test
    @Timeout(20)
    void aCancelDuringTheStageInterruptsEveryMember() throws Exception {
        RunEngine engine = KitHarness.engine();
        Thread canceller = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            engine.cancel();
        });
        canceller.start();
        RunReport r = KitHarness.run(engine, FAST, new RunListener() { },
                new SuiteRequest(new InlineSuite("a", InlineSuite::spin), Duration.ofSeconds(10), true, Map.of(), STAGE, 0),
                new SuiteRequest(new InlineSuite("b", InlineSuite::spin), Duration.ofSeconds(10), true, Map.of(), STAGE, 0));
        canceller.join();
        assertEquals(List.of(Outcome.INTERRUPTED, Outcome.INTERRUPTED), r.results().stream().map(SuiteResult::outcome).toList());
        assertEquals(Verdict.INCOMPLETE, r.verdict());
    }

    @Test
    @Timeout(20)
    void aStopOfTheLoadInterruptsEveryLoadSaysWhyStillRunsTheJudgeAndFailsTheRun() throws Exception {
        RunEngine engine = KitHarness.engine();
        SuiteResult finding = new SuiteResult("heat-guard", true, Outcome.FAIL, null, "1 failure(s); first: soc held above 110 °C",
                Instant.now(), Instant.now(), 0, 1, List.of(), List.of(new Failure("thermal-critical-temperature", "soc held above 110 °C",
                Map.of(), false)), 1, "", "", Map.of(), "");
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            engine.stopLoad(finding);
            engine.stopLoad(finding); // only the first finding counts
        });
        java.util.List<String> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
        InlineSuite judge = new InlineSuite("judge", ctx -> { });
        judge.prep = ctx -> ctx.verified(1); // a check with no time budget does its work in prepare, like the thermal judge
        InlineSuite later = new InlineSuite("later", InlineSuite::spin);
        long t0 = System.nanoTime();
        guard.start();
        RunReport r = KitHarness.run(engine, FAST, new RunListener() {
                    @Override
                    public void suiteEnded(SuiteResult res) {
                        ended.add(res.suiteId());
                    }
                },
                new SuiteRequest(new InlineSuite("a", InlineSuite::spin), Duration.ofSeconds(10), true, Map.of(), STAGE, 0),
                new SuiteRequest(new InlineSuite("b", InlineSuite::spin), Duration.ofSeconds(10), true, Map.of(), STAGE, 0),
                new SuiteRequest(later, Duration.ofSeconds(10), true, Map.of()),
                new SuiteRequest(judge, Duration.ZERO, true, Map.of()));
        guard.join();
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "the 10-s loads were stopped at once");
        for (String id : List.of("together/a", "together/b", "later")) {
            SuiteResult m = r.result(id);
            assertEquals(Outcome.INTERRUPTED, m.outcome(), id);
            assertEquals("the load was stopped: soc held above 110 °C", m.reason(), id);
        }
        assertEquals(Outcome.PASS, r.result("judge").outcome(), "the judge still ran: " + r.result("judge").reason());
        assertEquals(Outcome.FAIL, r.result("heat-guard").outcome());
        assertEquals(1, r.results().stream().filter(x -> x.suiteId().equals("heat-guard")).count());
        assertEquals(Verdict.FAIL, r.verdict());
        assertEquals(1, ended.stream().filter("heat-guard"::equals).count(), "the finding is said once, as its own result");
    }

    private static Instant loadMark(SuiteResult r, String which) {
        return r.measurements().stream().filter(m -> m.name().equals("load_window_seconds")).findFirst()
                .map(m -> Instant.parse((String) m.metadata().get(which))).orElseThrow(() -> new AssertionError(r.suiteId() + " has no load window"));
    }

    @Test
    @Timeout(20)
    void everyMemberPreparesFirstThenTheLoadStartsAndEndsForAllAtOneInstant() {
        InlineSuite slow = new InlineSuite("slow", InlineSuite::spin);
        slow.prep = ctx -> Thread.sleep(900); // a memory suite taking its gigabytes
        InlineSuite fast = new InlineSuite("fast", InlineSuite::spin);
        InlineSuite skipping = new InlineSuite("gone", InlineSuite::spin);
        skipping.prep = ctx -> {
            Thread.sleep(300);
            throw new dev.kiln.api.SuiteUnavailableException(dev.kiln.api.UnavailableCategory.NOT_PRESENT, "no such device here");
        };
        RunEngine engine = KitHarness.engine();
        RunReport r = KitHarness.run(engine, FAST, new RunListener() { },
                new SuiteRequest(fast, Duration.ofMillis(700), true, Map.of(), STAGE, 0),
                new SuiteRequest(slow, Duration.ofMillis(700), true, Map.of(), STAGE, 0),
                new SuiteRequest(skipping, Duration.ofMillis(700), false, Map.of(), STAGE, 0));
        SuiteResult a = r.result("together/fast");
        SuiteResult b = r.result("together/slow");
        assertEquals(Outcome.PASS, a.outcome(), a.reason());
        assertEquals(Outcome.PASS, b.outcome(), b.reason());
        assertEquals(Outcome.SKIPPED, r.result("together/gone").outcome(), "a member that leaves holds no one");
        long startGap = Math.abs(Duration.between(loadMark(a, "loadStart"), loadMark(b, "loadStart")).toMillis());
        long endGap = Math.abs(Duration.between(loadMark(a, "loadEnd"), loadMark(b, "loadEnd")).toMillis());
        assertTrue(startGap < 100, "the loads started together: " + startGap + " ms apart");
        assertTrue(endGap < 300, "and ended together: " + endGap + " ms apart");
        StageWindow w = engine.stages().get(0);
        assertTrue(Duration.between(w.prepareStart(), w.start()).toMillis() >= 850, "the hold starts after the slowest prepare: " + w);
        assertTrue(Math.abs(Duration.between(w.start(), loadMark(a, "loadStart")).toMillis()) < 100, w.toString());
        assertTrue(!w.end().isBefore(loadMark(b, "loadEnd")) && Duration.between(w.start(), w.end()).toMillis() < 1100,
                "the hold is the load, not prepare or clean-up: " + w);
    }

    @Test
    void sharesKeepCpusForTheMembersThatAskAndGiveTheRestToTheOthers() {
        List<SuiteEnvironment.LogicalCpu> cpus = java.util.stream.IntStream.range(0, 16)
                .mapToObj(i -> new SuiteEnvironment.LogicalCpu(i, "performance")).toList();
        SuiteEnvironment env = new SuiteEnvironment("Mac OS X", "aarch64", cpus, 1L << 34);
        SuiteRequest cpu = new SuiteRequest(new InlineSuite("cpu", InlineSuite::spin), Duration.ofSeconds(1), true, Map.of(), STAGE, 0);
        SuiteRequest mem = new SuiteRequest(new InlineSuite("memory", InlineSuite::spin), Duration.ofSeconds(1), true, Map.of(), STAGE, 0.25);
        SuiteRequest gpu = new SuiteRequest(new InlineSuite("gpu", InlineSuite::spin), Duration.ofSeconds(1), true, Map.of(), STAGE, 0.0625);
        List<SuiteEnvironment> m = StageShares.assign(env, List.of(cpu, mem, gpu));
        assertEquals(List.of(12, 13, 14, 15), ids(m.get(1)));
        assertEquals(List.of(11), ids(m.get(2)));
        assertEquals(java.util.stream.IntStream.range(0, 11).boxed().toList(), ids(m.get(0)), "the CPU suite gets every CPU no one kept");
        // two CPUs, shares that leave nothing: oversubscribed, never idle
        SuiteEnvironment two = new SuiteEnvironment("Linux", "amd64", cpus.subList(0, 2), 1L << 30);
        List<SuiteEnvironment> t = StageShares.assign(two, List.of(cpu, mem, gpu));
        assertEquals(List.of(1), ids(t.get(1)));
        assertEquals(List.of(0), ids(t.get(2)));
        assertEquals(List.of(0, 1), ids(t.get(0)));
    }

    private static List<Integer> ids(SuiteEnvironment e) {
        return e.logicalCpus().stream().map(SuiteEnvironment.LogicalCpu::id).toList();
    }
}
