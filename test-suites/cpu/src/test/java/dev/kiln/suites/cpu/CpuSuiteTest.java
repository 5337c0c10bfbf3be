package dev.kiln.suites.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.Parameters;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.WorkPlan;
import dev.kiln.core.kit.KitHarness;
import dev.kiln.core.runner.FaultPlan;
import dev.kiln.core.runner.RunOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSuiteTest {
    private static Parameters params(Map<String, String> over) {
        return new CpuSuite().descriptor().withDefaults(over);
    }

    /** Every kernel's check catches a fault planted on one core and names that core. */
    @Test
    void everyKernelCatchesAFaultAndNamesTheCore() {
        List<SuiteEnvironment.LogicalCpu> cpus = KitHarness.environment().logicalCpus();
        int target = cpus.getLast().id();
        for (String kernel : CpuSuite.ALL_KERNELS) {
            for (String phase : List.of("all-cores", "each-core")) {
                RunOptions o = RunOptions.defaults(99).withMaxIterations(3)
                        .withFaults(List.of(new FaultPlan("cpu", kernel, target, phase, 2)));
                SuiteResult r = KitHarness.runOne(new CpuSuite(), Duration.ofSeconds(60), Map.of("kernels", kernel), o);
                assertEquals(Outcome.FAIL, r.outcome(), kernel + "/" + phase + ": " + r.reason());
                assertEquals(1, r.failureCount(), kernel + "/" + phase);
                Failure f = r.failures().stream().filter(x -> !x.degraded()).findFirst().orElseThrow();
                assertEquals("cpu-" + kernel + "-miscompare", f.symptom());
                assertEquals(target, f.details().get("cpu"), kernel);
                assertEquals(phase, f.details().get("phase"));
                assertEquals(2L, f.details().get("iteration"));
                assertEquals(kernel, f.details().get("kernel"));
                assertTrue(f.details().containsKey("expected") && f.details().containsKey("actual"));
                assertTrue(f.message().contains("cpu " + target) && f.message().contains("seed 0x"), f.message());
                if (System.getProperty("os.name").toLowerCase().contains("linux")) {
                    assertEquals(target, f.details().get("observedCpu"), "pinned: it ran where it was placed");
                }
            }
        }
    }

    @Test
    void planRunsAllCoresThenEachCore() {
        SuiteEnvironment env = KitHarness.environment();
        WorkPlan plan = new CpuSuite().plan(env, params(Map.of()));
        assertEquals(2, plan.phases().size());
        assertEquals(WorkPlan.Mode.PARALLEL, plan.phases().get(0).mode());
        assertEquals(WorkPlan.Mode.SEQUENTIAL, plan.phases().get(1).mode());
        assertEquals(env.logicalCpus().size(), plan.phases().get(0).placements().size());
        assertEquals(1, new CpuSuite().plan(env, params(Map.of("phases", "all-cores"))).phases().size());
    }

    @Test
    void badParametersAreRejectedBeforeRunning() {
        CpuSuite s = new CpuSuite();
        for (Map<String, String> bad : List.of(Map.of("kernels", "sha1"), Map.of("degraded-margin", "1.5"),
                Map.of("degraded-margin", "x"), Map.of("fma-path", "gpu"), Map.of("phases", "some"))) {
            assertThrows(Parameters.InvalidParameterException.class, () -> s.validate(params(bad)), bad.toString());
        }
        s.validate(params(Map.of("kernels", "sha256, sort")));
    }

    @Test
    void scalarPathRunsAndPasses() {
        SuiteResult r = KitHarness.runOne(new CpuSuite(), Duration.ofSeconds(60),
                Map.of("kernels", "fma-matrix", "fma-path", "scalar"), RunOptions.defaults(1).withMaxIterations(2));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertTrue(r.placement().startsWith(dev.kiln.core.platform.PlatformProbe.current().threadPlacer().method()), r.placement());
        assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("fma_matrix_flops_per_second")));
    }
}
