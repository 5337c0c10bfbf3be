package dev.kiln.core.runner;

import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.Parameters;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkPlan.Placement;
import dev.kiln.api.WorkerContext;
import dev.kiln.core.platform.ThreadPlacer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/** One framework-owned worker: its thread's context, its heartbeat, its iteration count. */
final class Worker implements WorkerContext {
    private final SuiteExecution exec;
    private final String phase;
    private final int index;
    private final Placement placement;
    private final long deadlineNanos;
    private final RecordingRandom random;
    private final ThreadPlacer placer;
    private long iteration = -1;
    volatile long lastBeatNanos;
    volatile boolean done;
    volatile String placementNote = "";
    volatile boolean pinned;
    Thread thread;

    Worker(SuiteExecution exec, ThreadPlacer placer, String phase, int index, Placement placement, long deadlineNanos) {
        this.exec = exec;
        this.placer = placer;
        this.phase = phase;
        this.index = index;
        this.placement = placement;
        this.deadlineNanos = deadlineNanos;
        this.random = new RecordingRandom(Seeds.derive(exec.options.seed(), exec.suiteId, phase, Integer.toString(index)));
        this.lastBeatNanos = System.nanoTime();
    }

    /** Runs on the worker's own thread, before the suite's code: puts the thread where it belongs. */
    void place() {
        ThreadPlacer.Result r = placer.place(placement);
        placementNote = r.description();
        pinned = r.pinned();
        lastBeatNanos = System.nanoTime();
    }

    String key() {
        return phase + "/" + index;
    }

    long digest() {
        return random.digest();
    }

    @Override
    public boolean keepRunning() {
        long now = System.nanoTime();
        lastBeatNanos = now;
        if (exec.shouldStop()) {
            return false;
        }
        // Every worker does at least one iteration, however late its thread started: a suite given
        // time must do some work (zero iterations is ERROR), and a busy machine must not make it so.
        if (iteration >= 0 && now - deadlineNanos >= 0) {
            return false;
        }
        long max = exec.options.maxIterations();
        if (max > 0 && iteration + 1 >= max) {
            return false;
        }
        iteration++;
        exec.iterations.incrementAndGet();
        return true;
    }

    @Override
    public void heartbeat() {
        lastBeatNanos = System.nanoTime();
    }

    @Override
    public boolean timeUp() {
        return exec.shouldStop() || System.nanoTime() - deadlineNanos >= 0;
    }

    @Override
    public long iteration() {
        return Math.max(iteration, 0);
    }

    @Override
    public int workerIndex() {
        return index;
    }

    @Override
    public String phase() {
        return phase;
    }

    @Override
    public int cpu() {
        return placement.cpu();
    }

    @Override
    public void progress(long units) {
        exec.unitsReported = true;
        exec.units.addAndGet(units);
    }

    @Override
    public boolean injectFault(String site) {
        for (FaultPlan f : exec.options.faults()) {
            if (f.matches(exec.suiteId, site, placement.cpu(), index, phase, iteration)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public java.util.Optional<java.nio.file.Path> cacheDirectory() {
        return exec.cacheDirectory();
    }

    @Override
    public java.util.OptionalDouble telemetry(String channel) {
        return exec.telemetry(channel);
    }

    @Override
    public java.util.Set<String> telemetryChannels() {
        return exec.telemetryChannels();
    }

    @Override
    public Parameters parameters() {
        return exec.parameters();
    }

    @Override
    public SuiteEnvironment environment() {
        return exec.environment();
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public long seed() {
        return exec.seed();
    }

    @Override
    public boolean loadMode() {
        return exec.loadMode();
    }

    @Override
    public void measurement(Measurement measurement) {
        exec.measurement(measurement);
    }

    @Override
    public void failure(String symptom, String message, Map<String, Object> details) {
        exec.failure(symptom, message, located(details));
    }

    @Override
    public void degraded(String symptom, String message, Map<String, Object> details) {
        exec.degraded(symptom, message, located(details));
    }

    /** The framework's half of every failure report: where and when. */
    private Map<String, Object> located(Map<String, Object> details) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("phase", phase);
        d.put("worker", index);
        d.put("cpu", placement.cpu());
        d.put("observedCpu", placer.currentCpu());
        d.put("iteration", iteration());
        d.putAll(details);
        return d;
    }

    @Override
    public void hung(String reason) {
        exec.reportHung(String.format(java.util.Locale.ROOT, "worker %d (phase %s) at iteration %d: %s", index, phase, iteration(), reason));
    }

    @Override
    public void verified(long checks) {
        exec.verified(checks);
    }

    @Override
    public void standIn(String what) {
        exec.standIn(what);
    }

    @Override
    public void log(LogLevel level, String message) {
        exec.log(level, "[" + phase + "/" + index + "] " + message);
    }
}
