package dev.kiln.core.runner;

import java.time.Instant;

/**
 * When a stage's parts happened: idle baseline from {@code baselineStart} to {@code prepareStart},
 * the members preparing until {@code start}, their one load together until {@code end}, idle
 * cool-down until {@code cooldownEnd}.
 */
public record StageWindow(String name, Instant baselineStart, Instant prepareStart, Instant start, Instant end, Instant cooldownEnd) {
    public StageWindow {
        prepareStart = prepareStart == null ? start : prepareStart;
        if (prepareStart.isBefore(baselineStart) || start.isBefore(prepareStart) || end.isBefore(start) || cooldownEnd.isBefore(end)) {
            throw new IllegalArgumentException("stage " + name + ": its times are out of order");
        }
    }

    /** A stage whose load started as its members' preparing did (as bundles sealed before the one hold record it). */
    public StageWindow(String name, Instant baselineStart, Instant start, Instant end, Instant cooldownEnd) {
        this(name, baselineStart, start, start, end, cooldownEnd);
    }
}
