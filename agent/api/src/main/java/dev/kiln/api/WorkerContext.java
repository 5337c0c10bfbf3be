package dev.kiln.api;

/**
 * What a worker sees. One instance per worker; used only from that worker's thread.
 */
public interface WorkerContext extends SuiteContext {

    /**
     * Whether to do one more iteration. Returns false once the phase's time is up or the run is
     * cancelled. Each call is a heartbeat for the watchdog and starts a new iteration: a worker that
     * stops calling it for longer than the hang timeout is declared HUNG.
     */
    boolean keepRunning();

    /**
     * True once this worker's time is up or the suite is being stopped (a cancel, a hang): what the
     * next {@link #keepRunning()} would answer, without starting an iteration. For a suite whose
     * iterations are long (a pass over gigabytes): check it between parts of an iteration and end
     * that iteration early, so the suite keeps its time budget. Not a heartbeat.
     */
    boolean timeUp();

    /**
     * A heartbeat for the watchdog that starts no iteration: for a worker that waits on purpose in
     * the middle of an iteration (the memory suite's retention hold leaves memory untouched for
     * minutes). Call it at least every few seconds while waiting; a worker that neither calls it nor
     * {@link #keepRunning()} for longer than the hang timeout is declared HUNG.
     */
    void heartbeat();

    /** The current iteration, counted from 0 by {@link #keepRunning()} within this phase. */
    long iteration();

    /** This worker's index within its phase. */
    int workerIndex();

    /** The phase this worker belongs to. */
    String phase();

    /** The logical CPU this worker was placed on, or -1 when it was not pinned. */
    int cpu();

    /**
     * Adds units of work done (bytes, operations) for the progress rate. Optional: without it the
     * rate is iterations per second.
     */
    void progress(long units);

    /**
     * Test seam for fault injection: true when a test (or the hidden developer flag) planted a fault
     * at this site for this worker's CPU and this iteration. The suite then corrupts its own data
     * path at that site, so that its check, and nothing else, must catch it. Always false in
     * production runs.
     */
    boolean injectFault(String site);

    /**
     * Says that the hardware this worker drives stopped answering: a command past a deadline the
     * suite derived itself (a GPU launch that never completes), sooner and more precisely than the
     * watchdog would. The suite ends HUNG with this reason (name the device), every worker is told to
     * stop, and the run goes on. Return from {@link Suite#run} after calling it; a thread stuck in
     * the driver may be left behind, as after the watchdog.
     */
    void hung(String reason);
}
