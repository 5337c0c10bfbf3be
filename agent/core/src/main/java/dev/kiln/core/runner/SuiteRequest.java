package dev.kiln.core.runner;

import dev.kiln.api.Suite;
import java.time.Duration;
import java.util.Map;

/**
 * One suite to run, as the profile and the command line resolved it.
 *
 * @param suite      a fresh instance
 * @param duration   the suite's time budget (all phases together)
 * @param required   whether the verdict depends on it
 * @param parameters overrides of the descriptor's defaults (validated before the run starts)
 */
public record SuiteRequest(Suite suite, Duration duration, boolean required, Map<String, String> parameters) {
    public SuiteRequest {
        parameters = Map.copyOf(parameters);
    }

    public String id() {
        return suite.descriptor().id();
    }

    public PlannedSuite planned() {
        return new PlannedSuite(id(), duration, required, parameters);
    }
}
