package dev.kiln.suites.selftest;

import dev.kiln.api.Availability;
import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkerContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The common body of the self-test suites: a small real check (the sum of a seeded array, compared
 * with the sum computed in prepare) that each subclass breaks in its own way at a chosen iteration.
 */
abstract class SelfTestSuite implements Suite {
    private long[] data;
    private long golden;

    abstract String id();

    abstract String behaviour();

    List<ParameterSpec> extraParameters() {
        return List.of();
    }

    @Override
    public SuiteDescriptor descriptor() {
        List<ParameterSpec> params = new java.util.ArrayList<>();
        params.add(new ParameterSpec("at-iteration", "2", "the iteration at which the suite misbehaves"));
        params.addAll(extraParameters());
        return new SuiteDescriptor(id(), "Self-test: " + behaviour(), behaviour() + " on purpose, to test the framework",
                params, Duration.ofSeconds(2), Duration.ofMillis(100), true);
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        return Availability.ok();
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        data = new long[1024];
        long sum = 0;
        for (int i = 0; i < data.length; i++) {
            data[i] = ctx.random().nextLong();
            sum += data[i];
        }
        golden = sum;
    }

    @Override
    public void run(WorkerContext ctx) throws Exception {
        long at = ctx.parameters().getLong("at-iteration");
        long[] mine = data.clone();
        while (ctx.keepRunning()) {
            int salt = ctx.random().nextInt(mine.length); // seeded work: part of the replay digest
            if (ctx.injectFault("sum")) {
                mine[salt] ^= 1L << 7;
            }
            long sum = 0;
            for (long v : mine) {
                sum += v;
            }
            if (ctx.injectFault("sum")) {
                mine[salt] ^= 1L << 7;
            }
            if (sum != golden) {
                ctx.failure(id() + "-sum-miscompare", "sum of the seeded array is wrong on worker " + ctx.workerIndex(),
                        Map.of("expected", golden, "actual", sum, "index", salt));
            }
            ctx.verified(1);
            if (ctx.iteration() == at) {
                misbehave(ctx);
            }
        }
    }

    /** What this suite does wrong at {@code at-iteration}. */
    abstract void misbehave(WorkerContext ctx) throws Exception;
}
