package dev.kiln.suites.selftest;

import dev.kiln.api.SuiteContext;
import dev.kiln.api.WorkerContext;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks its work but draws from its own fixed-seed generator instead of {@code ctx.random()}: every
 * run does the same work whatever the seed. The compatibility kit's seed check must fail it.
 */
public final class SeedBlindSuite extends SelfTestSuite {
    private long[] data;
    private long golden;

    @Override
    String id() {
        return "selftest-seed-blind";
    }

    @Override
    String behaviour() {
        return "ignores the run seed";
    }

    @Override
    public void prepare(SuiteContext ctx) {
        SplittableRandom own = new SplittableRandom(42);
        data = new long[1024];
        long sum = 0;
        for (int i = 0; i < data.length; i++) {
            data[i] = own.nextLong();
            sum += data[i];
        }
        golden = sum;
    }

    @Override
    public void run(WorkerContext ctx) {
        SplittableRandom own = new SplittableRandom(7);
        while (ctx.keepRunning()) {
            int salt = own.nextInt(data.length);
            long[] mine = data.clone();
            if (ctx.injectFault("sum")) {
                mine[salt] ^= 1L << 7;
            }
            long sum = 0;
            for (long v : mine) {
                sum += v;
            }
            if (sum != golden) {
                ctx.failure(id() + "-sum-miscompare", "sum of the array is wrong", Map.of("expected", golden, "actual", sum));
            }
            ctx.verified(1);
        }
    }

    @Override
    void misbehave(WorkerContext ctx) {
    }
}
