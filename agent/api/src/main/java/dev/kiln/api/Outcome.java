package dev.kiln.api;

/** How one suite ended. A closed set. */
public enum Outcome {
    /** Ran its full budget and every check held. */
    PASS,
    /** Evidence of a hardware defect. */
    FAIL,
    /** The watchdog fired: workers stopped making progress. Counts as a failure. */
    HUNG,
    /** The test itself broke: not evidence against the hardware. */
    ERROR,
    /** Could not run here; carries a category and reason. Never a pass. */
    SKIPPED,
    /** The agent stopped (died or was cancelled) while the suite ran. */
    INTERRUPTED;

    /** True for outcomes that are evidence against the hardware. */
    public boolean isDefect() {
        return this == FAIL || this == HUNG;
    }
}
