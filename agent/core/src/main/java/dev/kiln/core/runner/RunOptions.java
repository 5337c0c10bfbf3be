package dev.kiln.core.runner;

import java.time.Duration;
import java.util.List;

/**
 * How a run behaves, beyond which suites it runs.
 *
 * @param seed             the run seed; every random stream derives from it
 * @param hangTimeout      a worker silent (no {@code keepRunning()}) this long is HUNG
 * @param prepareTimeout   longest a suite's availability, validate, prepare or plan may take before the suite is ERROR
 * @param maxIterations    per worker and phase, stop after this many iterations even if time is
 *                         left (0: no limit); used to replay a fixed amount of work
 * @param maxFailuresKept  failures kept and emitted in full per suite; the rest are counted
 * @param faults           planted faults (tests and the hidden developer flag only)
 * @param loadMode         run suites as pure load
 */
public record RunOptions(long seed, Duration hangTimeout, Duration prepareTimeout, long maxIterations,
                         int maxFailuresKept, List<FaultPlan> faults, boolean loadMode, java.util.Set<String> enginesRequired) {

    public RunOptions {
        faults = List.copyOf(faults);
        enginesRequired = enginesRequired == null ? java.util.Set.of() : java.util.Set.copyOf(enginesRequired);
    }

    /** The one default hang timeout, for every entry point (a profile or {@code --hang-timeout} may change it). */
    public static final Duration DEFAULT_HANG_TIMEOUT = Duration.ofSeconds(30);

    public static RunOptions defaults(long seed) {
        return new RunOptions(seed, DEFAULT_HANG_TIMEOUT, Duration.ofMinutes(10), 0, 50, List.of(), false, java.util.Set.of());
    }

    public RunOptions withHangTimeout(Duration d) {
        return new RunOptions(seed, d, prepareTimeout, maxIterations, maxFailuresKept, faults, loadMode, enginesRequired);
    }

    public RunOptions withPrepareTimeout(Duration d) {
        return new RunOptions(seed, hangTimeout, d, maxIterations, maxFailuresKept, faults, loadMode, enginesRequired);
    }

    public RunOptions withMaxIterations(long n) {
        return new RunOptions(seed, hangTimeout, prepareTimeout, n, maxFailuresKept, faults, loadMode, enginesRequired);
    }

    /**
     * The suites whose engine the unit must have (a SKU naming {@code gpuCores} or
     * {@code neuralEngine}): a run of one of them on a stand-in is never a pass, and they are required.
     */
    public RunOptions withEnginesRequired(java.util.Set<String> suiteIds) {
        return new RunOptions(seed, hangTimeout, prepareTimeout, maxIterations, maxFailuresKept, faults, loadMode, suiteIds);
    }

    public RunOptions withFaults(List<FaultPlan> f) {
        return new RunOptions(seed, hangTimeout, prepareTimeout, maxIterations, maxFailuresKept, f, loadMode, enginesRequired);
    }
}
