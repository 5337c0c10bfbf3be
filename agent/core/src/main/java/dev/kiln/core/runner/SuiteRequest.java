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
 * @param stage      the stage it runs in together with others, or null when it runs alone
 * @param threads    in a stage: the share of the logical CPUs kept for it, in (0, 1]; 0 for "the CPUs
 *                   no other member keeps"
 */
public record SuiteRequest(Suite suite, Duration duration, boolean required, Map<String, String> parameters,
                           Stage stage, double threads) {
    public SuiteRequest {
        parameters = Map.copyOf(parameters);
        if (stage == null && threads != 0) {
            throw new IllegalArgumentException("a thread share applies only in a stage");
        }
    }

    /** A suite that runs alone. */
    public SuiteRequest(Suite suite, Duration duration, boolean required, Map<String, String> parameters) {
        this(suite, duration, required, parameters, null, 0);
    }

    /** The suite's id, qualified by its stage ({@code together/cpu}) when it runs in one. */
    public String id() {
        String id = suite.descriptor().id();
        return stage == null ? id : stage.name() + "/" + id;
    }

    public PlannedSuite planned() {
        return new PlannedSuite(id(), duration, required, parameters);
    }
}
