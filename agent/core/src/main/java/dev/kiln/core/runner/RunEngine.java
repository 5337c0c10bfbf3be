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
 * the suites in flight as INTERRUPTED and marks the ones not started the same way. A stop of the
 * load ({@link #stopLoad}, the heat guard's) does the same to every suite that loads the machine,
 * while checks with no time budget (the thermal judge) still run, and records its finding.
 */
public final class RunEngine {
    private final ThreadPlacer placer;
    private final SuiteEnvironment environment;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean loadStopped = new AtomicBoolean(); // a cancel, or a stop of the load
    private volatile SuiteResult stopFinding; // why the load was stopped (the heat guard's FAIL), or null
    private volatile boolean findingSaid;
    private volatile RunListener current;
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
        loadStopped.set(true);
    }

    /**
     * Stops the load at once for a finding made outside any suite (the heat guard's): the suites in
     * flight end INTERRUPTED with the finding's reason, loads not yet started do not start, checks
     * with no time budget still run (the thermal judge judges what happened), and the finding is a
     * result of the run. Only the first finding counts.
     */
    public void stopLoad(SuiteResult finding) {
        synchronized (this) {
            if (stopFinding != null) {
                return;
            }
            stopFinding = finding;
        }
        loadStopped.set(true);
        sayFinding();
    }

    private synchronized void sayFinding() {
        RunListener l = current;
        if (l != null && stopFinding != null && !findingSaid) {
            findingSaid = true;
            l.log(null, LogLevel.ERROR, "the load was stopped: " + (stopFinding.failures().isEmpty() ? stopFinding.reason()
                    : stopFinding.failures().get(0).message()));
            l.suiteStarted(new PlannedSuite(stopFinding.suiteId(), java.time.Duration.ZERO, true, java.util.Map.of()));
            l.suiteEnded(stopFinding);
        }
    }

    /** The flag a request's runner stops on: a check that puts no load (no time budget, no stage) stops only on a cancel. */
    private AtomicBoolean stopFlag(SuiteRequest request) {
        return request.duration().isZero() && request.stage() == null ? cancelled : loadStopped;
    }

    /** A result ended by a stop of the load, not a cancel, says so. */
    private SuiteResult restate(SuiteResult r) {
        SuiteResult f = stopFinding;
        if (f == null || cancelled.get() || r.outcome() != Outcome.INTERRUPTED) {
            return r;
        }
        String why = f.failures().isEmpty() ? f.reason() : f.failures().get(0).message();
        return new SuiteResult(r.suiteId(), r.required(), r.outcome(), r.category(), "the load was stopped: " + why, r.started(),
                r.ended(), r.iterations(), r.checks(), r.measurements(), r.failures(), r.failureCount(), r.workDigest(), r.placement(),
                r.parameters(), r.standIn());
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
        current = listener;
        sayFinding();
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
        if (stopFinding != null) {
            sayFinding();
            results.add(stopFinding);
        }
        current = null;
        RunReport report = new RunReport(info, Instant.now(), results, Verdicts.decide(results));
        listener.runEnded(report);
        return report;
    }

    private void runAlone(SuiteRequest request, RunOptions options, RunListener listener) {
        listener.suiteStarted(request.planned());
        SuiteResult result;
        if (stopFlag(request).get()) {
            result = restate(notStarted(request));
        } else {
            SuiteRunner r = new SuiteRunner(placer, environment, options, stopFlag(request), listener, host);
            runners.add(r);
            try {
                result = restate(r.run(request));
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
                "run cancelled before this suite started", now, now, 0, 0, List.of(), List.of(), 0, "", "", request.parameters(), "");
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
        Instant prepareStart = Instant.now();
        List<SuiteEnvironment> envs = StageShares.assign(environment, members);
        SuiteResult[] out = new SuiteResult[members.size()];
        List<Thread> threads = new ArrayList<>();
        StageGate gate = new StageGate(loadStopped.get() ? 0 : members.size());
        if (!loadStopped.get()) {
            listener.log(null, LogLevel.INFO, "stage " + stage.name() + ": every member prepares, then the load starts for all at once");
        }
        for (int k = 0; k < members.size(); k++) {
            SuiteRequest m = members.get(k);
            int slot = k;
            listener.suiteStarted(m.planned());
            if (loadStopped.get()) {
                out[slot] = restate(notStarted(m));
                ended(m, out[slot], listener);
                continue;
            }
            SuiteRunner r = new SuiteRunner(placer, envs.get(k), options, loadStopped, listener, host, gate);
            runners.add(r);
            Thread t = new Thread(() -> {
                SuiteResult res;
                try {
                    res = restate(r.run(m));
                } catch (RuntimeException | Error e) {
                    Instant now = Instant.now();
                    res = new SuiteResult(m.id(), m.required(), Outcome.ERROR, null, "the runner failed: " + SuiteRunner.describe(e),
                            prepareStart, now, 0, 0, List.of(), List.of(), 0, "", "", m.parameters(), "");
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
                    cancel(); // the members see it and end INTERRUPTED; keep waiting for their results
                }
            }
        }
        // the hold is the one load window every member shared; prepare and clean-up lie outside it
        Instant start = gate.opened() != null ? gate.opened() : prepareStart;
        Instant end = gate.lastLoadEnd() != null ? gate.lastLoadEnd() : start;
        if (gate.opened() != null) {
            listener.log(null, LogLevel.INFO, "stage " + stage.name() + ": the load ran for every member from " + start + " to " + end
                    + " (" + Durations.format(java.time.Duration.between(start, end)) + "); prepare and clean-up were outside it");
        }
        if (!cancelled.get() && !stage.cooldown().isZero()) {
            listener.log(null, LogLevel.INFO, "stage " + stage.name() + ": " + Durations.format(stage.cooldown()) + " idle to cool down");
            idle(stage.cooldown());
        }
        stages.add(new StageWindow(stage.name(), baselineStart, prepareStart, start, end, Instant.now()));
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
