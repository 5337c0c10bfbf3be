package dev.kiln.core.runner;

import dev.kiln.api.Availability;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkPlan;
import dev.kiln.api.Parameters;
import dev.kiln.api.WorkerContext;
import java.time.Duration;
import java.util.List;

/** A suite assembled from lambdas, for engine tests that need one specific behaviour. */
class InlineSuite implements Suite {
    interface Body {
        void run(WorkerContext ctx) throws Exception;
    }

    interface Prep {
        void prepare(SuiteContext ctx) throws Exception;
    }

    private final String id;
    private final Body body;
    Prep prep = ctx -> { };
    Prep finish = ctx -> { };
    Prep clean = ctx -> { };
    Availability availability = Availability.ok();
    java.util.concurrent.Callable<Availability> availabilityCall;
    WorkPlan plan = WorkPlan.single();
    java.util.concurrent.Callable<WorkPlan> planCall;
    boolean alwaysVerifies = true;
    volatile boolean cleanedUp;

    InlineSuite(String id, Body body) {
        this.id = id;
        this.body = body;
    }

    @Override
    public SuiteDescriptor descriptor() {
        return new SuiteDescriptor(id, "inline " + id, "test", List.of(), Duration.ofSeconds(1), Duration.ofMillis(10), alwaysVerifies);
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        return availabilityCall == null ? availability : call(availabilityCall);
    }

    @Override
    public WorkPlan plan(SuiteEnvironment env, Parameters params) {
        return planCall == null ? plan : call(planCall);
    }

    private static <T> T call(java.util.concurrent.Callable<T> c) {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void finish(SuiteContext ctx) throws Exception {
        finish.prepare(ctx);
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        prep.prepare(ctx);
    }

    @Override
    public void run(WorkerContext ctx) throws Exception {
        body.run(ctx);
    }

    @Override
    public void cleanup(SuiteContext ctx) throws Exception {
        cleanedUp = true;
        clean.prepare(ctx);
    }

    /** Busy work until told to stop, each iteration counted as one check. */
    static void spin(WorkerContext ctx) {
        while (ctx.keepRunning()) {
            Thread.onSpinWait();
            ctx.verified(1);
        }
    }
}
