package dev.kiln.core;

import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import java.util.Collection;

/** The run verdict rule of DESIGN §3, in one place. */
public final class Verdicts {
    private Verdicts() {
    }

    /**
     * FAIL if any suite (required or not) is FAIL or HUNG; INCOMPLETE if any required suite is
     * ERROR, SKIPPED or INTERRUPTED, if any suite at all is ERROR, or if nothing required ran at all;
     * otherwise PASS. Optional means "may be absent here" (SKIPPED), not "may break": an optional
     * GPU suite whose driver fails is ERROR and keeps the run from passing.
     */
    public static Verdict decide(Collection<SuiteResult> results) {
        boolean incomplete = results.stream().noneMatch(SuiteResult::required);
        for (SuiteResult r : results) {
            if (r.outcome().isDefect()) {
                return Verdict.FAIL;
            }
            if (r.required() && r.outcome() != Outcome.PASS || r.outcome() == Outcome.ERROR) {
                incomplete = true;
            }
        }
        return incomplete ? Verdict.INCOMPLETE : Verdict.PASS;
    }
}
