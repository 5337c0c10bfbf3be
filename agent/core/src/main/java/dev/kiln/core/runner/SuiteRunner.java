package dev.kiln.core.runner;

import dev.kiln.api.Availability;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Outcome;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.WorkPlan;
import dev.kiln.core.Durations;
import dev.kiln.core.platform.ThreadPlacer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one suite: availability, prepare (bounded), the phases of its work plan on framework-owned
 * threads under the watchdog, cleanup, and the outcome rule. A hung suite is abandoned (its threads
 * are daemons, interrupted and left) so the run goes on with the other suites.
 */
final class SuiteRunner {
    private final ThreadPlacer placer;
    private final SuiteEnvironment environment;
    private final RunOptions options;
    private final AtomicBoolean runCancelled;
    private final RunListener listener;
    private volatile SuiteExecution current;
    private volatile long startNanos;
    private volatile long endEstimateNanos;

    private final SuiteHost host;
    private final StageGate gate; // a stage's one hold, or null for a suite alone
    private boolean arrived;

    SuiteRunner(ThreadPlacer placer, SuiteEnvironment environment, RunOptions options, AtomicBoolean runCancelled,
                RunListener listener, SuiteHost host) {
        this(placer, environment, options, runCancelled, listener, host, null);
    }

    SuiteRunner(ThreadPlacer placer, SuiteEnvironment environment, RunOptions options, AtomicBoolean runCancelled,
                RunListener listener, SuiteHost host, StageGate gate) {
        this.gate = gate;
        this.host = host;
        this.placer = placer;
        this.environment = environment;
        this.options = options;
        this.runCancelled = runCancelled;
        this.listener = listener;
    }

    /** What the suite in flight is doing, or null between suites. */
    Progress progress() {
        SuiteExecution e = current;
        if (e == null) {
            return null;
        }
        long now = System.nanoTime();
        return new Progress(e.suiteId, e.phase, e.activeWorkers, Duration.ofNanos(now - startNanos),
                Duration.ofNanos(Math.max(0, endEstimateNanos - now)), e.iterations.get(),
                e.unitsReported ? e.units.get() : e.iterations.get(), e.failureCount.get(), e.progressUnit);
    }

    SuiteResult run(SuiteRequest request) {
        Suite suite = request.suite();
        String id = request.id();
        Instant started = Instant.now();
        startNanos = System.nanoTime();
        endEstimateNanos = startNanos + request.duration().toNanos();
        Parameters params = suite.descriptor().withDefaults(request.parameters());
        SuiteExecution exec = new SuiteExecution(id, options, runCancelled, environment, params, listener, host);
        try {
            String unit = suite.progressUnit();
            exec.progressUnit = unit == null || unit.isBlank() ? "iterations" : unit;
        } catch (RuntimeException e) {
            exec.progressUnit = "iterations"; // a suite's label must not stop its run
        }
        current = exec;
        Run r = new Run();
        try {
            lifecycle(suite, exec, request, r);
        } finally {
            if (gate != null && !arrived) {
                gate.leave(); // ended before its load: the other members do not wait for it
            }
            if (r.loadEnd != null) { // last of the result's measurements: when the load ran, prepare and clean-up outside it
                exec.measurement(new dev.kiln.api.Measurement("load_window_seconds", (r.loadEnd.toEpochMilli() - r.loadStart.toEpochMilli())
                        / 1000.0, "seconds", null, null, java.util.Map.of("loadStart", r.loadStart.toString(), "loadEnd", r.loadEnd.toString())));
            }
            if (r.prepared) {
                cleanup(suite, exec);
            }
            current = null;
        }
        String first = exec.failures().stream().filter(f -> !f.degraded()).findFirst().map(f -> f.message()).orElse("");
        OutcomeRule.Decision d = OutcomeRule.decide(new OutcomeRule.Observed(r.hung, exec.failureCount.get(), first,
                r.broken != null ? r.broken : workerBroken(exec), r.skip, runCancelled.get(), r.hadTime, exec.iterations.get(),
                suite.descriptor().alwaysVerifies(), exec.checks.get()));
        boolean engineRequired = options.enginesRequired().contains(suite.descriptor().id());
        d = OutcomeRule.standIn(d, suite.descriptor().id(), exec.standIn, engineRequired);
        return new SuiteResult(id, request.required() || engineRequired, d.outcome(), d.category(), d.reason(), started, Instant.now(),
                exec.iterations.get(), exec.checks.get(), exec.measurements(), exec.failures(), exec.failureCount.get(),
                exec.workDigest(), r.placement, exec.parameters().asMap(), exec.standIn);
    }

