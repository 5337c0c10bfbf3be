package dev.kiln.core.runner;

import java.time.Duration;

/**
 * A stage in which several suites run at the same time (the burn-in's "everything at once"): the
 * machine sits idle for {@code baseline} first, the members then run together for their budget, and
 * the machine sits idle for {@code cooldown} after, so that the thermal judge sees the load step
 * both ways. Every result of a member is named {@code stage/suite}.
 *
 * @param name     kebab-case name
 * @param baseline idle time before the members start
 * @param cooldown idle time after they all end
 */
public record Stage(String name, Duration baseline, Duration cooldown) {
    public Stage {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("stage name '" + name + "' is not kebab-case");
        }
        if (baseline.isNegative() || cooldown.isNegative()) {
            throw new IllegalArgumentException("negative idle time");
        }
    }
}
