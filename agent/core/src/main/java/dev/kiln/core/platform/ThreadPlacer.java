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
     * What was done.
     *
     * @param pinned      true when the thread is bound to exactly the requested CPU
     * @param description one line for the result, e.g. {@code pinned to cpu 3}
     */
    record Result(boolean pinned, String description) {
    }
}
