package dev.kiln.core.runner;

import dev.kiln.api.Failure;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.Parameters;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The state of one suite's run, shared by its workers, and the context its prepare and cleanup
 * see. Everything a worker reports lands here and goes on to the run's listener.
 */
final class SuiteExecution implements SuiteContext {
    final String suiteId;
    final RunOptions options;
    final AtomicBoolean runCancelled;
    private final SuiteEnvironment environment;
    private final Parameters parameters;
    private final RunListener listener;
    private final RecordingRandom prepareRandom;
    private final SuiteHost host;

    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    final AtomicLong failureCount = new AtomicLong();
    final AtomicLong limitViolations = new AtomicLong();
    final AtomicLong iterations = new AtomicLong();
    final AtomicLong checks = new AtomicLong();
    final AtomicLong units = new AtomicLong();
    volatile boolean unitsReported;
    /** What the suite's progress units are ({@link dev.kiln.api.Suite#progressUnit}). */
    volatile String progressUnit = "iterations";
    /** Set to make every worker's keepRunning() false: a hang, a cancel. */
    volatile boolean stop;
    volatile String phase = "prepare";
    volatile int activeWorkers;
    volatile Throwable workerError;
    private final Map<String, Long> digests = new LinkedHashMap<>();

    SuiteExecution(String suiteId, RunOptions options, AtomicBoolean runCancelled, SuiteEnvironment environment,
                   Parameters parameters, RunListener listener, SuiteHost host) {
        this.host = host;
        this.suiteId = suiteId;
        this.options = options;
        this.runCancelled = runCancelled;
        this.environment = environment;
        this.parameters = parameters;
        this.listener = listener;
        this.prepareRandom = new RecordingRandom(Seeds.derive(options.seed(), suiteId));
    }

    /** A hang a worker reported itself ({@link dev.kiln.api.WorkerContext#hung}), or null. */
    volatile String hungReported;
    /** What stood in for the suite's engine (empty: the engine itself, or nothing said). */
    volatile String standIn = "";

    synchronized void reportHung(String reason) {
        if (hungReported == null) {
            hungReported = reason;
            log(dev.kiln.api.LogLevel.ERROR, "hung: " + reason);
        }
        stop = true;
    }

    boolean shouldStop() {
        return stop || runCancelled.get();
    }

    @Override
    public java.util.Optional<java.nio.file.Path> cacheDirectory() {
        return host.cacheFor(suiteId);
    }

    @Override
    public java.util.OptionalDouble telemetry(String channel) {
        return host.telemetry(channel);
    }

    @Override
    public java.util.Set<String> telemetryChannels() {
        return java.util.Set.copyOf(host.channels().get());
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public SuiteEnvironment environment() {
        return environment;
    }

    @Override
    public RandomGenerator random() {
        return prepareRandom;
    }

    @Override
    public long seed() {
        return options.seed();
    }

    @Override
    public boolean loadMode() {
        return options.loadMode();
    }

    @Override
    public void measurement(Measurement m) {
        synchronized (measurements) {
            measurements.add(m);
        }
        listener.measurement(suiteId, m);
        if (!m.withinLimits()) {
            limitViolations.incrementAndGet();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("measurement", m.name());
            d.put("value", m.value());
            d.put("unit", m.unit());
            d.put("low", m.lowLimit());
            d.put("high", m.highLimit());
            d.putAll(m.metadata());
            failure(suiteId + "-measurement-out-of-limits",
                    m.name() + " = " + m.value() + " " + m.unit() + " is outside [" + m.lowLimit() + ", " + m.highLimit() + "]", d);
        }
    }

    @Override
    public void failure(String symptom, String message, Map<String, Object> details) {
        record(new Failure(symptom, message, withSeed(details), false));
    }

    @Override
    public void degraded(String symptom, String message, Map<String, Object> details) {
        record(new Failure(symptom, message, withSeed(details), true));
    }

    private Map<String, Object> withSeed(Map<String, Object> details) {
        Map<String, Object> d = new LinkedHashMap<>(details);
        d.putIfAbsent("seed", Seeds.format(options.seed()));
        int slash = suiteId.indexOf('/');
        if (slash > 0) {
            d.putIfAbsent("stage", suiteId.substring(0, slash)); // found while other suites ran at the same time
        }
        return d;
    }

    void record(Failure f) {
        long n = f.degraded() ? 0 : failureCount.incrementAndGet();
        boolean keep;
        synchronized (failures) {
            keep = failures.size() < options.maxFailuresKept();
            if (keep) {
                failures.add(f);
            }
        }
        if (keep) {
            listener.failure(suiteId, f);
        } else if (n == options.maxFailuresKept() + 1L) {
            log(LogLevel.WARNING, "more than " + options.maxFailuresKept() + " failures: the rest are counted, not kept");
        }
    }

    @Override
    public synchronized void standIn(String what) {
        if (standIn.isEmpty() && what != null && !what.isBlank()) {
            standIn = what;
            log(dev.kiln.api.LogLevel.WARNING, "a stand-in ran, not the engine this suite tests: " + what);
        }
    }

    @Override
    public void verified(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("verified(" + n + "): a count of checks cannot be negative");
        }
        checks.addAndGet(n);
    }

    @Override
    public void log(LogLevel level, String message) {
        listener.log(suiteId, level, message);
    }

    void recordDigest(String key, long digest) {
        synchronized (digests) {
            digests.put(key, digest);
        }
    }

    String workDigest() {
        long h = prepareRandom.digest();
        synchronized (digests) {
            for (Map.Entry<String, Long> e : digests.entrySet()) {
                h = Seeds.mix(h ^ Seeds.derive(e.getValue(), e.getKey()));
            }
        }
        return Seeds.format(h);
    }

    List<Measurement> measurements() {
        synchronized (measurements) {
            return List.copyOf(measurements);
        }
    }

    List<Failure> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    boolean hasDefectEvidence() {
        return failureCount.get() > 0;
    }
}
