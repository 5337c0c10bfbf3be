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
        for (String kernel : CpuSuite.ARITHMETIC_KERNELS) {
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

    /** A failure run again on its core and on another thread, classed by how often it came back (the seams of the retests planted or not). */
    @Test
    void aFailureIsRetestedAndClassedReproducibleIntermittentOrNotReproduced() {
        int target = KitHarness.environment().logicalCpus().getLast().id();
        Map<String, List<String>> planted = new java.util.LinkedHashMap<>();
        planted.put("not reproduced: 0 of 5 again on this core, 0 of 5 on another thread (not pinned)", List.of("sha256"));
        planted.put("reproducible: 5 of 5 again on this core, 0 of 5 on another thread (not pinned)",
                List.of("sha256", "sha256.retest1", "sha256.retest2", "sha256.retest3", "sha256.retest4", "sha256.retest5"));
        planted.put("intermittent: 2 of 5 again on this core, 1 of 5 on another thread (not pinned)",
                List.of("sha256", "sha256.retest2", "sha256.retest4", "sha256.neighbour3"));
        planted.forEach((said, sites) -> {
            List<FaultPlan> plans = sites.stream().map(site -> new FaultPlan("cpu", site, target, "all-cores", 1)).toList();
            SuiteResult r = KitHarness.runOne(new CpuSuite(), Duration.ofSeconds(60), Map.of("kernels", "sha256", "phases", "all-cores"),
                    RunOptions.defaults(5).withMaxIterations(2).withFaults(plans));
            assertEquals(Outcome.FAIL, r.outcome(), said);
            assertEquals(1, r.failureCount(), said + ": one failure, its retests in it");
            Failure f = r.failures().getFirst();
            assertTrue(f.message().endsWith("retested: " + said), f.message());
            assertEquals(said.substring(0, said.indexOf(':')), f.details().get("retest"));
            assertEquals(5, f.details().get("retestRuns"));
            double in = (Double) f.details().get("secondsIntoPhase");
            assertTrue(in >= 0 && in < 60, "when it was found, into the phase: " + in);
            assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("cpu_kernel_run_seconds") && m.value() > 0
                    && "sha256".equals(m.metadata().get("kernel"))), "a run's mean length, for bench/detect.sh");
            assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("cpu_retest_seconds_total") && m.value() > 0), "accounted");
        });
        // a defect whose wrong answers vary: the retest that gives another wrong answer is counted and named
        List<FaultPlan> varying = java.util.stream.Stream.of("sha256", "sha256.retest1", "sha256.retest3.other", "sha256.retest4",
                "sha256.retest4.other").map(site -> new FaultPlan("cpu", site, target, "all-cores", 1)).toList();
        SuiteResult v = KitHarness.runOne(new CpuSuite(), Duration.ofSeconds(60), Map.of("kernels", "sha256", "phases", "all-cores"),
                RunOptions.defaults(5).withMaxIterations(2).withFaults(varying));
        Failure vf = v.failures().getFirst();
        long golden = Long.parseUnsignedLong(((String) vf.details().get("expected")).substring(2), 16);
        long first = Long.parseUnsignedLong(((String) vf.details().get("actual")).substring(2), 16);
        List<String> others = List.of(CpuSuite.hex(golden ^ CpuSuite.OTHER_ANSWER), CpuSuite.hex(first ^ CpuSuite.OTHER_ANSWER));
        assertEquals(others, vf.details().get("retestOtherAnswers"), vf.message());
        assertEquals(3, vf.details().get("retestFailed"), "retests 1, 3 and 4 wrong: " + vf.message());
        assertTrue(vf.message().endsWith("retested: intermittent: 3 of 5 again on this core, 0 of 5 on another thread (not pinned); "
                + "the retests' wrong answers differ: " + String.join(", ", others)), vf.message());
        SuiteResult off = KitHarness.runOne(new CpuSuite(), Duration.ofSeconds(60), Map.of("kernels", "sha256", "phases", "all-cores", "retests", "0"),
                RunOptions.defaults(5).withMaxIterations(2).withFaults(List.of(new FaultPlan("cpu", "sha256", target, "all-cores", 1))));
        assertTrue(off.failures().getFirst().message().endsWith("retested: not retested (retests=0)"), off.failures().getFirst().message());
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

    /**
     * The arithmetic kernels share a worker's time, not its turns: before, a round ran each once, and
     * Lucas–Lehmer took 47 % of the time against CRC32C's 0.2 % (bench/detect.sh). Now each kernel
     * ahead of the mean by more than one of its runs waits.
     */
    @Test
    void theArithmeticKernelsShareTheTimeNotTheTurns() {
        SuiteResult r = KitHarness.runOne(new CpuSuite(), Duration.ofSeconds(6),
                Map.of("kernels", String.join(",", CpuSuite.ARITHMETIC_KERNELS), "phases", "all-cores"), RunOptions.defaults(4));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        Map<String, Double> share = new java.util.TreeMap<>();
        r.measurements().stream().filter(m -> m.name().equals("cpu_kernel_time_share"))
                .forEach(m -> share.put((String) m.metadata().get("kernel"), m.value()));
        assertEquals(CpuSuite.ARITHMETIC_KERNELS.size(), share.size(), share.toString());
        double min = share.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = share.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertTrue(max <= 3 * min, "each kernel's share within 3x of every other's: " + share);
    }

    /**
     * The slow-core check compares each kernel's rate with the same kernel's on the other cores: a
     * core slower at every kernel is degraded; a core whose rounds held another mix of kernels, at the
     * same rates, is not (rounds per second would have called it slow).
     */
    @Test
    void aSlowCoreIsFoundByItsKernelRatesNotItsRounds() {
        boolean[] arithmetic = {true, true, false}; // two arithmetic kernels and a cross-core one
        // kernel 0: 1 ms a run; kernel 1: 10 ms a run; the cross-core kernel anything
        CpuSuite.WorkerStats a = stats(0, new long[] {1_000, 100}, new long[] {1_000_000_000L, 1_000_000_000L}, 50);
        CpuSuite.WorkerStats b = stats(1, new long[] {1_000, 100}, new long[] {1_000_000_000L, 1_000_000_000L}, 5);
        CpuSuite.WorkerStats mix = stats(2, new long[] {1_800, 20}, new long[] {1_800_000_000L, 200_000_000L}, 500); // other turns, same rates
        CpuSuite.WorkerStats slow = stats(3, new long[] {500, 50}, new long[] {1_000_000_000L, 1_000_000_000L}, 50); // half speed at both
        Map<CpuSuite.WorkerStats, Double> speed = CpuSuite.relativeSpeeds(List.of(a, b, mix, slow), arithmetic);
        assertEquals(1.0, speed.get(a), 1e-9);
        assertEquals(1.0, speed.get(mix), 1e-9, "the same rates, whatever the rounds held");
        assertEquals(0.5, speed.get(slow), 1e-9);
        assertTrue(CpuSuite.relativeSpeeds(List.of(a), arithmetic).isEmpty(), "a group of one has no speed");
    }

    private static CpuSuite.WorkerStats stats(int cpu, long[] runs, long[] nanos, long crossRuns) {
        long[] r = {runs[0], runs[1], crossRuns};
        long[] t = {nanos[0], nanos[1], 1_000_000L * crossRuns};
        long rounds = runs[0] + runs[1];
        return new CpuSuite.WorkerStats("all-cores", cpu, cpu, "0", rounds, nanos[0] + nanos[1], t, r, Double.NaN, Double.NaN);
    }

    @Test
    void badParametersAreRejectedBeforeRunning() {
        CpuSuite s = new CpuSuite();
        for (Map<String, String> bad : List.of(Map.of("kernels", "sha1"), Map.of("degraded-margin", "1.5"),
                Map.of("degraded-margin", "x"), Map.of("fma-path", "gpu"), Map.of("fma-shape", "7x7"), Map.of("phases", "some"),
                Map.of("retests", "-1"), Map.of("retests", "101"), Map.of("retests", "five"), Map.of("kernels", "litmus,coherency"),
                Map.of("cross-core-share", "0"), Map.of("cross-core-share", "1.5"), Map.of("cross-core-pairs", "sideways"))) {
            assertThrows(Parameters.InvalidParameterException.class, () -> s.validate(params(bad)), bad.toString());
        }
        s.validate(params(Map.of("kernels", "sha256, sort")));
    }

    /** A pair placement this machine's topology cannot give is refused before anything runs, naming the parameter and the topology. */
    @Test
    void aPairPlacementTheTopologyCannotGiveIsRefused() {
        CpuSuite s = new CpuSuite();
        // one die, one cluster, two cores of two threads each
        List<dev.kiln.api.SuiteEnvironment.LogicalCpu> cpus = List.of(new dev.kiln.api.SuiteEnvironment.LogicalCpu(0, "0", 0, 0),
                new dev.kiln.api.SuiteEnvironment.LogicalCpu(1, "0", 0, 0), new dev.kiln.api.SuiteEnvironment.LogicalCpu(2, "0", 1, 0),
                new dev.kiln.api.SuiteEnvironment.LogicalCpu(3, "0", 1, 0));
        dev.kiln.api.SuiteEnvironment env = new dev.kiln.api.SuiteEnvironment("Linux", "amd64", cpus, 1L << 30);
        for (String lacking : List.of("other-die", "other-cluster")) {
            Parameters.InvalidParameterException e = assertThrows(Parameters.InvalidParameterException.class,
                    () -> s.validate(params(Map.of("cross-core-pairs", lacking)), env), lacking);
            assertEquals("cross-core-pairs", e.parameter());
            assertTrue(e.getMessage().contains(lacking + ": this machine's topology gives no such pair (4 CPUs on 1 die, 1 cluster, 2 cores)"),
                    e.getMessage());
        }
        for (String given : List.of("auto", "other-core", "same-core")) {
            s.validate(params(Map.of("cross-core-pairs", given)), env);
        }
        // not asked of anything: no cross-core kernel, or no all-cores phase
        s.validate(params(Map.of("cross-core-pairs", "other-die", "kernels", "sha256")), env);
        s.validate(params(Map.of("cross-core-pairs", "other-die", "phases", "each-core")), env);
    }

    @Test
    void scalarPathRunsAndPasses() {
        SuiteResult r = KitHarness.runOne(new CpuSuite(), Duration.ofSeconds(60),
                Map.of("kernels", "fma-matrix", "fma-path", "scalar"), RunOptions.defaults(1).withMaxIterations(2));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertTrue(r.placement().startsWith(dev.kiln.core.platform.PlatformProbe.current().threadPlacer().method()), r.placement());
        assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("fma_matrix_flops_per_second")));
    }

    @Test
    void eachCoreWorkersRecordTheirClusterClockFromTheRunsTelemetry() {
        // the run's telemetry as powermetrics names it, for this machine's cluster ("cpu" or "capacity-1024"
        // here: a name of no Mac tier is matched as itself, as powermetrics writes names; "efficiency" on a Mac: its letter)
        String cluster = KitHarness.environment().logicalCpus().get(0).cluster();
        String key = "cluster_" + (dev.kiln.api.CoreTiers.ORDER.contains(cluster) ? cluster.substring(0, 1) : cluster.replaceAll("[^a-z0-9]+", "_"));
        Map<String, Double> sample = Map.of(key + "_freq_hertz", 1.2e9, key + "_top_freq_hertz", 2.4e9, key + "_active_ratio", 1.0,
                "cluster_zz_freq_hertz", 3e9);
        dev.kiln.core.runner.RunEngine engine = KitHarness.engine().host(new dev.kiln.core.runner.SuiteHost(null, () -> sample, sample::keySet));
        var report = KitHarness.run(engine, RunOptions.defaults(7), new dev.kiln.core.runner.RunListener() { },
                new dev.kiln.core.runner.SuiteRequest(new CpuSuite(), Duration.ofSeconds(3), true, Map.of("kernels", "crc32c")));
        SuiteResult r = report.result("cpu");
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        var clocks = r.measurements().stream().filter(m -> m.name().equals("core_cluster_clock_hertz")).toList();
        assertEquals(KitHarness.environment().logicalCpus().size(), clocks.size(), "one per core run alone, none for all-cores: " + clocks);
        for (var m : clocks) {
            assertEquals(1.2e9, m.value());
            assertEquals("each-core", m.metadata().get("phase"));
            assertEquals(0.5, (Double) m.metadata().get("shareOfTop"), 1e-9);
        }
    }

    @Test
    void theBusiestClusterOfTheWorkersKindIsTheOneItRanOn() {
        Map<String, Double> m4max = Map.of("cluster_e_freq_hertz", 2.5e9, "cluster_e_top_freq_hertz", 2.592e9, "cluster_e_active_ratio", 0.98,
                "cluster_p0_freq_hertz", 1.2e9, "cluster_p0_active_ratio", 0.01, "cluster_p1_freq_hertz", 4.4e9, "cluster_p1_active_ratio", 0.97,
                "cluster_p1_top_freq_hertz", 4.5e9);
        List<String> m4 = List.of("performance", "efficiency");
        assertEquals(2.5e9, ClusterClock.of(m4max, "efficiency", m4)[0]);
        assertEquals(2.592e9, ClusterClock.of(m4max, "efficiency", m4)[1]);
        assertEquals(4.4e9, ClusterClock.of(m4max, "performance", m4)[0], "P1 is busy, P0 nearly down");
        assertEquals(null, ClusterClock.of(m4max, "super", m4), "no such cluster sampled");
    }

    /** An M5 Max (Super and Performance, no Efficiency tier) as IOReport names its clusters: PCPU is the Super tier there. */
    @Test
    void onAnM5MaxTheSuperTiersClusterIsPAndThePerformanceTiersAreM() {
        Map<String, Double> m5max = Map.of("cluster_p_freq_hertz", 4.6e9, "cluster_p_active_ratio", 0.02,
                "cluster_m0_freq_hertz", 3.9e9, "cluster_m0_active_ratio", 0.99, "cluster_m1_freq_hertz", 1.0e9, "cluster_m1_active_ratio", 0.01);
        List<String> tiers = List.of("super", "performance");
        assertEquals(3.9e9, ClusterClock.of(m5max, "performance", tiers)[0], "the Performance worker's clock is M0's, never the Super cluster's");
        assertEquals(4.6e9, ClusterClock.of(m5max, "super", tiers)[0]);
        // as powermetrics is said to name them there (S-Cluster, M0-Cluster)
        Map<String, Double> pm = Map.of("cluster_s_freq_hertz", 4.6e9, "cluster_s_active_ratio", 0.9, "cluster_m0_freq_hertz", 3.9e9,
                "cluster_m0_active_ratio", 0.9);
        assertEquals(4.6e9, ClusterClock.of(pm, "super", tiers)[0]);
        assertEquals(3.9e9, ClusterClock.of(pm, "performance", tiers)[0]);
    }
}