    /** What the lifecycle left for the outcome rule, filled in as it goes. */
    private static final class Run {
        OutcomeRule.Broken broken;
        OutcomeRule.Skip skip;
        String hung;
        String placement = "";
        boolean prepared;
        boolean hadTime;
        Instant loadStart; // the load window, when there was one
        Instant loadEnd;
    }

    private static OutcomeRule.Broken workerBroken(SuiteExecution exec) {
        Throwable t = exec.workerError;
        return t == null ? null : OutcomeRule.Broken.threw(OutcomeRule.Call.RUN, describe(t));
    }

    /** availability → validate → prepare → plan → phases → finish; stops at the first call that breaks. */
    private void lifecycle(Suite suite, SuiteExecution exec, SuiteRequest request, Run r) {
        String id = request.id();
        Attempt<Availability> av = bounded("availability", () -> suite.availability(environment, exec.parameters()), options.prepareTimeout(), id);
        if (broke(av, OutcomeRule.Call.AVAILABILITY, options.prepareTimeout(), r)) {
            return;
        }
        if (!av.value.available()) {
            r.skip = new OutcomeRule.Skip(av.value.category(), av.value.reason());
            return;
        }
        if (broke(bounded("validate", () -> {
            suite.validate(exec.parameters(), environment);
            return null;
        }, options.prepareTimeout(), id), OutcomeRule.Call.VALIDATE, options.prepareTimeout(), r)) {
            return;
        }
        r.prepared = true;
        Attempt<Void> prep = bounded("prepare", () -> {
            suite.prepare(exec);
            return null;
        }, options.prepareTimeout(), id);
        if (prep.error instanceof SuiteUnavailableException u) {
            r.skip = new OutcomeRule.Skip(u.category(), u.getMessage());
            return;
        }
        if (prep.error instanceof OutOfMemoryError oom) {
            // never a skip: an optional suite that cannot get its memory must not let a run pass; its size is said
            Runtime rt = Runtime.getRuntime();
            r.broken = OutcomeRule.Broken.threw(OutcomeRule.Call.PREPARE, String.format(java.util.Locale.ROOT,
                    "out of memory in prepare (%s); this JVM's heap is at most %d MiB, %d MiB of it in use", oom.getMessage(),
                    rt.maxMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20));
            exec.stop = true;
            return;
        }
        if (prep.error instanceof InterruptedException && runCancelled.get()) {
            return; // cancelled while preparing: INTERRUPTED
        }
        if (broke(prep, OutcomeRule.Call.PREPARE, options.prepareTimeout(), r)) {
            exec.stop = true;
            return;
        }
        if (request.duration().isZero() || runCancelled.get()) {
            return; // a check done in prepare (the built-in checks), or nothing left to do
        }
        Attempt<WorkPlan> plan = bounded("plan", () -> suite.plan(environment, exec.parameters()), options.prepareTimeout(), id);
        if (broke(plan, OutcomeRule.Call.PLAN, options.prepareTimeout(), r)) {
            return;
        }
        if (gate != null) {
            arrived = true;
            gate.arrive(runCancelled); // every member prepared: the load starts for all at one instant
            if (runCancelled.get()) {
                return;
            }
        }
        r.hadTime = true;
        startNanos = System.nanoTime();
        endEstimateNanos = startNanos + request.duration().toNanos();
        Instant loadStart = Instant.now();
        PhaseOutcome po = runPhases(suite, exec, request, plan.value);
        Instant loadEnd = Instant.now();
        if (gate != null) {
            gate.loadEnded(loadEnd);
        }
        r.loadStart = loadStart;
        r.loadEnd = loadEnd;
        r.hung = po.hungReason;
        r.placement = po.placement;
        if (po.hungReason != null || exec.workerError != null) {
            return;
        }
        broke(bounded("finish", () -> {
            suite.finish(exec);
            return null;
        }, options.hangTimeout(), id), OutcomeRule.Call.FINISH, options.hangTimeout(), r);
    }

