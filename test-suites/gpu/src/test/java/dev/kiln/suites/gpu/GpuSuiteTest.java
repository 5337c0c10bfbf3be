package dev.kiln.suites.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Live on the OpenCL devices here (gated on there being one); the parameter checks run everywhere. */
class GpuSuiteTest {
    static final Map<String, String> SMALL = Map.of("device-type", "all", "fma-items", "256", "fma-iterations", "256", "fma-launches", "2",
            "memory-size", "8MiB", "host-check", "all", "transfer-size", "1MiB");

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
        for (String m : List.of("gpu_fma_flops_per_second", "gpu_memory_bytes_per_second", "gpu_transfer_plain_bytes_per_second",
                "gpu_transfer_mapped_bytes_per_second", "gpu_memory_host_checked_words_total", "gpu_device_fma_flops_per_second")) {
            assertTrue(r.measurements().stream().anyMatch(x -> x.name().equals(m) && x.value() > 0), m + ": " + r.measurements());
        }
        assertTrue(r.measurements().stream().anyMatch(x -> x.name().equals("gpu_memory_errors_total") && x.value() == 0));
        Measurement inv = r.measurements().stream().filter(x -> x.name().equals("gpu_device_compute_units")).findFirst().orElseThrow();
        for (String k : List.of("device", "vendor", "driverVersion", "openclVersion", "computeUnits", "maxClockMHz", "globalMemoryBytes",
                "maxAllocationBytes")) {
            assertTrue(inv.metadata().containsKey(k), k + ": " + inv);
        }
        // devices of which none is a GPU (PoCL's CPU device here) are a stand-in, and the result says so
        boolean aGpu = OpenCl.devices().stream().anyMatch(d -> d.type().equals("gpu"));
        assertEquals(aGpu, r.standIn().isEmpty(), r.standIn());
        if (!aGpu) {
            assertTrue(r.standIn().startsWith("OpenCL ") && r.standIn().endsWith(", not a GPU"), r.standIn());
            SuiteResult refused = run(SMALL, RunOptions.defaults(3).withMaxIterations(3).withEnginesRequired(java.util.Set.of("gpu")));
            assertEquals(Outcome.SKIPPED, refused.outcome(), "a SKU that names GPU cores never passes on a stand-in: " + refused.reason());
        }
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
            assertEquals(256L / 3, ((Number) x.details().get("item")).longValue(), x.toString());
            assertEquals(3L * 16, ((Number) x.details().get("chain")).longValue(), "accumulator 3, lane 0: " + x);
            assertEquals(List.of(GpuSuite.FAULT_BIT), x.details().get("bits"));
            assertEquals(1L, ((Number) x.details().get("pass")).longValue());
            assertEquals(0L, ((Number) x.details().get("launch")).longValue());
        }
    }

    /**
     * Dropped work: a launch that never ran, or a read-back that never came, leaves the poison written
     * before it, so every item of that launch is wrong, said as such; without the poison the previous
     * launch's right answers would have passed. A device lost under load is a FAIL naming device and
     * command, not an ERROR.
     */
    @Test
    void aDroppedLaunchOrReadBackIsCaughtAtEveryItemAndALostDeviceIsAFail() throws Exception {
        assumeTrue(openCl(), "no OpenCL device here");
        for (String seam : List.of("drop-launch", "drop-readback")) {
            SuiteResult r = run(SMALL, RunOptions.defaults(5).withMaxIterations(2).withFaults(List.of(new FaultPlan("gpu", seam, -1, null, 1))));
            assertEquals(Outcome.FAIL, r.outcome(), seam + ": " + r.reason());
            List<Failure> f = r.failures().stream().filter(x -> x.symptom().equals("gpu-fma-wrong-result")).toList();
            assertTrue(!f.isEmpty(), seam);
            Failure first = f.get(0);
            assertEquals(0L, ((Number) first.details().get("item")).longValue(), "from the first item on: " + first);
            assertEquals(1L, ((Number) first.details().get("pass")).longValue(), "the pass the seam was planted in, after a right one: " + first);
            String said = (String) first.details().get("dropped");
            assertTrue(said != null && said.startsWith(seam.equals("drop-launch") ? "the launch never wrote" : "the read-back never brought"),
                    first.toString());
            double wrong = r.measurements().stream().filter(m -> m.name().equals("gpu_fma_wrong_results_total")).findFirst().orElseThrow().value();
            assertEquals(256.0 * DeviceRun.CHAINS * devices(), wrong, "every chain of every item of the dropped launch");
        }
        SuiteResult lost = run(SMALL, RunOptions.defaults(5).withMaxIterations(3).withFaults(List.of(new FaultPlan("gpu", "device-lost", -1, null, 1))));
        assertEquals(Outcome.FAIL, lost.outcome(), lost.reason());
        Failure l = lost.failures().stream().filter(x -> x.symptom().equals("gpu-device-lost")).findFirst().orElseThrow(() ->
                new AssertionError(lost.failures().toString()));
        assertEquals("the FMA launch", l.details().get("command"));
        assertEquals(OpenCl.devices().get(0).name(), l.details().get("device"));
    }

    /**
     * A check kernel that silently does nothing (here: told to return at once) reports no wrong word;
     * the host's own read-back finds the flipped bit it missed, at its offset.
     */
    @Test
    void aCheckKernelThatDoesNothingIsCaughtByTheHost() throws Exception {
        assumeTrue(openCl(), "no OpenCL device here");
        SuiteResult r = run(SMALL, RunOptions.defaults(9).withMaxIterations(3).withFaults(List.of(new FaultPlan("gpu", "memory", -1, null, 1),
                new FaultPlan("gpu", "check-kernel", -1, null, 1))));
        assertEquals(Outcome.FAIL, r.outcome(), r.reason());
        List<Failure> f = r.failures().stream().filter(x -> x.symptom().equals("gpu-check-kernel-missed")).toList();
        assertEquals(devices(), f.size(), r.failures().toString());
        assertTrue(r.failures().stream().noneMatch(x -> x.symptom().equals("gpu-memory-mismatch")), "the sabotaged device check found nothing");
        for (Failure x : f) {
            assertEquals((8L << 20) / 4 / 6 * 4, ((Number) x.details().get("offset")).longValue(), x.toString());
            assertEquals("host", x.details().get("foundBy"));
            assertEquals(0L, ((Number) x.details().get("deviceReported")).longValue());
        }
        // the same sabotage with nothing wrong in memory is no failure: the host check raises no false alarm
        SuiteResult clean = run(SMALL, RunOptions.defaults(9).withMaxIterations(3).withFaults(List.of(new FaultPlan("gpu", "check-kernel", -1, null, 1))));
        assertEquals(Outcome.PASS, clean.outcome(), clean.reason() + clean.failures());
    }

    /** A word corrupted on its way back from the device is found at its offset, on that path and size. */
    @Test
    void aCorruptedTransferIsFoundAtItsOffset() throws Exception {
        assumeTrue(openCl(), "no OpenCL device here");
        SuiteResult r = run(SMALL, RunOptions.defaults(4).withMaxIterations(2).withFaults(List.of(new FaultPlan("gpu", "transfer", -1, null, 1))));
        assertEquals(Outcome.FAIL, r.outcome(), r.reason());
        List<Failure> f = r.failures().stream().filter(x -> x.symptom().equals("gpu-transfer-mismatch")).toList();
        assertEquals(devices(), f.size(), r.failures().toString());
        for (Failure x : f) {
            assertEquals((1L << 20) / 4 / 3 * 4, ((Number) x.details().get("offset")).longValue(), x.toString());
            assertEquals("plain", x.details().get("path"));
            assertEquals(1L << 20, ((Number) x.details().get("bytes")).longValue());
            assertEquals(List.of(GpuSuite.FAULT_BIT), x.details().get("bits"));
        }
    }

    /**
     * A launch that does not end (item 0 told to spin for 2^31 steps) misses its deadline, derived
     * from the first launches: the suite is HUNG naming the device long before the watchdog's limit.
     */
    @Test
    void aLaunchThatNeverEndsIsHungWithTheDeviceNamed() throws Exception {
        assumeTrue(openCl(), "no OpenCL device here");
        long t0 = System.nanoTime();
        SuiteResult r = KitHarness.runOne(new GpuSuite(), Duration.ofSeconds(60), SMALL, RunOptions.defaults(2).withMaxIterations(4)
                .withHangTimeout(Duration.ofSeconds(60)).withFaults(List.of(new FaultPlan("gpu", "hang", -1, null, 1))));
        double took = (System.nanoTime() - t0) / 1e9;
        assertEquals(Outcome.HUNG, r.outcome(), r.reason());
        assertTrue(r.reason().contains(OpenCl.devices().get(0).name()) && r.reason().contains("the FMA launch did not complete"), r.reason());
        assertTrue(took < 45, "the deadline, not the 60 s watchdog, ended it: " + took + " s");
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
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new DeviceRun(d, "__kernel void fma_dense(__global float *a) { undeclared_thing = 1; }", new float[16], new float[16],
                        new float[DeviceRun.CHAINS], 1, new float[DeviceRun.CHAINS], 4096));
        assertTrue(e.getMessage().contains("do not build") && e.getMessage().contains("undeclared_thing"), e.getMessage());
    }

    /** On any OS but macOS, {@code api=metal} is a skip saying so, never a pass; {@code auto} is OpenCL here. */
    @Test
    void metalIsOnlyOnMacosAndAutoChoosesByOs() {
        assertEquals("metal", GpuBackend.of("auto", "Mac OS X").api());
        assertEquals("opencl", GpuBackend.of("auto", "Linux").api());
        assertEquals("metal", GpuBackend.of("metal", "Linux").api());
        assertThrows(IllegalArgumentException.class, () -> GpuBackend.of("vulkan", "Linux"));
        assumeTrue(!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("mac"), "this is a Mac");
        Map<String, String> p = new HashMap<>(SMALL);
        p.put("api", "metal");
        SuiteResult r = run(p, RunOptions.defaults(1).withMaxIterations(1));
        assertEquals(Outcome.SKIPPED, r.outcome(), r.reason());
        assertEquals(UnavailableCategory.NOT_PRESENT, r.category());
        assertTrue(r.reason().startsWith("Metal exists only on macOS; this is "), r.reason());
    }

    @Test
    void badParametersAreRefused() {
        GpuSuite s = new GpuSuite();
        for (Map<String, String> bad : List.of(Map.of("api", "vulkan"), Map.of("api", "CUDA"), Map.of("device-type", "tpu"), Map.of("fma-items", "0"), Map.of("fma-iterations", "-3"),
                Map.of("fma-launches", "0"), Map.of("host-check", "none"), Map.of("transfer-size", "4KiB"),
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
        // x -> fma(x, 0.5, 0.25) from 1.0: 0.75, 0.625, 0.5625 (exact in float)
        assertEquals(0.5625f, Reference.dense(0.5f, 0.25f, 1f, 3));
    }

    /** The host's Vector API answers are the scalar Math.fma chain's, bit for bit, for every chain. */
    @Test
    void theVectorisedHostAnswersAreTheScalarOnes() {
        int items = 3;
        DeviceRun.Inputs in = DeviceRun.Inputs.seeded(items, new java.util.SplittableRandom(5));
        float[] a = in.a();
        float[] b = in.b();
        float[] x0 = in.x0();
        float[] g = DeviceRun.golden(a, b, x0, 300, 2);
        for (int item = 0; item < items; item++) {
            for (int v = 0; v < 8; v++) {
                for (int l = 0; l < 16; l++) {
                    int c = (item * 8 + v) * 16 + l;
                    assertEquals(Float.floatToRawIntBits(Reference.dense(a[item * 16 + l], b[item * 16 + l], x0[c], 300)),
                            Float.floatToRawIntBits(g[c]), "chain " + c);
                }
            }
        }
    }
}
