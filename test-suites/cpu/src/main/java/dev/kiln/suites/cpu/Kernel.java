package dev.kiln.suites.cpu;

import java.util.random.RandomGenerator;

/**
 * One self-checking computation. {@link #prepare} builds the inputs from the seeded random source;
 * the suite then computes the golden fingerprint once on the preparing thread, and every worker
 * compares each of its results to it. Java arithmetic is strictly specified (floating point
 * included), so on healthy hardware every core gives the same bits.
 */
abstract class Kernel {
    private final String name;
    private final String unit;

    Kernel(String name, String unit) {
        this.name = name;
        this.unit = unit;
    }

    /** Kebab-case name, also the fault-injection site. */
    final String name() {
        return name;
    }

    /** What {@link #workPerRun()} counts: {@code bytes}, {@code flops}, {@code squarings}, {@code elements}. */
    final String unit() {
        return unit;
    }

    /** Builds inputs from seeded randomness; called once. */
    abstract void prepare(RandomGenerator random);

    /** Work units one run does. */
    abstract long workPerRun();

    /** Per-thread state: buffers, cipher and digest instances. Created outside the timed loop. */
    abstract Runner newRunner() throws Exception;

    /**
     * The runner of a worker that stands at {@code place} (null outside a worker's run): what the
     * cross-core kernels need; every other kernel ignores it.
     */
    Runner newRunner(CorePlace place) throws Exception {
        return newRunner();
    }

    /** A worker's instance of a kernel. Not thread-safe. */
    interface Runner {
        /**
         * Does one run and returns its fingerprint.
         *
         * @param plantFault flip one bit in this run's data path (the fault-injection seam)
         * @param verify     compute the fingerprint; false only for the benchmark's unverified figure
         * @throws DataPathException when the data path visibly broke (e.g. inflate refused the stream)
         */
        long run(boolean plantFault, boolean verify) throws DataPathException;

        /**
         * Once the worker's phase is over: what is still in flight is checked (a cross-core kernel's
         * last messages). The default: nothing.
         */
        default void finish() throws DataPathException {
        }
    }

    /** The computation noticed its own data was damaged (a corrupt stream, an impossible value). */
    static class DataPathException extends Exception {
        private static final long serialVersionUID = 1L;

        DataPathException(String message) {
            super(message);
        }
    }
}
