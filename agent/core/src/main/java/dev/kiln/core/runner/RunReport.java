package dev.kiln.core.runner;

import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import java.time.Instant;
import java.util.List;

/** The end of a run: every suite's result and the verdict. */
public record RunReport(RunInfo info, Instant ended, List<SuiteResult> results, Verdict verdict) {
    public RunReport {
        results = List.copyOf(results);
    }

    public SuiteResult result(String suiteId) {
        return results.stream().filter(r -> r.suiteId().equals(suiteId)).findFirst().orElse(null);
    }
}
