package dev.kiln.core.runner;

import dev.kiln.api.LogLevel;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteResult;
import dev.kiln.core.Verdicts;
import dev.kiln.core.platform.ThreadPlacer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import dev.kiln.core.Durations;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the suites of a run one after the other (the members of a stage at the same time) and
 * decides the verdict. A suite that hangs or throws is recorded and the run goes on; a cancel ends
 * the suites in flight as INTERRUPTED and marks the ones not started the same way.
 */
public final class RunEngine {
    private final ThreadPlacer placer;
    private final SuiteEnvironment environment;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<SuiteRunner> runners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<StageWindow> stages = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<SuiteResult> results = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RunEngine(ThreadPlacer placer, SuiteEnvironment environment) {
        this.placer = placer;
        this.environment = environment;
    }

    private volatile SuiteHost host = SuiteHost.NONE;

    /** What suites of the next run may use besides their parameters (a cache directory, live telemetry). */
    public RunEngine host(SuiteHost h) {
        this.host = h;
        return this;
    }

    /** The run's latest telemetry sample (empty before the run samples, or with no telemetry). */
    public java.util.Map<String, Double> latestTelemetry() {
        try {
            java.util.Map<String, Double> m = host.latest().get();
            return m == null ? java.util.Map.of() : m;
        } catch (RuntimeException e) {
            return java.util.Map.of();
        }
    }

    /** Asks the run to stop: the suite in flight ends INTERRUPTED, the rest do not start. */
    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** The first suite in flight, or null. */
    public Progress progress() {
        List<Progress> all = progressAll();
        return all.isEmpty() ? null : all.get(0);
    }

    /** Every suite in flight (several in a stage), in the plan's order. */
    public List<Progress> progressAll() {
        List<Progress> out = new ArrayList<>();
        for (SuiteRunner r : runners) {
            Progress p = r.progress();
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** The stages run so far, with their idle windows, for the thermal judge. */
    public List<StageWindow> stages() {
        return List.copyOf(stages);
    }

    public RunReport run(RunInfo info, List<SuiteRequest> requests, RunOptions options, RunListener listener) {
        listener.runStarted(info);
        results.clear();
        stages.clear();
        try {
            for (int i = 0; i < requests.size(); i++) {
                SuiteRequest request = requests.get(i);
                if (request.stage() == null) {
                    runAlone(request, options, listener);
                    continue;
                }
                List<SuiteRequest> members = new ArrayList<>();
                while (i < requests.size() && request.stage().equals(requests.get(i).stage())) {
                    members.add(requests.get(i++));
                }
                i--;
                runStage(request.stage(), members, options, listener);
            }
        } finally {
            runners.clear();
        }
        RunReport report = new RunReport(info, Instant.now(), results, Verdicts.decide(results));
        listener.runEnded(report);
        return report;
    }

    private void runAlone(SuiteRequest request, RunOptions options, RunListener listener) {
        listener.suiteStarted(request.planned());
        SuiteResult result;
        if (cancelled.get()) {
            result = notStarted(request);
        } else {
            SuiteRunner r = new SuiteRunner(placer, environment, options, cancelled, listener, host);
            runners.add(r);
            try {
                result = r.run(request);
            } finally {
                runners.remove(r);
            }
        }
        ended(request, result, listener);
        results.add(result);
    }

    private static SuiteResult notStarted(SuiteRequest request) {
        Instant now = Instant.now();
        return new SuiteResult(request.id(), request.required(), Outcome.INTERRUPTED, null,
                "run cancelled before this suite started", now, now, 0, 0, List.of(), List.of(), 0, "", "", request.parameters());
    }

    private static void ended(SuiteRequest request, SuiteResult result, RunListener listener) {
        if (result.outcome() == Outcome.SKIPPED) {
            listener.log(request.id(), LogLevel.WARNING, "skipped (" + result.category() + "): " + result.reason());
        }
        listener.suiteEnded(result);
    }

    /**
     * Idle baseline, then every member at once on its own thread with its share of the CPUs, then
     * the idle cool-down. A member that hangs or breaks is recorded like any suite; the others go on.
     */
    private void runStage(Stage stage, List<SuiteRequest> members, RunOptions options, RunListener listener) {
        Instant baselineStart = Instant.now();
        if (!cancelled.get() && !stage.baseline().isZero()) {
            listener.log(null, LogLevel.INFO, "stage " + stage.name() + ": " + Durations.format(stage.baseline())
                    + " idle for the thermal baseline, then " + members.size() + " suites together");
            idle(stage.baseline());
        }
        Instant start = Instant.now();
        List<SuiteEnvironment> envs = StageShares.assign(environment, members);
        SuiteResult[] out = new SuiteResult[members.size()];
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < members.size(); k++) {
            SuiteRequest m = members.get(k);
            int slot = k;
            listener.suiteStarted(m.planned());
            if (cancelled.get()) {
                out[slot] = notStarted(m);
                ended(m, out[slot], listener);
                continue;
            }
            SuiteRunner r = new SuiteRunner(placer, envs.get(k), options, cancelled, listener, host);
            runners.add(r);
            Thread t = new Thread(() -> {
                SuiteResult res;
                try {
                    res = r.run(m);
                } catch (RuntimeException | Error e) {
                    Instant now = Instant.now();
                    res = new SuiteResult(m.id(), m.required(), Outcome.ERROR, null, "the runner failed: " + SuiteRunner.describe(e),
                            start, now, 0, 0, List.of(), List.of(), 0, "", "", m.parameters());
                } finally {
                    runners.remove(r);
                }
                out[slot] = res;
                ended(m, res, listener);
            }, "kiln-stage-" + m.id().replace('/', '-'));
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    cancelled.set(true); // the members see it and end INTERRUPTED; keep waiting for their results
                }
            }
        }
        Instant end = Instant.now();
        if (!cancelled.get() && !stage.cooldown().isZero()) {
            listener.log(null, LogLevel.INFO, "stage " + stage.name() + ": " + Durations.format(stage.cooldown()) + " idle to cool down");
            idle(stage.cooldown());
        }
        stages.add(new StageWindow(stage.name(), baselineStart, start, end, Instant.now()));
        results.addAll(List.of(out));
    }

    /** Sleeps, waking early on a cancel. */
    private void idle(java.time.Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (!cancelled.get()) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, 100_000_000L));
        }
    }

    /** A one-line reason for the verdict, for humans and the event stream. */
    public static String explain(RunReport report) {
        List<String> parts = new ArrayList<>();
        for (SuiteResult r : report.results()) {
            if (r.outcome() != Outcome.PASS) {
                parts.add(r.suiteId() + " " + r.outcome() + (r.required() ? "" : " (optional)"));
            }
        }
        if (parts.isEmpty() && report.results().stream().noneMatch(SuiteResult::required)) {
            return "all suites passed, but none of them is required: nothing the verdict rests on was tested";
        }
        return parts.isEmpty() ? "all suites passed" : String.join(", ", parts);
    }
}
