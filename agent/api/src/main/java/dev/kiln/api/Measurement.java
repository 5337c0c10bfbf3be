package dev.kiln.api;

import java.util.Map;
import java.util.Objects;

/**
 * A measured value, with its unit in the name's style ({@code gflops}, {@code bytes_per_second}) and
 * optional inclusive limits. A measurement outside its limits makes the suite FAIL.
 */
public record Measurement(String name, double value, String unit, Double lowLimit, Double highLimit,
                          Map<String, Object> metadata) {

    public Measurement {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** True when the value is within both limits (or has none); NaN is never within a limit. */
    public boolean withinLimits() {
        if (lowLimit != null && !(value >= lowLimit)) {
            return false;
        }
        return highLimit == null || value <= highLimit;
    }
}
