package dev.kiln.core.runner;

import java.time.Duration;
import java.util.Map;

/**
 * A suite as the run plans it, without the suite instance: what the run record, the journal and
 * the event stream say about it.
 *
 * @param id         suite id
 * @param duration   time budget
 * @param required   whether the verdict depends on it
 * @param parameters overrides of the suite's defaults
 */
public record PlannedSuite(String id, Duration duration, boolean required, Map<String, String> parameters) {
    public PlannedSuite {
        parameters = Map.copyOf(parameters);
    }
}
