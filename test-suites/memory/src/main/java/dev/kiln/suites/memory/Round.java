package dev.kiln.suites.memory;

import dev.kiln.api.WorkerContext;
import dev.kiln.suites.memory.loops.LaneLoops;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one worker's rounds share, whatever the family: its segments and what they hold
 * ({@link Held}), the fill and verify loops, its reporters, the block periodic patterns are
 * replicated from, its copier and the parameters the families read. Used from the worker's thread only.
 */
final class Round {
    final WorkerContext ctx;
    final List<MemorySegment> mine;
    final Held held;
    final LaneLoops loops;
    /** A family's check of its own pass. */
    final Passes.Errors reporter;
    /** The check of what a family left, before the next writes it. */
    final Passes.Errors heldReporter;
    final MemorySegment source;
    final Copier copier;
    /** What the copies move blocks within: groups of adjacent segments ({@link #copyRegions}). */
    final List<MemorySegment> copyRegions;
    /** How periodic patterns are written. */
    final Mover fill;
    final int moves;
    final long holdNanos;
    final long mineBytes;
    final AtomicLong copyNanos;
    final AtomicLong copiedBytes;
    private long sourceKey = -1;

    Round(WorkerContext ctx, List<MemorySegment> mine, MemorySegment whole, Held held, LaneLoops loops, Copier copier, Mover fill,
          MemorySegment source, Mismatches mismatches, AtomicLong copyNanos, AtomicLong copiedBytes) {
        this.ctx = ctx;
        this.copier = copier;
        this.fill = fill;
        this.mine = mine;
        this.held = held;
        this.loops = loops;
        this.source = source;
        long cap = ctx.parameters().getLong("report-per-worker");
        long[] reported = {0};
        this.reporter = mismatches.reporter(ctx, mine, cap, reported, false);
        this.heldReporter = mismatches.reporter(ctx, mine, cap, reported, true);
        this.moves = (int) ctx.parameters().getLong("copy-moves");
        this.holdNanos = ctx.parameters().getDuration("fade-hold").toNanos();
        this.mineBytes = mine.stream().mapToLong(MemorySegment::byteSize).sum();
        this.copyRegions = copyRegions(mine, whole, copier.mover().blockBytes());
        this.copyNanos = copyNanos;
        this.copiedBytes = copiedBytes;
    }

    /**
     * The copy family's regions: adjacent segments of {@code whole} (the mapping the suite takes a
     * worker's segments from; null: none) grouped so that each half of a region holds at least three
     * blocks of {@code blockBytes} (two segments at least; the JDK's non-temporal copies start at
     * 2.5 MiB, so a 4 MiB block takes regions of six 4 MiB segments). A half is written every other
     * move, its blocks shifted two positions in between: with three blocks or more a position never
     * receives the block it held, so a write that never lands leaves another block's data behind
     * (with one or two blocks a half it would hold the same data, and the loss would go unseen). Segments left over join the last region; a segment
     * not adjacent to the one before starts a new region.
     */
    static List<MemorySegment> copyRegions(List<MemorySegment> mine, MemorySegment whole, long blockBytes) {
        List<MemorySegment> out = new java.util.ArrayList<>();
        if (mine.isEmpty()) {
            return out;
        }
        long seg = mine.get(0).byteSize();
        int group = (int) Math.max(2, (6 * blockBytes + seg - 1) / Math.max(1, seg));
        List<int[]> groups = new java.util.ArrayList<>(); // [first, count]
        for (int i = 0; i < mine.size(); i++) {
            int[] last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            boolean joins = last != null && last[1] < group && adjacent(mine.get(i - 1), mine.get(i), whole);
            if (joins) {
                last[1]++;
            } else {
                groups.add(new int[] {i, 1});
            }
        }
        // a short group at the end joins the one before, if adjacent
        if (groups.size() > 1) {
            int[] tail = groups.get(groups.size() - 1);
            int[] prev = groups.get(groups.size() - 2);
            if (tail[1] < group && prev[0] + prev[1] == tail[0] && adjacent(mine.get(tail[0] - 1), mine.get(tail[0]), whole)) {
                prev[1] += tail[1];
                groups.remove(groups.size() - 1);
            }
        }
        for (int[] g : groups) {
            MemorySegment a = mine.get(g[0]);
            if (g[1] == 1) {
                out.add(a);
            } else {
                MemorySegment b = mine.get(g[0] + g[1] - 1);
                out.add(whole.asSlice(a.address() - whole.address(), b.address() + b.byteSize() - a.address()));
            }
        }
        return out;
    }

