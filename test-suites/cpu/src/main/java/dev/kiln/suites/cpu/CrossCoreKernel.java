package dev.kiln.suites.cpu;

import java.util.random.RandomGenerator;

/**
 * A kernel that tests the paths between cores: it runs on a worker's {@link CorePlace}, against its
 * peer or its helper thread, and its known answer is that nothing is wrong (its runs return 0; what
 * is wrong is thrown as a {@link CrossCoreFailure} naming both ends).
 */
abstract class CrossCoreKernel extends Kernel {
    CrossCore cross;
    long salt;

    CrossCoreKernel(String name, String unit) {
        super(name, unit);
    }

    /** The suite's cross-core state, made in prepare before the kernels are. */
    CrossCoreKernel on(CrossCore c) {
        this.cross = c;
        return this;
    }

    @Override
    void prepare(RandomGenerator random) {
        salt = random.nextLong();
    }

    @Override
    Runner newRunner() {
        throw new UnsupportedOperationException(name() + " runs on a worker's place, beside another core");
    }

    @Override
    abstract Runner newRunner(CorePlace place);

    /** Runs {@code part} on the helper while {@code mine} runs here; what either found wrong is thrown, the worker's first. */
    static void withHelper(CorePlace place, Helper.Task task, long arg, Part mine) throws CrossCoreFailure {
        Helper h = place.helper();
        h.begin(task, arg);
        CrossCoreFailure here = null;
        try {
            mine.run();
        } catch (CrossCoreFailure f) {
            here = f;
        }
        CrossCoreFailure there = h.end();
        if (here != null) {
            throw here;
        }
        if (there != null) {
            throw there;
        }
    }

    /** The worker's part of a cross-core run. */
    interface Part {
        void run() throws CrossCoreFailure;
    }
}
