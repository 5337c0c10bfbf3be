package dev.kiln.suites.cpu;

/**
 * Litmus tests of the memory model ({@link Litmus}: message passing, store buffering with full
 * fences, load buffering with acquire and release), a batch a run against the worker's helper thread
 * on another core; outcomes the model forbids must number zero. The fault seam makes one trial's
 * outcome a forbidden one, as a store that passed a fence would.
 */
final class LitmusKernel extends CrossCoreKernel {
    LitmusKernel() {
        super("litmus", "trials");
    }

    @Override
    long workPerRun() {
        return 3L * Litmus.TRIALS;
    }

    @Override
    Runner newRunner(CorePlace place) {
        return (fault, verify) -> {
            long gen = ++place.batches;
            long[][] got = new long[1][];
            withHelper(place, Helper.Task.LITMUS, gen, () -> got[0] = place.litmus.sideA(gen, fault, place.name(), Helper.NAME));
            if (got[0] == null) {
                cross.missedBatches.incrementAndGet();
            } else {
                for (int t = 0; t < 3; t++) {
                    cross.trials[t].addAndGet(Litmus.TRIALS);
                }
            }
            return 0;
        };
    }
}
