package dev.kiln.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The record of one suite's run.
 *
 * @param suiteId        the suite
 * @param required       whether the run's verdict depends on it
 * @param outcome        how it ended
 * @param category       for SKIPPED, why it could not run; else null
 * @param reason         human reason for anything but PASS (empty for PASS)
 * @param started        when it started
 * @param ended          when it ended
 * @param iterations     iterations done by all workers together
 * @param checks         results checked against a known answer, as the suite reported them
 * @param measurements   what it measured
 * @param failures       the first failures in full (see {@code failureCount} for all)
 * @param failureCount   all failures reported, kept or not
 * @param workDigest     hex digest of every random draw the suite made: equal for equal seeds
 * @param placement      how workers were placed (pinned, steered or neither), for the record
 * @param parameters     the parameters it ran with
 * @param standIn        what stood in for the engine the suite tests (an ONNX Runtime CPU provider, an
 *                       OpenCL CPU device), empty when the engine itself ran; absent from bundles
 *                       written before the field existed, read as empty
 */
public record SuiteResult(String suiteId, boolean required, Outcome outcome, UnavailableCategory category,
                          String reason, Instant started, Instant ended, long iterations, long checks,
                          List<Measurement> measurements, List<Failure> failures, long failureCount,
                          String workDigest, String placement, Map<String, String> parameters, String standIn) {

    public SuiteResult {
        Objects.requireNonNull(suiteId, "suiteId");
        Objects.requireNonNull(outcome, "outcome");
        reason = reason == null ? "" : reason;
        standIn = standIn == null ? "" : standIn;
        measurements = List.copyOf(measurements);
        failures = List.copyOf(failures);
        parameters = Map.copyOf(parameters);
        if (outcome == Outcome.SKIPPED && category == null) {
            throw new IllegalArgumentException("a skip needs a category");
        }
    }
}
