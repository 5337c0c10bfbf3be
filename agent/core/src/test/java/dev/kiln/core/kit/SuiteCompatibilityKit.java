package dev.kiln.core.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.Availability;
import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.Verdict;
import dev.kiln.api.WorkPlan;
import dev.kiln.api.WorkerContext;
import dev.kiln.core.runner.FaultPlan;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunOptions;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.SuiteRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The suite compatibility kit: the contract every suite proves by extending this class (the way
 * Micrometer's registries extend its compatibility kit). It runs the suite through the real engine
 * on this machine and checks: the descriptor is complete, cancellation is honoured within a bound,
 * the time budget is kept, an unavailable suite is SKIPPED and never a pass, the same seed replays
 * the same work, and a planted fault is detected and reported with its location.
 */
public abstract class SuiteCompatibilityKit {

    /** A fresh instance of the suite under test. */
    protected abstract Suite newSuite();

    /** Parameters that keep the kit's runs small (defaults when empty). */
    protected Map<String, String> kitParameters() {
        return Map.of();
    }

    /**
     * A fault the suite claims to catch: its site, the logical CPU (or -1 for any worker), the phase
     * (or null) and the iteration.
     */
    protected abstract PlantedFault faultToPlant();

    /** Where and when to plant a fault. */
    public record PlantedFault(String site, int cpu, String phase, long iteration) {
    }

    /** How long a cancel may take to end the suite. */
    protected Duration cancelBound() {
        return Duration.ofSeconds(5);
    }

    /** Time the suite may need beyond its budget (prepare, cleanup). */
    protected Duration budgetSlack() {
        return Duration.ofSeconds(5);
    }

    protected boolean availableHere() {
        return newSuite().availability(KitHarness.environment()).available();
    }

    protected RunOptions options(long seed) {
        return RunOptions.defaults(seed).withHangTimeout(Duration.ofSeconds(20));
    }

    @Test
    void descriptorIsComplete() {
        Suite s = newSuite();
        SuiteDescriptor d = s.descriptor();
        assertNotNull(d);
        assertFalse(d.title().isBlank(), "title");
        assertFalse(d.exercises().isBlank(), "exercises");
        assertTrue(d.minDuration().compareTo(d.defaultDuration()) <= 0, "minDuration <= defaultDuration");
        Map<String, String> defaults = new LinkedHashMap<>();
        for (ParameterSpec p : d.parameters()) {
            assertTrue(p.name().matches("[a-z][a-z0-9-]*"), "kebab-case parameter name: " + p.name());
            defaults.put(p.name(), p.defaultValue());
        }
        s.validate(new Parameters(defaults)); // the defaults must be valid
        Availability a = s.availability(KitHarness.environment());
        if (!a.available()) {
            assertFalse(a.reason().isBlank(), "an unavailable suite says why");
        }
        assertEquals(d, newSuite().descriptor(), "the descriptor is constant");
    }

    @Test
    @Timeout(60)
    void cancellationIsHonouredWithinBound() throws Exception {
        assumeTrue(availableHere(), "suite unavailable here");
        RunEngine engine = KitHarness.engine();
        CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> KitHarness.run(engine, options(1),
                new RunListener() { }, new SuiteRequest(newSuite(), Duration.ofMinutes(10), true, kitParameters())));
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < waitUntil) {
            Progress p = engine.progress();
            if (p != null && p.iterations() > 0) {
                break;
            }
            Thread.sleep(20);
        }
        long cancelledAt = System.nanoTime();
        engine.cancel();
        RunReport report = run.get(cancelBound().toMillis() + 1000, TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - cancelledAt);
        assertTrue(took.compareTo(cancelBound()) <= 0, "cancel took " + took);
        SuiteResult r = report.results().get(0);
        assertEquals(Outcome.INTERRUPTED, r.outcome(), r.reason());
        assertEquals(Verdict.INCOMPLETE, report.verdict());
    }

    @Test
    @Timeout(60)
    void timeBudgetIsKept() {
        assumeTrue(availableHere(), "suite unavailable here");
        Duration budget = Duration.ofSeconds(2);
        long t0 = System.nanoTime();
        SuiteResult r = KitHarness.runOne(newSuite(), budget, kitParameters(), options(2));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertTrue(took.compareTo(budget.plus(budgetSlack())) <= 0, "took " + took + " for a budget of " + budget);
        Duration ran = Duration.between(r.started(), r.ended());
        assertTrue(ran.compareTo(budget.multipliedBy(9).dividedBy(10)) >= 0, "stopped early: " + ran);
        assertTrue(r.iterations() > 0, "did some work");
        assertTrue(r.checks() > 0 || !newSuite().descriptor().alwaysVerifies(), "reported the checks it made");
    }

    @Test
    void unavailableSuiteIsSkippedNeverPassed() {
        AtomicInteger prepared = new AtomicInteger();
        Suite real = newSuite();
        Suite unavailable = new Suite() {
            @Override
            public SuiteDescriptor descriptor() {
                return real.descriptor();
            }

            @Override
            public Availability availability(SuiteEnvironment env) {
                return Availability.unavailable(UnavailableCategory.NOT_PRESENT, "kit: hardware removed");
            }

            @Override
            public WorkPlan plan(SuiteEnvironment env, Parameters params) {
                return real.plan(env, params);
            }

            @Override
            public void prepare(SuiteContext ctx) throws Exception {
                prepared.incrementAndGet();
                real.prepare(ctx);
            }

            @Override
            public void run(WorkerContext ctx) throws Exception {
                real.run(ctx);
            }
        };
        RunReport report = KitHarness.run(KitHarness.engine(), options(3), new RunListener() { },
                new SuiteRequest(unavailable, Duration.ofSeconds(1), true, kitParameters()));
        SuiteResult r = report.results().get(0);
        assertEquals(Outcome.SKIPPED, r.outcome());
        assertEquals(UnavailableCategory.NOT_PRESENT, r.category());
        assertEquals("kit: hardware removed", r.reason());
        assertEquals(0, prepared.get(), "an unavailable suite is never prepared");
        assertEquals(Verdict.INCOMPLETE, report.verdict(), "a skipped required suite is never a pass");

        Availability here = newSuite().availability(KitHarness.environment());
        if (!here.available()) {
            SuiteResult real2 = KitHarness.runOne(newSuite(), Duration.ofSeconds(1), kitParameters(), options(3));
            assertEquals(Outcome.SKIPPED, real2.outcome());
            assertEquals(here.category(), real2.category());
        }
    }

    @Test
    @Timeout(120)
    void sameSeedReplaysSameWork() {
        assumeTrue(availableHere(), "suite unavailable here");
        assertSeedDrivesTheWork(this::newSuite, kitParameters(), this::options);
    }

    /**
     * The seed check, callable on any suite so that a test can show it fails a suite that ignores
     * {@code ctx.random()}: the same seed gives the same draws and amount of work; another seed gives
     * other draws. The work digest holds only the draws (never the seed itself), so a suite that draws
     * nothing, or draws from a generator of its own, has one digest for every seed and fails here.
     */
    public static void assertSeedDrivesTheWork(java.util.function.Supplier<Suite> suite, Map<String, String> params,
                                               java.util.function.LongFunction<RunOptions> options) {
        RunOptions fixed = options.apply(0x5EEDL).withMaxIterations(3);
        SuiteResult a = KitHarness.runOne(suite.get(), Duration.ofSeconds(60), params, fixed);
        SuiteResult b = KitHarness.runOne(suite.get(), Duration.ofSeconds(60), params, fixed);
        RunOptions other = options.apply(0x5EEDL + 1).withMaxIterations(3);
        SuiteResult c = KitHarness.runOne(suite.get(), Duration.ofSeconds(60), params, other);
        assertEquals(Outcome.PASS, a.outcome(), a.reason());
        assertEquals(a.iterations(), b.iterations(), "same amount of work");
        assertEquals(a.workDigest(), b.workDigest(), "same seed, same random draws");
        assertNotEquals(a.workDigest(), c.workDigest(), "another seed, other draws: the suite must use ctx.random()");
    }

    @Test
    @Timeout(120)
    void plantedFaultIsDetectedWithItsLocation() {
        assumeTrue(availableHere(), "suite unavailable here");
        PlantedFault f = faultToPlant();
        String id = newSuite().descriptor().id();
        RunOptions base = options(7).withMaxIterations(f.iteration() + 2);
        SuiteResult clean = KitHarness.runOne(newSuite(), Duration.ofSeconds(60), kitParameters(), base);
        assertEquals(Outcome.PASS, clean.outcome(), "control run without the fault: " + clean.reason());

        RunOptions planted = base.withFaults(List.of(new FaultPlan(id, f.site(), f.cpu(), f.phase(), f.iteration())));
        SuiteResult r = KitHarness.runOne(newSuite(), Duration.ofSeconds(60), kitParameters(), planted);
        assertEquals(Outcome.FAIL, r.outcome(), "the planted fault must be caught: " + r.reason());
        Failure first = r.failures().stream().filter(x -> !x.degraded()).findFirst().orElseThrow();
        assertEquals(f.iteration(), ((Number) first.details().get("iteration")).longValue(), "iteration: " + first);
        if (f.cpu() >= 0) {
            assertEquals(f.cpu(), ((Number) first.details().get("cpu")).intValue(), "cpu: " + first);
        }
        if (f.phase() != null) {
            assertEquals(f.phase(), first.details().get("phase"), "phase: " + first);
        }
        assertNotNull(first.details().get("seed"), "the seed that replays it");
        if (r.failureCount() != r.failures().stream().filter(x -> !x.degraded()).count()) {
            fail("failures were reported but not kept: " + r.failureCount());
        }
    }
}
