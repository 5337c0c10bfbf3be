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
                         int maxFailuresKept, List<FaultPlan> faults, boolean loadMode) {

    public RunOptions {
        faults = List.copyOf(faults);
    }

    /** The one default hang timeout, for every entry point (a profile or {@code --hang-timeout} may change it). */
    public static final Duration DEFAULT_HANG_TIMEOUT = Duration.ofSeconds(30);

    public static RunOptions defaults(long seed) {
        return new RunOptions(seed, DEFAULT_HANG_TIMEOUT, Duration.ofMinutes(10), 0, 50, List.of(), false);
    }

    public RunOptions withHangTimeout(Duration d) {
        return new RunOptions(seed, d, prepareTimeout, maxIterations, maxFailuresKept, faults, loadMode);
    }

    public RunOptions withPrepareTimeout(Duration d) {
        return new RunOptions(seed, hangTimeout, d, maxIterations, maxFailuresKept, faults, loadMode);
    }

    public RunOptions withMaxIterations(long n) {
        return new RunOptions(seed, hangTimeout, prepareTimeout, n, maxFailuresKept, faults, loadMode);
    }

    public RunOptions withFaults(List<FaultPlan> f) {
        return new RunOptions(seed, hangTimeout, prepareTimeout, maxIterations, maxFailuresKept, f, loadMode);
    }
}