    /** Records the first broken call; true when this attempt broke. */
    private boolean broke(Attempt<?> a, OutcomeRule.Call call, Duration limit, Run r) {
        if (a.timedOut) {
            r.broken = OutcomeRule.Broken.timedOut(call, limit);
        } else if (a.error != null) {
            r.broken = OutcomeRule.Broken.threw(call, describe(a.error));
        } else {
            return false;
        }
        return true;
    }

    private record PhaseOutcome(String hungReason, String placement) {
    }

    private PhaseOutcome runPhases(Suite suite, SuiteExecution exec, SuiteRequest request, WorkPlan plan) {
        double total = plan.phases().stream().mapToDouble(WorkPlan.Phase::weight).sum();
        long budget = request.duration().toNanos();
        List<Worker> all = new ArrayList<>();
        String hung = null;
        for (WorkPlan.Phase phase : plan.phases()) {
            if (exec.shouldStop()) {
                break;
            }
            long phaseNanos = (long) (budget * (phase.weight() / total));
            exec.phase = phase.name();
            List<WorkPlan.Placement> places = phase.placements();
            if (phase.mode() == WorkPlan.Mode.PARALLEL) {
                List<Worker> ws = new ArrayList<>();
                long deadline = System.nanoTime() + phaseNanos;
                for (int i = 0; i < places.size(); i++) {
                    ws.add(new Worker(exec, placer, phase.name(), i, places.get(i), deadline));
                }
                all.addAll(ws);
                hung = runWorkers(suite, exec, ws);
            } else {
                long slice = phaseNanos / places.size();
                for (int i = 0; i < places.size() && hung == null && !exec.shouldStop(); i++) {
                    Worker w = new Worker(exec, placer, phase.name(), i, places.get(i), System.nanoTime() + slice);
                    all.add(w);
                    try (ThreadPlacer.Companions c = placer.companions(places.get(i))) {
                        hung = runWorkers(suite, exec, List.of(w));
                    }
                }
            }
            if (hung != null) {
                break;
            }
        }
        for (Worker w : all) {
            exec.recordDigest(w.key(), w.digest());
        }
        long pinned = all.stream().filter(w -> w.pinned).count();
        String notes = all.stream().map(w -> w.placementNote).filter(n -> !n.startsWith("pinned to")).distinct()
                .limit(3).reduce((a, b) -> a + "; " + b).map(n -> " (" + n + ")").orElse("");
        String placement = placer.method() + ": " + pinned + "/" + all.size() + " workers pinned" + notes;
        return new PhaseOutcome(hung, placement);
    }

