package dev.kiln.core.runner;

import java.time.Instant;

/**
 * When a stage's parts happened: idle baseline from {@code baselineStart} to {@code start}, the
 * members together until {@code end}, idle cool-down until {@code cooldownEnd}.
 */
public record StageWindow(String name, Instant baselineStart, Instant start, Instant end, Instant cooldownEnd) {
    public StageWindow {
        if (start.isBefore(baselineStart) || end.isBefore(start) || cooldownEnd.isBefore(end)) {
            throw new IllegalArgumentException("stage " + name + ": its times are out of order");
        }
    }
}
