package dev.kiln.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
    private final PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Progress> live = new AtomicReference<>();
    private final RunMetrics m = new RunMetrics(reg, () -> live.get() == null ? java.util.List.of() : java.util.List.of(live.get()));

    private double v(String name, String... labels) {
        Map<String, String> l = new java.util.HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        Double d = Scrape.value(reg.scrape(), name, l);
        if (d == null) {
            throw new AssertionError("no " + name + " " + l + " in\n" + reg.scrape());
        }
        return d;
    }

    private static SuiteResult result(String id, Outcome o, long failures) {
        return new SuiteResult(id, true, o, null, "", Instant.EPOCH, Instant.EPOCH, 7, 7, List.of(), List.of(), failures, "", "", Map.of(), "");
    }

    @Test
    void aRunAsPrometheusSeesIt() {
        PlannedSuite cpu = new PlannedSuite("cpu", Duration.ofSeconds(10), true, Map.of());
        PlannedSuite mem = new PlannedSuite("memory", Duration.ofSeconds(10), true, Map.of());
        m.runStarted(new RunInfo("run-1", "smoke", 5, Instant.ofEpochSecond(1_700_000_000), "0.1.0", "kiln run", List.of(cpu, mem),
                Map.of("serial", "C02SERIAL123")));
        assertEquals(1, v("kiln_run_profile", "profile", "smoke", "agent_version", "0.1.0"));
        assertEquals(1_700_000_000, v("kiln_run_start_time_seconds"));
        assertEquals(1, v("kiln_suite_state", "suite", "memory", "state", "pending"));
        assertEquals(0, v("kiln_suite_state", "suite", "memory", "state", "running"));
        assertEquals(0, v("kiln_run_verdict", "verdict", "PASS"));

        m.suiteStarted(cpu);
        live.set(new Progress("cpu", "all-cores", 2, Duration.ofSeconds(3), Duration.ofSeconds(7), 120, 4000, 0));
        assertEquals(1, v("kiln_suite_state", "suite", "cpu", "state", "running"));
        assertEquals(0, v("kiln_suite_state", "suite", "cpu", "state", "pending"));
        assertEquals(0.3, v("kiln_suite_progress_ratio", "suite", "cpu"), 1e-9);
        assertEquals(120, v("kiln_suite_iterations_total", "suite", "cpu"));
        assertEquals(0, v("kiln_suite_progress_ratio", "suite", "memory"));
        m.failure("cpu", new Failure("wrong-sum", "core 3 summed wrong", Map.of(), false));
        assertEquals(1, v("kiln_suite_failures_total", "suite", "cpu"));

        live.set(null);
        m.suiteEnded(result("cpu", Outcome.FAIL, 3));
        assertEquals(1, v("kiln_suite_state", "suite", "cpu", "state", "FAIL"));
        assertEquals(0, v("kiln_suite_state", "suite", "cpu", "state", "running"));
        assertEquals(1, v("kiln_suite_progress_ratio", "suite", "cpu"));
        assertEquals(3, v("kiln_suite_failures_total", "suite", "cpu"), "every failure, kept in full or not");
        assertEquals(120, v("kiln_suite_iterations_total", "suite", "cpu"), "the last figure stays");

        m.suiteStarted(mem);
        m.suiteEnded(result("memory", Outcome.PASS, 0));
        m.runEnded(new RunReport(null, Instant.EPOCH, List.of(), Verdict.FAIL));
        assertEquals(1, v("kiln_run_verdict", "verdict", "FAIL"));
        assertEquals(0, v("kiln_run_verdict", "verdict", "PASS"));
        assertEquals(1, v("kiln_suite_state", "suite", "memory", "state", "PASS"));
        assertFalse(reg.scrape().contains("C02SERIAL123"), "no serial numbers in labels");
    }
}
