package dev.kiln.suites.cpu;

/**
 * Shared counters: each side adds known amounts to a counter of its own that sits in one cache line
 * with the other side's (false sharing: the line moves between the cores on every add) and, beside
 * each, to a counter both add to (true sharing); half the adds are compare-and-set loops. A side's
 * own counter must move by exactly the sum it added (checked every run); the shared one must equal
 * what both added (checked at the end). A lost increment names the core, its partner and what lies
 * between them. The fault seam drops one add.
 */
final class SharedCountersKernel extends CrossCoreKernel {
    static final int STEPS = 4096;

    SharedCountersKernel() {
        super("shared-counters", "adds");
    }

    @Override
    long workPerRun() {
        return 2L * STEPS;
    }

    @Override
    Runner newRunner(CorePlace place) {
        long[] n = {0};
        return (fault, verify) -> {
            long s = salt ^ place.cpu * 0x100000001B3L ^ n[0]++;
            if (place.peer) {
                place.link.count(place.side, STEPS, s, fault);
            } else {
                withHelper(place, Helper.Task.COUNTERS, s ^ 0x5DEECE66DL, () -> place.link.count(place.side, STEPS, s, fault));
            }
            return 0;
        };
    }
}
