package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.api.Failure;
import dev.kiln.api.Measurement;
import dev.kiln.api.Outcome;
import dev.kiln.api.Parameters;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.kit.KitHarness;
import dev.kiln.core.runner.FaultPlan;
import dev.kiln.core.runner.RunOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole pipeline on ONNX Runtime's CPU provider (what CI can run), and the Neural Engine's skip here. */
class NeuralEngineSuiteTest {
    static final Map<String, String> SMALL = Map.of("provider", "cpu", "channels", "4", "spatial", "8", "conv-layers", "2", "hidden", "16",
            "outputs", "12", "inputs", "3", "sessions", "2");

    private static SuiteResult run(Map<String, String> params, RunOptions o) {
        return KitHarness.runOne(new NeuralEngineSuite(), Duration.ofSeconds(60), params, o);
    }

    private static double measurement(SuiteResult r, String name) {
        return r.measurements().stream().filter(m -> m.name().equals(name)).mapToDouble(Measurement::value).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing: " + r.measurements()));
    }

    @Test
    void theCpuPipelinePassesAndSaysItIsNotTheNeuralEngine() {
        SuiteResult r = run(SMALL, RunOptions.defaults(3).withMaxIterations(20));
        assertEquals(Outcome.PASS, r.outcome(), r.reason() + " " + r.failures());
        assertEquals(0, measurement(r, "ne_on_neural_engine"), "the CPU provider never counts as the Neural Engine");
        assertTrue(measurement(r, "ne_inferences_per_second") > 0);
        double worst = measurement(r, "ne_worst_error_to_tolerance");
        assertTrue(worst > 0 && worst < 1, "the fp16 model's answers differ from the fp32 reference, inside the tolerance: " + worst);
        assertEquals("cpu-provider (not the Neural Engine)", r.measurements().get(0).metadata().get("engine"));
        assertEquals(0, measurement(r, "ne_wrong_outputs_total"));
        assertTrue(r.checks() >= 20L * 12, "every output of every inference checked: " + r.checks());
        assertEquals("cpu", r.parameters().get("provider"));
        assertEquals("ONNX Runtime's CPU provider (provider=cpu), not the Neural Engine", r.standIn(), "the result names the stand-in");
        // a SKU that says the unit has a Neural Engine: the same run is never a pass, and it is required
        SuiteResult refused = run(SMALL, RunOptions.defaults(3).withMaxIterations(20).withEnginesRequired(java.util.Set.of("neural-engine")));
        assertEquals(Outcome.SKIPPED, refused.outcome(), refused.reason());
        assertTrue(refused.required() && refused.reason().startsWith("a stand-in ran (ONNX Runtime's CPU provider"), refused.reason());
        assertEquals(dev.kiln.api.Verdict.INCOMPLETE, dev.kiln.core.Verdicts.decide(List.of(refused)));
    }

    /** Each fault at its exact tensor index, with the symptom of the check that must catch it. */
    @Test
    void everyInjectedFaultIsCaughtAtItsIndex() {
        Map<String, Object[]> faults = Map.of("perturb", new Object[] {Check.BEYOND_TOLERANCE, 4}, "bitflip", new Object[] {Check.NOT_REPEATABLE, 6},
                "nan", new Object[] {Check.NON_FINITE, 8});
        for (Map.Entry<String, Object[]> f : faults.entrySet()) {
            SuiteResult r = run(SMALL, RunOptions.defaults(11).withMaxIterations(4)
                    .withFaults(List.of(new FaultPlan("neural-engine", f.getKey(), -1, null, 2))));
            assertEquals(Outcome.FAIL, r.outcome(), f.getKey() + ": " + r.reason());
            // the plan names no CPU (the sessions are not pinned): every session's output at that iteration is hit
            assertEquals(2, r.failureCount(), f.getKey() + ": the planted element in each of the 2 sessions, nothing else: " + r.failures());
            for (int s = 0; s < 2; s++) {
                Failure x = r.failures().get(s);
                assertEquals(f.getValue()[0], x.symptom(), f.getKey());
                assertEquals(List.of(0, f.getValue()[1]), x.details().get("index"), f.getKey() + ": " + x);
                assertEquals("y", x.details().get("tensor"));
                assertEquals(2L, ((Number) x.details().get("iteration")).longValue());
                assertEquals("inference", x.details().get("phase"));
            }
        }
    }

    @Test
    void withoutANeuralEngineTheSuiteIsSkippedWithTheReason() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        assumeFalse(os.contains("mac") && System.getProperty("os.arch").equals("aarch64"), "this Mac has a Neural Engine");
        Map<String, String> p = new HashMap<>(SMALL);
        p.put("provider", "coreml");
        SuiteResult r = run(p, RunOptions.defaults(1).withMaxIterations(2));
        assertEquals(Outcome.SKIPPED, r.outcome(), r.reason());
        assertEquals(UnavailableCategory.NOT_PRESENT, r.category());
        assertTrue(r.reason().startsWith("no Neural Engine: it exists only on Apple Silicon under macOS"), r.reason());
    }

    @Test
    void badParametersAreRefusedBeforeAnythingRuns() {
        NeuralEngineSuite s = new NeuralEngineSuite();
        for (Map.Entry<String, String> bad : Map.of("provider", "ane", "spatial", "6", "sessions", "0", "ane-power-min", "0",
                "hidden", "65536", "coreml-load-timeout", "0", "coreml-cache-entries", "0", "model-seed", "x").entrySet()) {
            Map<String, String> p = new HashMap<>(SMALL);
            p.put(bad.getKey(), bad.getValue());
            if (bad.getKey().equals("hidden")) {
                p.put("channels", "1024");
                p.put("spatial", "1024");
            }
            Parameters.InvalidParameterException e = assertThrows(Parameters.InvalidParameterException.class,
                    () -> s.validate(s.descriptor().withDefaults(p)), bad.toString());
            assertEquals(bad.getKey(), e.parameter(), e.getMessage());
        }
    }

    /** A model ONNX Runtime refuses is an ERROR with the runtime's message, never a crash or a pass. */
    @Test
    void aModelTheRuntimeRefusesIsAnErrorWithItsMessage() {
        Exception e = assertThrows(Exception.class, () -> Engine.open(Engine.Provider.CPU, new byte[] {8, 1, 0x3a, 5, 1, 2, 3}, 1, null));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), String.valueOf(e));
    }
}
