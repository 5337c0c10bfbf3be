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
        assertTrue(!ra.started().isBefore(w.start()) && !rb.ended().isAfter(w.end()));
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
