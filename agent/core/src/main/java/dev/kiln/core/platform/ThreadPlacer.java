package dev.kiln.core.platform;

import dev.kiln.api.WorkPlan.Placement;

/**
 * Puts the calling thread where a worker should run. Linux pins with {@code sched_setaffinity};
 * macOS cannot pin on Apple Silicon and steers with QoS classes; elsewhere nothing is done. Each
 * says what it did, for the result.
 */
public interface ThreadPlacer {

    /** Places the calling thread; never throws for a placement it cannot honour. */
    Result place(Placement placement);

    /** The logical CPU the calling thread runs on now, or -1 when the OS does not tell. */
    int currentCpu();

    /** The mechanism, for the record: {@code sched_setaffinity}, {@code qos-class} or {@code none}. */
    String method();

    /**
     * Threads a lone worker needs beside it while it runs one core at a time (a sequential phase),
     * stopped by {@link Companions#close}; none by default. macOS uses them to fill the faster cores
     * so that a worker meant for an efficiency core spills onto one at full clock.
     */
    default Companions companions(Placement placement) {
        return Companions.NONE;
    }

    /** Companion threads, stopped on close. */
    interface Companions extends AutoCloseable {
        Companions NONE = () -> { };

        @Override
        void close();
    }

    /**
     * What was done.
     *
     * @param pinned      true when the thread is bound to exactly the requested CPU
     * @param description one line for the result, e.g. {@code pinned to cpu 3}
     */
    record Result(boolean pinned, String description) {
    }
}
