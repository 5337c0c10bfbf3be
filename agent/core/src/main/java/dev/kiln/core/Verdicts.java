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
     * ERROR, SKIPPED or INTERRUPTED, or nothing required ran at all; otherwise PASS.
     */
    public static Verdict decide(Collection<SuiteResult> results) {
        boolean incomplete = results.stream().noneMatch(SuiteResult::required);
        for (SuiteResult r : results) {
            if (r.outcome().isDefect()) {
                return Verdict.FAIL;
            }
            if (r.required() && r.outcome() != Outcome.PASS) {
                incomplete = true;
            }
        }
        return incomplete ? Verdict.INCOMPLETE : Verdict.PASS;
    }
}