    /** Whether {@code b} starts where {@code a} ends, both inside {@code whole}. */
    private static boolean adjacent(MemorySegment a, MemorySegment b, MemorySegment whole) {
        return whole != null && b.address() == a.address() + a.byteSize() && a.address() >= whole.address()
                && b.address() + b.byteSize() <= whole.address() + whole.byteSize();
    }

    /** What a family writes into one segment and checks; returns what the segment then holds. */
    interface SegmentPass {
        /**
         * @param here    plant the fault seam in this segment
         * @param written to run once the family has written what it will check (arms the segment, and plants the fault when {@code here})
         */
        Residue write(MemorySegment seg, long salt, boolean here, Runnable written);
    }

    /**
     * A family's pass over every segment, each first checked against what its last writer left
     * (verify before overwrite); returns the bytes the family wrote and checked. The round ends after
     * the segments done when the time is up (each fully checked).
     */
    long overSegments(Family f, boolean fault, SegmentPass pass) {
        long done = 0;
        for (int si = 0; si < mine.size(); si++) {
            if (si > 0 && ctx.timeUp()) {
                break; // the budget is spent: end the round after the segments done (each fully checked)
            }
            MemorySegment seg = mine.get(si);
            long salt = ctx.random().nextLong();
            boolean here = fault && si == 0;
            int at = si;
            // verify before overwrite: what the last writer left is read back before this family writes
            checked(recheck(si));
            Runnable written = () -> {
                held.arm(at); // from here the segment holds what this family will check
                if (here) {
                    flipBit(seg, Family.faultWord(f.id(), seg.byteSize() / 8));
                }
            };
            held.residue[si] = pass.write(seg, salt, here, written);
            held.arm(si); // a family that rewrites every word as it checks it is armed once it is done
            done += seg.byteSize();
        }
        return done;
    }

    /** A periodic pattern's block for this pass, made once a pass, then replicated into {@code seg}. */
    void fillPeriodic(Pattern p, MemorySegment seg, long salt) {
        long key = (long) p.ordinal() << 48 ^ ctx.iteration();
        if (sourceKey != key) {
            Passes.source(p, source, ctx.iteration(), salt);
            sourceKey = key;
        }
        Passes.fill(fill, p, seg, source, ctx.iteration(), salt);
    }

    /** Every segment read back against what its last writer left (at the end of the run; before the copies). */
    void checkAllHeld() {
        for (int si = 0; si < mine.size(); si++) {
            checked(recheck(si));
        }
    }

    /**
     * Segment {@code si} disarmed (a family is about to write it) and read back against what its
     * last writer left; the bytes checked (none when that is not known).
     */
    long recheck(int si) {
        held.unarm(si);
        return held.checkHeld(si, heldReporter);
    }

    /** Bytes read back and checked against what their last writer left: progress and checks, not the passes' own throughput. */
    void checked(long bytes) {
        if (bytes > 0) {
            ctx.progress(bytes);
            ctx.verified(bytes / 8);
        }
    }

    /** Leaves memory untouched for {@code nanos} (less once the time is up), a heartbeat every half second; {@code midway} runs once, early in the hold. */
    void hold(long nanos, Runnable midway) {
        long end = System.nanoTime() + nanos;
        boolean ran = midway == null;
        while (System.nanoTime() - end < 0 && !ctx.timeUp()) {
            try {
                Thread.sleep(Math.max(1, Math.min(500, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            ctx.heartbeat();
            if (!ran) {
                midway.run(); // the fault seam: a bit changed while nothing wrote
                ran = true;
            }
        }
        if (!ran) {
            midway.run();
        }
    }

    /** The fault seam: one bit of one word flipped, as a defect would. */
    static void flipBit(MemorySegment seg, long word) {
        long v = seg.getAtIndex(ValueLayout.JAVA_LONG, word);
        seg.setAtIndex(ValueLayout.JAVA_LONG, word, v ^ (1L << Family.FAULT_BIT));
    }
}