    /** Starts the workers and watches them; returns the reason if the watchdog fired, else null. */
    private String runWorkers(Suite suite, SuiteExecution exec, List<Worker> workers) {
        for (Worker w : workers) {
            Thread t = new Thread(() -> {
                try {
                    w.place();
                    suite.run(w);
                } catch (Throwable e) {
                    if (!(exec.stop && e instanceof InterruptedException)) {
                        synchronized (exec) {
                            if (exec.workerError == null) {
                                exec.workerError = e;
                            }
                        }
                        exec.stop = true;
                    }
                } finally {
                    w.done = true;
                }
            }, "kiln-" + exec.suiteId + "-" + w.key().replace('/', '-'));
            t.setDaemon(true);
            w.thread = t;
        }
        exec.activeWorkers = workers.size();
        workers.forEach(w -> w.thread.start());
        long hangNanos = options.hangTimeout().toNanos();
        long poll = Math.max(1_000_000L, Math.min(hangNanos / 10, 100_000_000L));
        try {
            while (true) {
                if (exec.hungReported != null) {
                    return reportedHang(exec, workers);
                }
                boolean allDone = true;
                long now = System.nanoTime();
                for (Worker w : workers) {
                    if (!w.done) {
                        allDone = false;
                        if (now - w.lastBeatNanos > hangNanos) {
                            return hang(exec, workers, w, now);
                        }
                    }
                }
                if (allDone) {
                    return null;
                }
                LockSupport.parkNanos(poll);
            }
        } finally {
            exec.activeWorkers = 0;
        }
    }

    /** A worker said its hardware stopped answering: the others are stopped as after the watchdog, given a second to return. */
    private String reportedHang(SuiteExecution exec, List<Worker> workers) {
        interruptAndWait(workers);
        return exec.hungReported;
    }

    /** Interrupts every worker and gives them a second, together, to return. */
    private static void interruptAndWait(List<Worker> workers) {
        workers.forEach(x -> x.thread.interrupt());
        long until = System.nanoTime() + 1_000_000_000L;
        for (Worker x : workers) {
            long left = until - System.nanoTime();
            if (left > 0) {
                try {
                    x.thread.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    private String hang(SuiteExecution exec, List<Worker> workers, Worker w, long now) {
        exec.stop = true;
        String reason = String.format(java.util.Locale.ROOT,
                "watchdog: worker %d (phase %s, cpu %d) made no progress for %.1fs at iteration %d",
                w.workerIndex(), w.phase(), w.cpu(), (now - w.lastBeatNanos) / 1e9, w.iteration());
        exec.log(LogLevel.ERROR, reason);
        interruptAndWait(workers);
        long abandoned = workers.stream().filter(x -> !x.done).count();
        if (abandoned > 0) {
            exec.log(LogLevel.WARNING, abandoned + " hung worker thread(s) abandoned; the run goes on");
        }
        return reason;
    }

    private void cleanup(Suite suite, SuiteExecution exec) {
        exec.stop = true;
        Attempt<Void> a = bounded("cleanup", () -> {
            suite.cleanup(exec);
            return null;
        }, options.hangTimeout(), exec.suiteId);
        if (a.timedOut) {
            exec.log(LogLevel.ERROR, "cleanup did not return within " + Durations.format(options.hangTimeout())
                    + "; abandoned, and the run goes on");
        } else if (a.error != null) {
            exec.log(LogLevel.ERROR, "cleanup failed: " + describe(a.error));
        }
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private record Attempt<T>(T value, boolean timedOut, Throwable error) {
    }

    /**
     * Runs a lifecycle call on its own daemon thread, waiting at most {@code limit}; a call that
     * overruns is interrupted and abandoned. A cancel interrupts prepare, which may take minutes.
     */
    private <T> Attempt<T> bounded(String name, Step<T> step, Duration limit, String suiteId) {
        Object[] value = new Object[1];
        Throwable[] error = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                value[0] = step.run();
            } catch (Throwable e) {
                error[0] = e;
            }
        }, "kiln-" + suiteId + "-" + name);
        t.setDaemon(true);
        t.start();
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (t.isAlive()) {
                if (runCancelled.get() && name.equals("prepare")) {
                    t.interrupt();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    t.interrupt();
                    return new Attempt<>(null, true, null);
                }
                t.join(Duration.ofNanos(Math.min(left, 100_000_000L)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt<>(null, true, null);
        }
        @SuppressWarnings("unchecked")
        T v = (T) value[0];
        return new Attempt<>(v, false, error[0]);
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        StackTraceElement[] st = t.getStackTrace();
        String where = st.length > 0 ? " at " + st[0] : "";
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m) + where;
    }
}
