package dev.kiln.core.telemetry;

import java.util.Map;

/** One place channels come from (OSHI, Linux sysfs, macOS powermetrics). Channel names carry their unit. */
public interface TelemetrySource {
    /** Short name for warnings. */
    String name();

    /** The channels it offers, known at start, in a stable order. */
    java.util.List<String> channels();

    /**
     * Reads every channel once. A channel that cannot be read this time is left out (the sampler
     * records an empty cell and warns once); a source never throws for a bad reading.
     */
    Map<String, Double> sample();
}
