package dev.kiln.suites.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.Parameters;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.kit.KitHarness;
import dev.kiln.core.runner.FaultPlan;
import dev.kiln.core.runner.RunOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemorySuiteTest {
    static final String SIZE = "2MiB";

    private static SuiteResult run(Map<String, String> params, RunOptions o) {
        return KitHarness.runOne(new MemorySuite(), Duration.ofSeconds(60), params, o);
    }

    /** Every family reports the exact word and bit a planted flip hit (the copy's flip comes from another thread). */
    @Test
    void everyFamilyNamesTheExactAddressAndBit() {
        int workers = KitHarness.environment().logicalCpus().size();
        long perWorker = ((2L << 20) / workers) & ~15L;
        long words = perWorker / 8;
        for (Family f : Family.all()) {
            RunOptions o = RunOptions.defaults(5).withMaxIterations(2).withFaults(List.of(new FaultPlan("memory", f.id(), -1, null, 1)));
            SuiteResult r = run(Map.of("size", SIZE, "families", f.id()), o);
            assertEquals(Outcome.FAIL, r.outcome(), f.id() + ": " + r.reason());
            List<Failure> mismatches = r.failures().stream().filter(x -> x.symptom().endsWith("-mismatch")).toList();
            assertEquals(workers, mismatches.size(), f.id() + ": one flip per worker: " + r.failures());
            assertEquals(workers + 1, r.failureCount(), "and memory_errors_total over its limit");
            for (Failure x : mismatches) {
                Map<String, Object> d = x.details();
                assertEquals(Family.faultWord(f.id(), words) * 8, ((Number) d.get("offset")).longValue(), f.id() + " offset: " + d);
                assertEquals(List.of(Family.FAULT_BIT), d.get("bits"), f.id());
                assertEquals(String.format("0x%016x", 1L << Family.FAULT_BIT), d.get("xor"));
                assertEquals(1L, ((Number) d.get("pass")).longValue());
                assertEquals("stored wrong (the re-read agrees)", d.get("kind"));
                assertTrue(((String) d.get("virtualAddress")).startsWith("0x"));
                assertTrue(d.containsKey("physicalAddress") && d.containsKey("expected") && d.containsKey("read") && d.containsKey("reread"));
            }
            assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("memory_errors_total") && m.value() == workers));
        }
    }

    @Test
    void allFamiliesPassOnHealthyMemory() {
        SuiteResult r = run(Map.of("size", SIZE), RunOptions.defaults(9).withMaxIterations(Family.all().size()));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("memory_pass_bytes_per_second") && m.value() > 0));
    }

    @Test
    void moreThanIsAvailableIsASkipNotASwapStorm() {
        SuiteResult r = run(Map.of("size", "64TiB"), RunOptions.defaults(1).withMaxIterations(1));
        assertEquals(Outcome.SKIPPED, r.outcome());
        assertEquals(UnavailableCategory.NO_RESOURCE, r.category());
        assertTrue(r.reason().contains("refusing to push the machine into swap"), r.reason());
    }

    @Test
    void badParametersAreRefusedBeforeRunning() {
        MemorySuite s = new MemorySuite();
        for (Map<String, String> bad : List.of(Map.of("share", "0"), Map.of("share", "1.5"), Map.of("share", "lots"),
                Map.of("size", "12 apples"), Map.of("families", "walking-sideways"), Map.of("lock", "maybe"))) {
            assertThrows(Parameters.InvalidParameterException.class, () -> s.validate(s.descriptor().withDefaults(bad)), bad.toString());
        }
    }

    @Test
    void risingEdacCountsAreAMeasurementWithALimit(@TempDir Path sys) throws Exception {
        Path mc = Files.createDirectories(sys.resolve("mc0"));
        Files.writeString(mc.resolve("ce_count"), "5\n");
        Files.writeString(mc.resolve("ue_count"), "0\n");
        Path before = Edac.root;
        Edac.root = sys;
        try {
            Thread rise = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    Files.writeString(mc.resolve("ce_count"), "7\n");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            rise.start();
            SuiteResult r = KitHarness.runOne(new MemorySuite(), Duration.ofSeconds(1), Map.of("size", SIZE), RunOptions.defaults(3));
            rise.join();
            assertEquals(Outcome.FAIL, r.outcome(), r.reason());
            assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("edac_corrected_errors_delta") && m.value() == 2),
                    r.measurements().toString());
        } finally {
            Edac.root = before;
        }
    }
}
