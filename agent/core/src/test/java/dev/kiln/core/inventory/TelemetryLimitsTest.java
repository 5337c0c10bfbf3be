package dev.kiln.core.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Failure;
import dev.kiln.api.Measurement;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.kit.KitHarness;
import dev.kiln.core.platform.mac.Powermetrics;
import dev.kiln.core.runner.RunOptions;
import dev.kiln.core.telemetry.TelemetryStats;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The SKU's clock floor judged per cluster on the real powermetrics captures (fixtures/macos): a
 * healthy machine is not failed by its efficiency cluster, a powered-down cluster or the GPU, and a
 * throttled performance cluster fails with its name.
 */
class TelemetryLimitsTest {
    private static final String M4_MAX = "powermetrics-m4max-mac16_5-macos26.2.plist";
    private static final String M2_ULTRA = "powermetrics-m2ultra-mac14_14-macos14.4.plist";

    private static Map<String, Double> capture(String name) {
        try (InputStream in = TelemetryLimitsTest.class.getResourceAsStream("/fixtures/macos/" + name)) {
            return Powermetrics.sample(in.readAllBytes());
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    private static SuiteResult judge(Object floor, List<Map<String, Double>> samples) {
        TelemetryStats stats = new TelemetryStats(Map.of());
        samples.forEach(stats::add);
        TelemetryLimitsSuite suite = new TelemetryLimitsSuite(new Sku.Limits(null, floor), () -> stats);
        return KitHarness.runOne(suite, Duration.ZERO, Map.of(), RunOptions.defaults(1));
    }

    private static Map<String, Double> measured(SuiteResult r) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Measurement x : r.measurements()) {
            m.put(x.name(), x.value());
        }
        return m;
    }

    @Test
    void aHealthyM4MaxPassesAThreeGigahertzFloorOnItsPerformanceClusters() {
        Map<String, Double> s = capture(M4_MAX);
        // The old rule took the lowest clock of every channel: the E-cluster (1.15 GHz) failed it.
        assertTrue(s.get("cluster_e_freq_hertz") < 3.0e9 && s.get("gpu_freq_hertz") < 3.0e9);
        SuiteResult r = judge(3.0e9, List.of(s));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        // P0 is busy (73 %); P1 is powered down (0.04 % active): only P0 is judged.
        assertEquals(Map.of("cluster_p0_sustained_clock_hertz", 3560870000.0), measured(r));
        assertEquals(1, r.checks());
    }

    @Test
    void theM2UltraCaptureIsJudgedOnlyWhereAClusterWasBusy() {
        Map<String, Double> s = capture(M2_ULTRA);
        // Its efficiency clusters were busy (96 % and 56 %): judged, and healthy.
        SuiteResult e = judge(Map.of("efficiency", 0.8e9), List.of(s));
        assertEquals(Outcome.PASS, e.outcome(), e.reason());
        assertEquals(Map.of("cluster_e0_sustained_clock_hertz", 990818000.0, "cluster_e1_sustained_clock_hertz", 912200000.0), measured(e));
        // No performance cluster was busy (21 % at most): the floor cannot be judged on this capture,
        // which is a skip with the reason, never a false FAIL of a 2.8 GHz idle clock and never a pass.
        SuiteResult p = judge(3.0e9, List.of(s));
        assertEquals(Outcome.SKIPPED, p.outcome());
        assertEquals(UnavailableCategory.NOT_PRESENT, p.category());
        assertTrue(p.reason().contains("no performance cluster was busy (at least 50% active)"), p.reason());
    }

    @Test
    void aThrottledPerformanceClusterFailsNamingTheCluster() {
        List<Map<String, Double>> trace = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Map<String, Double> s = new LinkedHashMap<>(capture(M4_MAX));
            s.put("cluster_p0_freq_hertz", i < 2 ? 3.5e9 : 2.1e9); // held at 2.1 GHz under load after two seconds
            s.put("cluster_p0_active_ratio", 0.98);
            trace.add(s);
        }
        SuiteResult r = judge(3.0e9, trace);
        assertEquals(Outcome.FAIL, r.outcome());
        Failure f = r.failures().get(0);
        assertEquals("p0", f.details().get("cluster"));
        assertEquals("performance", f.details().get("kind"));
        assertTrue(f.message().startsWith("cluster_p0_sustained_clock_hertz = 2.1E9 hertz"), f.message());
        assertEquals(10L, ((Number) f.details().get("busySamples")).longValue());
    }

    @Test
    void aShortSpikeDownDoesNotFailASustainedClock() {
        List<Map<String, Double>> trace = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Map<String, Double> s = new LinkedHashMap<>(capture(M4_MAX));
            s.put("cluster_p0_freq_hertz", i == 4 ? 1.2e9 : 3.9e9);
            trace.add(s);
        }
        SuiteResult r = judge(3.0e9, trace);
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertEquals(3.9e9, measured(r).get("cluster_p0_sustained_clock_hertz"));
    }

    @Test
    void linuxCpuClocksAreGroupedByTheTopologysClusters() {
        TelemetryStats stats = new TelemetryStats(Map.of(0, "performance", 1, "performance", 2, "efficiency", 3, "efficiency"));
        stats.add(Map.of("cpu0_freq_hertz", 4.0e9, "cpu1_freq_hertz", 3.8e9, "cpu2_freq_hertz", 2.0e9, "cpu3_freq_hertz", 2.2e9,
                "cpu0_max_freq_hertz", 5.0e9));
        SuiteResult r = KitHarness.runOne(new TelemetryLimitsSuite(new Sku.Limits(null, 3.5e9), () -> stats), Duration.ZERO, Map.of(),
                RunOptions.defaults(1));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertEquals(Map.of("cluster_performance_sustained_clock_hertz", 3.9e9), measured(r), "the efficiency cores are not held to it");
    }
}
