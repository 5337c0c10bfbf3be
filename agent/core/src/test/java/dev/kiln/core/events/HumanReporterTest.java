package dev.kiln.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HumanReporterTest {
    @Test
    @Timeout(20)
    void aPlainLineGivesTheRateSinceTheLastLineNotTheLastSecond() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong units = new AtomicLong();
        PlannedSuite suite = new PlannedSuite("memory", Duration.ofSeconds(30), true, Map.of());
        HumanReporter r = new HumanReporter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, Duration.ofMillis(2500),
                () -> List.of(new Progress("memory", "patterns", 1, Duration.ofSeconds(1), Duration.ofSeconds(29), 1, units.get(), 0, "B")));
        r.runStarted(new RunInfo("r", "p", 1, Instant.now(), "t", "kiln run", List.of(suite), Map.of()));
        r.suiteStarted(suite);
        Thread.sleep(1200);
        units.set(3_000_000_000L); // one round of 3 GB done, then nothing for the next ticks
        long until = System.nanoTime() + 10_000_000_000L;
        while (!buf.toString(StandardCharsets.UTF_8).contains("memory  patterns") && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("memory  patterns"), out);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("memory  patterns .* ([0-9.]+)([kMG]?)B/s checked ").matcher(out);
        assertTrue(m.find(), out);
        double rate = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            default -> 1;
        };
        // 3 GB since the line before (about 3 s, more on a slow machine): 0/s over the last second would be wrong,
        // and so would 3 GB/s (all of it counted in one second)
        assertTrue(rate > 0.4e9 && rate < 1.5e9, "3 GB over about 3 s, not the last second's rate:\n" + out);
    }

    /** A stage member's long id (together/neural-engine) widens the suite column: every row's outcome lines up. */
    @Test
    void theSummaryLinesUpWhateverTheSuiteIdsLength() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        HumanReporter r = new HumanReporter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, Duration.ofSeconds(10), List::of);
        Instant t = Instant.parse("2026-11-29T00:00:00Z");
        List<dev.kiln.api.SuiteResult> results = new java.util.ArrayList<>();
        for (String id : List.of("cpu", "together/neural-engine", "thermal")) {
            results.add(new dev.kiln.api.SuiteResult(id, true, dev.kiln.api.Outcome.PASS, null, "", t, t.plusSeconds(5), 3, 3, List.of(),
                    List.of(), 0, "", "", Map.of(), id.endsWith("neural-engine") ? "ONNX Runtime's CPU provider (provider=cpu), not the Neural Engine" : ""));
        }
        RunInfo info = new RunInfo("r", "p", 1, t, "t", "kiln run", List.of(), Map.of());
        r.runEnded(new dev.kiln.core.runner.RunReport(info, t.plusSeconds(20), results, dev.kiln.api.Verdict.PASS));
        List<Integer> at = buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("PASS")).map(l -> l.indexOf("PASS")).toList();
        assertTrue(at.size() == 3 && at.stream().distinct().count() == 1, "outcome columns at " + at + ":\n" + buf);
        // a PASS on a stand-in says so in its note: never read as the engine's
        assertTrue(buf.toString(StandardCharsets.UTF_8).lines().anyMatch(l -> l.startsWith("  together/neural-engine") && l.contains("PASS")
                && l.endsWith("on a stand-in: ONNX Runtime's CPU provider (provider=cpu), not the Neural Engine")), buf.toString(StandardCharsets.UTF_8));
    }

    /** A failure is told in the suite's words with its place, and the exact command that runs the same work again. */
    @Test
    void aFailureEndsWithWhereItWasAndTheCommandThatRunsItAgain() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        HumanReporter r = new HumanReporter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, Duration.ofSeconds(10), List::of);
        Instant t = Instant.parse("2026-11-29T00:00:00Z");
        dev.kiln.core.runner.PlannedSuite cpu = new dev.kiln.core.runner.PlannedSuite("cpu", Duration.ofSeconds(90), true, Map.of("kernels", "crc32c"));
        dev.kiln.core.runner.PlannedSuite gpu = new dev.kiln.core.runner.PlannedSuite("gpu", Duration.ofSeconds(20), true, Map.of());
        RunInfo info = new RunInfo("r", "standard", 0x2aL, t, "t", "kiln run", List.of(cpu, gpu), Map.of());
        r.runStarted(info);
        dev.kiln.api.Failure f = new dev.kiln.api.Failure("cpu-crc32c-miscompare", "crc32c gave a wrong result on cpu 3",
                Map.of("cpu", 3, "phase", "each-core", "kernel", "crc32c"), false);
        List<dev.kiln.api.SuiteResult> results = List.of(
                new dev.kiln.api.SuiteResult("cpu", true, dev.kiln.api.Outcome.FAIL, null, "", t, t.plusSeconds(90), 3, 3, List.of(), List.of(f), 1,
                        "", "", Map.of(), ""),
                new dev.kiln.api.SuiteResult("gpu", true, dev.kiln.api.Outcome.SKIPPED, dev.kiln.api.UnavailableCategory.NOT_PRESENT,
                        "no OpenCL device", t, t, 0, 0, List.of(), List.of(), 0, "", "", Map.of(), ""));
        dev.kiln.core.runner.RunReport report = new dev.kiln.core.runner.RunReport(info, t.plusSeconds(120), results, dev.kiln.api.Verdict.FAIL);
        r.runEnded(report);
        r.verdict(report, dev.kiln.core.ExitCode.FAIL, null);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("  cpu: crc32c gave a wrong result on cpu 3  [cpu 3, kernel crc32c, phase each-core]"), out);
        assertTrue(out.contains("run the same work again:  kiln run --profile standard --suites cpu --seed 0x000000000000002a --duration 90s "
                + "-P cpu.kernels=crc32c"), out);
        // the command as printed is one kiln accepts: its duration, fractional or not, parses back to the suite's
        for (Duration d : List.of(Duration.ofSeconds(90), Duration.ofMillis(3200))) {
            HumanReporter r3 = new HumanReporter(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false,
                    Duration.ofSeconds(10), List::of);
            r3.runStarted(new RunInfo("r", "smoke", 1, t, "t", "kiln run", List.of(new dev.kiln.core.runner.PlannedSuite("cpu", d, true, Map.of())),
                    Map.of()));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("--duration (\\S+)").matcher(r3.rerun("cpu"));
            assertTrue(m.find(), r3.rerun("cpu"));
            assertEquals(d, dev.kiln.core.Durations.parse(m.group(1)), r3.rerun("cpu"));
        }
        assertTrue(out.contains("send the unit to repair"), out);
        assertTrue(!out.contains("\033["), "no colour when not a terminal");

        // incomplete: what was not tested, and where to look
        ByteArrayOutputStream b2 = new ByteArrayOutputStream();
        HumanReporter r2 = new HumanReporter(new PrintStream(b2, true, StandardCharsets.UTF_8), false, Duration.ofSeconds(10), List::of);
        r2.runStarted(info);
        dev.kiln.core.runner.RunReport inc = new dev.kiln.core.runner.RunReport(info, t.plusSeconds(120), List.of(results.get(1)),
                dev.kiln.api.Verdict.INCOMPLETE);
        r2.verdict(inc, dev.kiln.core.ExitCode.INCOMPLETE, null);
        String o2 = b2.toString(StandardCharsets.UTF_8);
        assertTrue(o2.contains("Not tested") && o2.contains("gpu SKIPPED: no OpenCL device") && o2.contains("kiln doctor"), o2);
    }

    @Test
    void ratesAreInTheSuitesOwnUnits() {
        assertEquals("1.61GB/s checked", HumanReporter.rate(1.61e9, "B"));
        assertEquals("12.00k inferences/s", HumanReporter.rate(12_000, "inferences"));
        assertEquals("850.0 rounds/s", HumanReporter.rate(850, "rounds"));
        assertEquals("3.0 iterations/s", HumanReporter.rate(3, null));
    }

    @Test
    void heatAndPowerBesideTheProgressWhereTheyExist() {
        assertEquals("hottest 92°C (thermal_zone1_x86_pkg_temp), 37 W", HumanReporter.heat(Map.of("thermal_zone0_acpitz_celsius", 45.0,
                "thermal_zone1_x86_pkg_temp_celsius", 92.4, "powercap_intel_rapl_0_package_0_watts", 35.0, "powercap_intel_rapl_1_dram_watts", 2.0,
                "cpu_load_ratio", 1.0)));
        assertEquals("22 W", HumanReporter.heat(Map.of("cpu_power_watts", 12.0, "gpu_power_watts", 8.0, "ane_power_watts", 2.0,
                "combined_power_watts", 22.0)), "a Mac: combined is the sum, not counted twice");
        assertEquals("", HumanReporter.heat(Map.of("cpu_load_ratio", 1.0, "cpu_temperature_celsius", Double.NaN)), "nothing made up");
    }

    private static dev.kiln.api.SuiteResult member(String id, String loadStart, String loadEnd) {
        dev.kiln.api.Measurement m = new dev.kiln.api.Measurement("load_window_seconds", 1, "seconds", null, null,
                Map.of("loadStart", loadStart, "loadEnd", loadEnd));
        return new dev.kiln.api.SuiteResult(id, true, dev.kiln.api.Outcome.PASS, null, "", Instant.parse(loadStart), Instant.parse(loadEnd), 1, 1,
                List.of(m), List.of(), 0, "", "", Map.of(), "");
    }

    @Test
    void theSummarySaysTheLoadWindowAStagesMembersShared() {
        RunInfo info = new RunInfo("r", "burn-in", 1, Instant.parse("2026-12-07T08:00:00Z"), "t", "kiln run", List.of(), Map.of());
        dev.kiln.core.runner.RunReport together = new dev.kiln.core.runner.RunReport(info, Instant.now(), List.of(
                member("together/cpu", "2026-12-07T08:01:05.010Z", "2026-12-07T08:04:05.020Z"),
                member("together/memory", "2026-12-07T08:01:05.012Z", "2026-12-07T08:04:05.300Z"),
                member("cpu", "2026-12-07T08:00:01Z", "2026-12-07T08:00:59Z")), dev.kiln.api.Verdict.PASS);
        assertEquals(List.of("Stage together: the load of its 2 member(s) ran together from 08:01:05 to 08:04:05 UTC (3m00s)"),
                HumanReporter.loadWindows(together));
        dev.kiln.core.runner.RunReport apart = new dev.kiln.core.runner.RunReport(info, Instant.now(), List.of(
                member("together/cpu", "2026-12-07T08:01:05Z", "2026-12-07T08:04:05Z"),
                member("together/memory", "2026-12-07T08:01:45Z", "2026-12-07T08:04:45Z")), dev.kiln.api.Verdict.PASS);
        assertEquals(List.of("Stage member together/cpu: load from 08:01:05 to 08:04:05 UTC",
                        "Stage member together/memory: load from 08:01:45 to 08:04:45 UTC"),
                HumanReporter.loadWindows(apart));
    }
}
