package dev.kiln.api;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What the framework gives a suite in {@link Suite#prepare} and {@link Suite#cleanup}, and the
 * reporting half of what it gives every worker. Thread-safe.
 */
public interface SuiteContext {

    /** This suite's parameters, defaults filled in from the descriptor. */
    Parameters parameters();

    /** The machine, as the framework sees it. */
    SuiteEnvironment environment();

    /**
     * The random source for this scope, derived from the run seed, the suite id and (for workers)
     * the phase and worker: the same seed gives the same draws. Use no other source of randomness.
     */
    RandomGenerator random();

    /** The run seed, for failure reports. */
    long seed();

    /** True when the suite runs as pure load (the thermal suite drives every engine at once). */
    boolean loadMode();

    /** Records a measurement with no limits. */
    default void measurement(String name, double value, String unit) {
        measurement(new Measurement(name, value, unit, null, null, Map.of()));
    }

    /** Records a measurement; one outside its limits makes the suite FAIL. */
    void measurement(Measurement measurement);

    /**
     * Reports evidence of a hardware defect: the suite will end FAIL. Workers' failures are
     * completed by the framework with the phase, worker, logical CPU, iteration and seed.
     *
     * @param symptom kebab-case name of what went wrong, e.g. {@code cpu-sha256-miscompare}
     * @param message one human line
     * @param details structured evidence: expected, actual, addresses, ...
     */
    void failure(String symptom, String message, Map<String, Object> details);

    /**
     * Reports that a part works but below what its peers do (a slow core): recorded and shown, and
     * not a FAIL on its own.
     */
    void degraded(String symptom, String message, Map<String, Object> details);

    /**
     * Counts results that were checked against a known answer (a comparison with a golden value, a
     * pattern read back, a cross-check between workers). The framework holds a suite to its
     * descriptor: one that says it always verifies and reports no check ends ERROR ("claimed to verify
     * but checked nothing"), never PASS. Cheap enough for every iteration; call it once per batch.
     */
    void verified(long checks);

    /** A log line that goes to the event stream and the bundle. */
    void log(LogLevel level, String message);

    /**
     * Says that what ran is a stand-in for the engine this suite exists for (ONNX Runtime's CPU
     * provider instead of the Neural Engine, an OpenCL CPU device instead of the GPU): {@code what}
     * names it. The result carries it (summary, event stream, bundle); where a SKU says the unit must
     * have the engine, a stand-in run is never a pass. The first call counts.
     */
    void standIn(String what);

    /**
     * A directory for files the suite keeps from run to run (a compiled-model cache), under the
     * agent's state directory and named after the suite; created on first use. Empty where the
     * framework keeps no state (a test harness). Never for results: those go in measurements and
     * failures.
     */
    default java.util.Optional<java.nio.file.Path> cacheDirectory() {
        return java.util.Optional.empty();
    }

    /**
     * The latest sample of one of the run's telemetry channels (the names of {@code telemetry.csv},
     * unit in the name: {@code ane_power_watts}), for a suite that must show its engine was busy.
     * Empty when the channel is not sampled here or its last sample was unknown; the samples come
     * about once a second.
     */
    default java.util.OptionalDouble telemetry(String channel) {
        return java.util.OptionalDouble.empty();
    }

    /** The telemetry channels sampled on this machine in this run (empty when none, or no telemetry). */
    default java.util.Set<String> telemetryChannels() {
        return java.util.Set.of();
    }
}
