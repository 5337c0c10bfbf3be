package dev.kiln.core.runner;

import dev.kiln.api.Availability;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkerContext;
import java.time.Duration;
import java.util.List;

/**
 * A check the agent adds to a run itself (not found through the service loader): it does its work
 * once in {@code prepare}, from data the run already has, and is requested with no time budget, so
 * the runner starts no workers for it. Each comparison it makes is reported with
 * {@code ctx.verified}: a built-in check that compared nothing is ERROR, like any suite.
 */
public abstract class BuiltInCheck implements Suite {
    private final SuiteDescriptor descriptor;

    protected BuiltInCheck(String id, String title, String exercises) {
        this.descriptor = new SuiteDescriptor(id, title, exercises, List.of(), Duration.ofMillis(100), Duration.ZERO, true);
    }

    @Override
    public final SuiteDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public final Availability availability(SuiteEnvironment env) {
        return Availability.ok();
    }

    @Override
    public final void run(WorkerContext ctx) {
        throw new IllegalStateException(descriptor.id() + " does its check in prepare and is requested with no time budget");
    }
}
