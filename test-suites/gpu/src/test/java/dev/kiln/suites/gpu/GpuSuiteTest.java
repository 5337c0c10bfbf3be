package dev.kiln.suites.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.Failure;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Live on the OpenCL devices here (gated on there being one); the parameter checks run everywhere. */
class GpuSuiteTest {
    static final Map<String, String> SMALL = Map.of("device-type", "all", "fma-items", "4096", "fma-iterations", "256", "memory-size", "8MiB");

    private static boolean openCl() {
        try {
            return !OpenCl.devices().isEmpty();
        } catch (OpenCl.Unavailable e) {
            return false;
        }
    }

    private static SuiteResult run(Map<String, String> params, RunOptions o) {
        return KitHarness.runOne(new GpuSuite(), Duration.ofSeconds(60), params, o);
    }

    private static int devices() throws Exception {
        return OpenCl.devices().size();
    }

    @Test
    void healthyDevicesPassWithTheirFigures() {
        assumeTrue(openCl(), "no OpenCL device here");
        SuiteResult r = run(SMALL, RunOptions.defaults(3).withMaxIterations(3));
        assertEquals(Outcome.PASS, r.outcome(), r.reason() + " " + r.failures());
        for (String m : List.of("gpu_fma_flops_per_second", "gpu_memory_bytes_per_second")) {
            assertTrue(r.measurements().stream().anyMatch(x -> x.name().equals(m) && x.value() > 0), m + ": " + r.measurements());
        }
        assertTrue(r.measurements().stream().anyMatch(x -> x.name().equals("gpu_memory_errors_total") && x.value() == 0));
    }

    /** A wrong FMA result on one item is caught bit for bit, with the item and the bit. */
    @Test
    void aWrongFmaResultIsCaughtWithItsItem() throws Exception {
        assumeTrue(openCl(), "no OpenCL device here");
        SuiteResult r = run(SMALL, RunOptions.defaults(5).withMaxIterations(2).withFaults(List.of(new FaultPlan("gpu", "fma", -1, null, 1))));
        assertEquals(Outcome.FAIL, r.outcome(), r.reason());
        List<Failure> f = r.failures().stream().filter(x -> x.symptom().equals("gpu-fma-wrong-result")).toList();
        assertEquals(devices(), f.size(), "one per device: " + r.failures());
        for (Failure x : f) {
            assertEquals(4096L / 3, ((Number) x.details().get("item")).longValue());
            assertEquals(List.of(GpuSuite.FAULT_BIT), x.details().get("bits"));
            assertEquals(1L, ((Number) x.details().get("pass")).longValue());
        }
    }

    /** A bit flipped in device memory between the fill and the check is found at its offset. */
    @Test
    void aFlippedBitInDeviceMemoryIsFoundAtItsOffset() throws Exception {
        assumeTrue(openCl(), "no OpenCL device here");
        for (long pass = 0; pass < 5; pass++) { // every pattern
            SuiteResult r = run(SMALL, RunOptions.defaults(7).withMaxIterations(pass + 1)
                    .withFaults(List.of(new FaultPlan("gpu", "memory", -1, null, pass))));
            assertEquals(Outcome.FAIL, r.outcome(), r.reason());
            List<Failure> f = r.failures().stream().filter(x -> x.symptom().equals("gpu-memory-mismatch")).toList();
            assertEquals(devices(), f.size(), r.failures().toString());
            for (Failure x : f) {
                assertEquals((8L << 20) / 4 / 6 * 4, ((Number) x.details().get("offset")).longValue(), x.toString());
                assertEquals(List.of(GpuSuite.FAULT_BIT), x.details().get("bits"));
                assertEquals(Reference.MODES[(int) pass], x.details().get("pattern"));
            }
            int n = devices();
            assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("gpu_memory_errors_total") && m.value() == n));
        }
    }

    /** Asking for a kind of device that is not here is a skip that says what is here, never a pass. */
    @Test
    void noDeviceOfTheTypeIsASkipNotAPass() throws Exception {
        assumeTrue(openCl() && OpenCl.devices().stream().noneMatch(d -> d.type().equals("accelerator")), "an accelerator is here");
        Map<String, String> p = new HashMap<>(SMALL);
        p.put("device-type", "accelerator");
        SuiteResult r = run(p, RunOptions.defaults(1).withMaxIterations(1));
        assertEquals(Outcome.SKIPPED, r.outcome());
        assertEquals(UnavailableCategory.NOT_PRESENT, r.category());
        assertTrue(r.reason().contains("no OpenCL device of type accelerator (here: "), r.reason());
    }

    /** Kernels that do not build say so with the compiler's log (the suite is then ERROR: the test broke, not the part). */
    @Test
    void aBuildFailureCarriesTheCompilersLog() throws Exception {
        assumeTrue(openCl(), "no OpenCL device here");
        OpenCl.Device d = OpenCl.devices().get(0);
        float[] one = {0.5f};
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new DeviceRun(d, "__kernel void fma_chain(__global float *a) { undeclared_thing = 1; }", one, one, one, 1, new int[1], 4096));
        assertTrue(e.getMessage().contains("do not build") && e.getMessage().contains("undeclared_thing"), e.getMessage());
    }

    @Test
    void badParametersAreRefused() {
        GpuSuite s = new GpuSuite();
        for (Map<String, String> bad : List.of(Map.of("device-type", "tpu"), Map.of("fma-items", "0"), Map.of("fma-iterations", "-3"),
                Map.of("memory-size", "lots"), Map.of("memory-size", "0MiB"), Map.of("memory-size", "100"))) {
            assertThrows(Parameters.InvalidParameterException.class, () -> s.validate(s.descriptor().withDefaults(bad)), bad.toString());
        }
    }

    /** The Java reference is what the kernels compute (a few values worked out independently). */
    @Test
    void referencePatterns() {
        assertEquals(0x12 ^ 0xFF, Reference.pattern(0x12, 0xFF, 0));
        assertEquals(~(0x12 ^ 0xFF), Reference.pattern(0x12, 0xFF, 1));
        assertEquals(1 << 5, Reference.pattern(3, 2, 2));
        assertEquals(~(1 << 5), Reference.pattern(3, 2, 3));
        assertEquals(1, Integer.bitCount(Reference.pattern(123456789L, 77, 2)));
        // x -> fma(x, 0.5, 0.25) from 1.0 reaches its fixed point 0.5 exactly; the hash folds every step
        int h = 0;
        float x = 1f;
        float y = 1f;
        for (int i = 0; i < 3; i++) {
            x = x * 0.5f + 0.25f; // exact in float for these values
            y = y * 0.5f - 0.25f;
            h = h * 0x9E3779B1 + (Float.floatToRawIntBits(x) ^ Float.floatToRawIntBits(y));
        }
        assertEquals(h, Reference.chain(0, 0.5f, 0.25f, 1f, 3));
    }
}
