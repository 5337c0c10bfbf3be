package dev.kiln.core.metrics;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunReport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A run as Prometheus sees it (DESIGN §9): which suite is in which state, how far the one in
 * flight is, failures so far, and the verdict once there is one. Fed as a {@link RunListener};
 * the suite in flight's progress is read at scrape time. Labels carry suite ids, states and the
 * profile, never the unit's serial number.
 *
 * <ul>
 *   <li>{@code kiln_run_profile{profile,agent_version}} 1</li>
 *   <li>{@code kiln_run_start_time_seconds}</li>
 *   <li>{@code kiln_run_verdict{verdict}}: 1 for the verdict reached, 0 for the others (all 0 while running)</li>
 *   <li>{@code kiln_suite_state{suite,state}}: 1 for the suite's state (pending, running, or its outcome), 0 for the others</li>
 *   <li>{@code kiln_suite_progress_ratio{suite}}: 0 pending, elapsed / budget while running, 1 once ended</li>
 *   <li>{@code kiln_suite_failures_total{suite}}, {@code kiln_suite_iterations_total{suite}}</li>
 * </ul>
 */
public final class RunMetrics implements RunListener {
    /** The states a suite goes through: before it runs, while it runs, then its outcome. */
    static final List<String> STATES;

    static {
        List<String> s = new ArrayList<>(List.of("pending", "running"));
        for (Outcome o : Outcome.values()) {
            s.add(o.name());
        }
        STATES = List.copyOf(s);
    }

    private final MeterRegistry registry;
    private final Supplier<java.util.List<Progress>> inFlight;
    private final Map<String, SuiteMeters> suites = new ConcurrentHashMap<>();
    private volatile Verdict verdict;

    /**
     * @param registry where the meters go
     * @param inFlight the suites in flight (several in a stage), read at scrape time
     */
    public RunMetrics(MeterRegistry registry, Supplier<java.util.List<Progress>> inFlight) {
        this.registry = registry;
        this.inFlight = inFlight;
    }

    private final class SuiteMeters {
        final String id;
        volatile String state = "pending";
        volatile double progress;
        final AtomicLong failures = new AtomicLong();
        volatile long iterations;

        SuiteMeters(String id) {
            this.id = id;
            for (String s : STATES) {
                Gauge.builder("kiln_suite_state", this, m -> m.state.equals(s) ? 1 : 0)
                        .description("1 for the suite's state (pending, running or its outcome), 0 for the others")
                        .tags("suite", id, "state", s).strongReference(true).register(registry);
            }
            Gauge.builder("kiln_suite_progress_ratio", this, SuiteMeters::progress)
                    .description("share of the suite's time budget used (1 once it has ended)").tags("suite", id).strongReference(true).register(registry);
            FunctionCounter.builder("kiln_suite_failures", failures, AtomicLong::get)
                    .description("failures the suite has reported").tags("suite", id).register(registry);
            FunctionCounter.builder("kiln_suite_iterations", this, SuiteMeters::iterations)
                    .description("iterations of the suite's workers, all workers").tags("suite", id).register(registry);
        }

        private Progress live() {
            Progress p = inFlight.get().stream().filter(x -> x.suiteId().equals(id)).findFirst().orElse(null);
            return p != null && state.equals("running") ? p : null;
        }

        double progress() {
            Progress p = live();
            if (p != null) {
                double total = p.elapsed().toMillis() + p.remaining().toMillis();
                progress = total <= 0 ? 0 : Math.min(1, p.elapsed().toMillis() / total);
            }
            return progress;
        }

        double iterations() {
            Progress p = live();
            if (p != null) {
                iterations = Math.max(iterations, p.iterations());
            }
            return iterations;
        }
    }

    @Override
    public void runStarted(RunInfo run) {
        Gauge.builder("kiln_run_profile", () -> 1).description("the run in flight: its profile and the agent's version")
                .tags("profile", run.profile(), "agent_version", run.agentVersion()).strongReference(true).register(registry);
        double start = run.started().toEpochMilli() / 1000.0;
        Gauge.builder("kiln_run_start_time_seconds", () -> start).description("when the run started, seconds since the epoch")
                .strongReference(true).register(registry);
        for (Verdict v : Verdict.values()) {
            Gauge.builder("kiln_run_verdict", this, m -> m.verdict == v ? 1 : 0)
                    .description("1 for the verdict the run reached, 0 for the others (all 0 while it runs)")
                    .tags("verdict", v.name()).strongReference(true).register(registry);
        }
        for (PlannedSuite s : run.suites()) {
            suites.computeIfAbsent(s.id(), SuiteMeters::new);
        }
    }

    private SuiteMeters suite(String id) {
        return suites.computeIfAbsent(id, SuiteMeters::new);
    }

    @Override
    public void suiteStarted(PlannedSuite suite) {
        suite(suite.id()).state = "running";
    }

    @Override
    public void failure(String suiteId, Failure failure) {
        suite(suiteId).failures.incrementAndGet();
    }

    @Override
    public void suiteEnded(SuiteResult result) {
        SuiteMeters m = suite(result.suiteId());
        m.iterations();
        m.failures.accumulateAndGet(result.failureCount(), Math::max); // all of them, kept in full or not
        m.progress = 1;
        m.state = result.outcome().name();
    }

    @Override
    public void runEnded(RunReport report) {
        verdict = report.verdict();
    }
}
