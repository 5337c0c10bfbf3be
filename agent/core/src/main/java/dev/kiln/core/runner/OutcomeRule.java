package dev.kiln.core.runner;

import dev.kiln.api.Outcome;
import dev.kiln.api.UnavailableCategory;
import java.time.Duration;
import java.util.Objects;

/**
 * The one rule that turns what the runner observed of a suite into its outcome (DESIGN §3). Pure:
 * no clock, no threads, no suite; {@code OutcomeRuleTest} walks every row of the table below, and
 * {@code docs/architecture.md} shows the same table.
 *
 * <pre>
 *  first row that holds                                   outcome
 *  the watchdog fired on a worker                          HUNG
 *  a failure was reported (defect evidence)                FAIL
 *  a lifecycle call threw or did not return in time        ERROR "&lt;call&gt; failed: …" / "… did not return within …"
 *  availability said no, or prepare refused (unavailable)  SKIPPED(category, reason)
 *  the run was cancelled                                   INTERRUPTED
 *  time was given and no iteration was done                ERROR "no work done"
 *  the suite always verifies and reported no check         ERROR "claims to verify …"
 *  otherwise                                               PASS
 * </pre>
 * Defect evidence outranks a broken call: a fault found before the suite's own code broke still
 * stands. HUNG outranks FAIL only in the name; both are defects and fail the run.
 */
public final class OutcomeRule {
    private OutcomeRule() {
    }

    /** A suite's lifecycle calls, in the order the runner makes them. */
    public enum Call { AVAILABILITY, VALIDATE, PREPARE, PLAN, RUN, FINISH }

    /**
     * The first call that broke.
     *
     * @param call    which call
     * @param limit   for a time-out, the limit it overran; null when it threw
     * @param message the exception, described (for a time-out: ignored)
     */
    public record Broken(Call call, Duration limit, String message) {
        public Broken {
            Objects.requireNonNull(call, "call");
        }

        public static Broken threw(Call call, String message) {
            return new Broken(call, null, message);
        }

        public static Broken timedOut(Call call, Duration limit) {
            return new Broken(call, limit, "");
        }

        String describe() {
            String name = call.name().toLowerCase(java.util.Locale.ROOT);
            return limit != null ? name + " did not return within " + dev.kiln.core.Durations.format(limit)
                    : (call == Call.RUN ? "worker failed: " : name + " failed: ") + message;
        }
    }

    /** Why the suite could not run here. */
    public record Skip(UnavailableCategory category, String reason) {
        public Skip {
            Objects.requireNonNull(category, "category");
        }
    }

    /**
     * Everything the rule looks at.
     *
     * @param hungReason     the watchdog's reason, or null
     * @param failures       failures reported (degraded findings excluded)
     * @param firstFailure   the first failure's message (for the reason)
     * @param broken         the first lifecycle call that threw or timed out, or null
     * @param skip           why the suite could not run, or null
     * @param cancelled      the run was cancelled while the suite was in flight
     * @param hadTime        the suite was given a non-zero time budget for its work
     * @param iterations     iterations done by all workers
     * @param alwaysVerifies what the descriptor claims
     * @param checks         checks the suite reported
     */
    public record Observed(String hungReason, long failures, String firstFailure, Broken broken, Skip skip, boolean cancelled,
                           boolean hadTime, long iterations, boolean alwaysVerifies, long checks) {
    }

    /** The outcome, with its category (skips only) and reason (empty for PASS). */
    public record Decision(Outcome outcome, UnavailableCategory category, String reason) {
    }

    /**
     * A run on a stand-in where the SKU says the unit must have the engine: a PASS becomes
     * SKIPPED(NOT_PRESENT) saying so, since the engine was never tested; any other outcome stands (a
     * defect found on a stand-in is still a defect). Without such a SKU the decision stands and the
     * result only carries the stand-in.
     */
    public static Decision standIn(Decision d, String suite, String standIn, boolean engineRequired) {
        if (!engineRequired || standIn.isEmpty() || d.outcome() != Outcome.PASS) {
            return d;
        }
        return new Decision(Outcome.SKIPPED, UnavailableCategory.NOT_PRESENT, "a stand-in ran (" + standIn + "), not this unit's " + suite
                + ": the SKU requires it, so a run on a stand-in cannot pass");
    }

    public static Decision decide(Observed o) {
        if (o.hungReason() != null) {
            return new Decision(Outcome.HUNG, null, o.hungReason());
        }
        if (o.failures() > 0) {
            return new Decision(Outcome.FAIL, null, o.failures() + " failure(s); first: " + (o.firstFailure() == null ? "" : o.firstFailure()));
        }
        if (o.broken() != null) {
            return new Decision(Outcome.ERROR, null, o.broken().describe());
        }
        if (o.skip() != null) {
            return new Decision(Outcome.SKIPPED, o.skip().category(), o.skip().reason());
        }
        if (o.cancelled()) {
            return new Decision(Outcome.INTERRUPTED, null, "run cancelled while the suite ran");
        }
        if (o.hadTime() && o.iterations() == 0) {
            return new Decision(Outcome.ERROR, null, "no work done: the suite was given time and ran no iteration");
        }
        if (o.alwaysVerifies() && o.checks() == 0) {
            return new Decision(Outcome.ERROR, null, "claims to verify every result but reported no check after "
                    + o.iterations() + " iteration(s)");
        }
        return new Decision(Outcome.PASS, null, "");
    }
}
