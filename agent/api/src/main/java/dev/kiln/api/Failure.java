package dev.kiln.api;

import java.util.Map;
import java.util.Objects;

/**
 * Evidence against the hardware (or, with {@code degraded}, a part that works but lags its peers).
 *
 * @param symptom  kebab-case name
 * @param message  one human line
 * @param details  structured evidence, completed by the framework with the worker's location
 * @param degraded true for a slow-but-correct part, which alone does not fail the suite
 */
public record Failure(String symptom, String message, Map<String, Object> details, boolean degraded) {
    public Failure {
        Objects.requireNonNull(symptom, "symptom");
        Objects.requireNonNull(message, "message");
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
