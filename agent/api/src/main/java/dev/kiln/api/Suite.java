package dev.kiln.api;

/**
 * A stress suite: one kind of hardware exercised and checked.
 *
 * <p>Lifecycle, driven by the framework: {@link #availability} → {@link #prepare} (allocate, compute
 * golden values) → {@link #run} on every framework-owned worker of every phase of {@link #plan} →
 * {@link #cleanup}. The framework owns threads, pinning, the clock, cancellation and the watchdog;
 * the suite owns the computation and its check. A suite never sleeps or reads the wall clock to
 * decide when to stop: it loops {@code while (ctx.keepRunning())}.
 *
 * <p>Implementations are registered with {@code META-INF/services/dev.kiln.api.Suite} and must have a
 * public no-argument constructor. A new instance is created for every run of the suite.
 */
public interface Suite {
    // The framework's outcome rule (docs/architecture.md): an exception or a time-out in any of these
    // calls is ERROR for the suite, and the run goes on; cleanup runs whenever prepare ran.

    /** The suite's complete self-description; constant for the class. */
    SuiteDescriptor descriptor();

    /**
     * Whether this suite can run on this machine, and if not, why. Must be cheap and must not
     * allocate the resources the suite will use; {@link #prepare} may still refuse with
     * {@link SuiteUnavailableException} when a resource turns out to be missing.
     */
    Availability availability(SuiteEnvironment env);

    /**
     * The same with the parameters the run passes (the descriptor's defaults under the profile's and
     * {@code -P}'s): the one answer a run records and {@code kiln suites} shows. A suite whose presence
     * depends on a parameter (which device type, which provider) says so here, not first in
     * {@link #prepare}. The parameters are not yet validated: one that does not parse is left to
     * {@link #validate}. The default is {@link #availability(SuiteEnvironment)}.
     */
    default Availability availability(SuiteEnvironment env, Parameters params) {
        return availability(env);
    }

    /**
     * What this suite finds on this machine for {@code kiln doctor}, one line each (the devices, engines
     * or providers it would use, with its default parameters), found by the same checks a run makes; or
     * {@link SuiteUnavailableException} with the reason it would be skipped. Called only when
     * {@link #availability} says yes. The default: nothing more to say.
     */
    default java.util.List<String> findHere(SuiteEnvironment env) throws SuiteUnavailableException {
        return java.util.List.of();
    }

    /**
     * What an operator can do when this suite cannot run on the machine {@code env} describes, for
     * {@code kiln doctor} (the driver to install, the parameter that tries another device). The
     * default: look at {@code kiln suites}, which says why.
     */
    default String fixHere(SuiteEnvironment env) {
        return "see kiln suites";
    }

    /**
     * Whether this suite has run on the kind of machine {@code env} describes and its results there
     * been checked (true), or is written from sources and captures and still waits for its first run
     * on that hardware (false: {@code kiln doctor} says so, and docs/on-hardware-checklist.md says what to
     * run). The default: verified.
     */
    default boolean verifiedOn(SuiteEnvironment env) {
        return true;
    }

    /**
     * How the framework lays out workers: phases, each with one worker per placement. The default
     * is one unpinned worker.
     */
    default WorkPlan plan(SuiteEnvironment env, Parameters params) {
        return WorkPlan.single();
    }

    /**
     * What {@link WorkerContext#progress} counts, for the rate people see: {@code "B"} for bytes of
     * verified work (shown as GB/s checked), or a plural noun ({@code "inferences"}, {@code "rounds"}).
     * A suite that never calls {@code progress} counts iterations, whatever it names them.
     */
    default String progressUnit() {
        return "iterations";
    }

    /**
     * Checks parameter values before anything runs, so a bad value is a usage error and not a
     * suite ERROR halfway through a burn-in. Throws {@link Parameters.InvalidParameterException}.
     * Unknown parameter names are rejected by the framework against the descriptor.
     */
    default void validate(Parameters params) {
    }

    /**
     * {@link #validate(Parameters)}, and the checks that need the machine: a value this machine
     * cannot give (a placement its topology lacks) is the same usage error as a malformed one. The
     * run calls this form, with the machine's environment, before anything runs. The default:
     * {@link #validate(Parameters)}.
     */
    default void validate(Parameters params, SuiteEnvironment env) {
        validate(params);
    }

    /** Allocates what the suite needs and computes golden values. Runs once, before any worker. */
    void prepare(SuiteContext ctx) throws Exception;

    /**
     * The body of one worker. Loops while {@link WorkerContext#keepRunning()}; checks every result
     * it computes and reports a mismatch with {@link WorkerContext#failure}.
     */
    void run(WorkerContext ctx) throws Exception;

    /**
     * Called once after the last phase when every worker returned normally (not after a hang or a
     * worker error): the place to compare workers with each other (a slow core) and to report
     * summary measurements. Bounded by the hang timeout: one that does not return in time, or throws,
     * makes the suite ERROR.
     */
    default void finish(SuiteContext ctx) throws Exception {
    }

    /**
     * Releases what {@link #prepare} took. Called whenever prepare was called, after every outcome:
     * after a failure, an error, a cancel, and after a hang, when abandoned worker threads (interrupted,
     * never joined) may still hold the suite's resources; release them so that such a thread gets an
     * exception rather than freed memory. Bounded by the hang timeout; a cleanup that does not return
     * is logged and the run goes on.
     */
    default void cleanup(SuiteContext ctx) throws Exception {
    }
}
