package dev.kiln.suites.memory;

import dev.kiln.suites.memory.loops.LaneLoops;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One worker's segments and what each holds, and when each is <em>armed</em>: holding data that
 * will be read back and checked before anything writes it again, so a bit that changes there now
 * is found. A segment is disarmed from the moment its last contents are checked (before a family
 * writes it) until the family has written what it will check itself, and during the copies (whose
 * stale halves are overwritten unread) until the next family has written it. The share of
 * byte-time armed is the measurement {@code memory_armed_ratio}; {@link #state} lets a test that
 * plants bit flips know whether each one landed in armed memory.
 */
final class Held {
    final List<MemorySegment> segs;
    final Residue[] residue;
    /** Per segment: transitions so far << 1 | armed. */
    final java.util.concurrent.atomic.AtomicLongArray state;
    private final long[] since;
    private long startNanos;
    private long stopNanos;
    /** Byte-seconds disarmed (a double: a terabyte for a day overflows a long of byte-nanoseconds). */
    private double unarmedByteSeconds;

    private final LaneLoops loops;

    Held(List<MemorySegment> segs, LaneLoops loops) {
        this.segs = segs;
        this.loops = loops;
        this.residue = new Residue[segs.size()];
        this.state = new java.util.concurrent.atomic.AtomicLongArray(segs.size());
        this.since = new long[segs.size()];
        for (int i = 0; i < segs.size(); i++) {
            residue[i] = new Residue.Constant(0L, "zero-fill"); // prepare wrote zeros
            state.set(i, 1);
        }
    }

    void start() {
        startNanos = System.nanoTime();
        for (int i = 0; i < since.length; i++) {
            since[i] = startNanos;
        }
    }

    void stop() {
        stopNanos = System.nanoTime();
        for (int i = 0; i < since.length; i++) {
            if ((state.get(i) & 1) == 0) {
                unarmedByteSeconds += (stopNanos - since[i]) / 1e9 * segs.get(i).byteSize();
            }
        }
    }

    void unarm(int i) {
        long s = state.get(i);
        if ((s & 1) == 1) {
            since[i] = System.nanoTime();
            state.set(i, (s >>> 1) + 1 << 1);
        }
    }

    void arm(int i) {
        long s = state.get(i);
        if ((s & 1) == 0) {
            unarmedByteSeconds += (System.nanoTime() - since[i]) / 1e9 * segs.get(i).byteSize();
            state.set(i, ((s >>> 1) + 1) << 1 | 1);
        }
    }

    /** Reads segment {@code i} back against what its last writer left; returns the bytes checked (none when that is not known). */
    long checkHeld(int i, Passes.Errors errors) {
        if (residue[i] == null) {
            return 0;
        }
        residue[i].check(loops, segs.get(i), errors);
        return segs.get(i).byteSize();
    }

    /** Byte-seconds in all, and disarmed, over the run. */
    double[] byteSeconds() {
        long bytes = segs.stream().mapToLong(MemorySegment::byteSize).sum();
        return new double[] {Math.max(0, stopNanos - startNanos) / 1e9 * bytes, unarmedByteSeconds};
    }
}
