package dev.kiln.core.runner;

import java.time.Duration;

/**
 * A live view of the suite in flight, for progress displays.
 *
 * @param suiteId     the suite
 * @param phase       the phase running now (or {@code prepare})
 * @param workers     workers running now
 * @param elapsed     time since the suite started
 * @param remaining   time left in its budget
 * @param iterations  iterations so far, all workers
 * @param units       work done so far, in the suite's units (iterations when it reports none)
 * @param failures    failures so far
 * @param unit        what the units are ({@link dev.kiln.api.Suite#progressUnit}): "B" for bytes checked, else a plural noun
 */
public record Progress(String suiteId, String phase, int workers, Duration elapsed, Duration remaining,
                       long iterations, long units, long failures, String unit) {
    public Progress(String suiteId, String phase, int workers, Duration elapsed, Duration remaining, long iterations, long units, long failures) {
        this(suiteId, phase, workers, elapsed, remaining, iterations, units, failures, "iterations");
    }
}
