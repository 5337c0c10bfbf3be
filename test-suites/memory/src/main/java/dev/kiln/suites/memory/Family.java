package dev.kiln.suites.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The families of passes the suite runs in turn, one a round: memtester's patterns and comparisons,
 * moving inversions, bit fade and checksummed copies. Each name is also its fault-injection site;
 * each family's {@link #round} does its work over the worker's segments and plants the fault seam
 * where it is asked to.
 */
sealed interface Family permits Family.Patterned, Family.Comparison, Family.MovingInversions, Family.BitFade, Family.Copy {
    String MOVING_INVERSIONS = "moving-inversions";
    String COPY = "copy";
    /** Retention: all ones held untouched, checked; all zeros held, checked (memtest86's bit fade). */
    String BIT_FADE = "bit-fade";

    /** The bit the fault seam flips. */
    int FAULT_BIT = 13;

    String id();

    /** One round of this family over the worker's segments; {@code fault}: plant the fault seam in the first. */
    Done round(Round r, boolean fault);

    /** What a round did: bytes written and checked, and whether its time is the passes' throughput (bit fade's holds are not). */
    record Done(long bytes, boolean timed) {
    }

    static List<Family> all() {
        List<Family> f = new ArrayList<>();
        for (Pattern p : Pattern.values()) {
            f.add(new Patterned(p));
        }
        for (Passes.Op o : Passes.Op.values()) {
            f.add(new Comparison(o));
        }
        f.add(new MovingInversions());
        f.add(new BitFade());
        f.add(new Copy());
        return f;
    }

    /** The word the fault seam flips: a third of the way in (inside the first half, or the first block copied). */
    static long faultWord(String family, long segmentWords) {
        if (family.equals(COPY)) {
            throw new IllegalArgumentException("the copy's fault word depends on its region and block: Copier.faultWord");
        }
        return segmentWords / 6;
    }

    /** A memtester pattern: written (a periodic one replicated from a block made once a pass), then read back. */
    record Patterned(Pattern pattern) implements Family {
        @Override
        public String id() {
            return pattern.id;
        }

        @Override
        public Done round(Round r, boolean fault) {
            return new Done(r.overSegments(this, fault, (seg, salt, here, written) -> {
                if (pattern.periodic) {
                    r.fillPeriodic(pattern, seg, salt);
                    written.run();
                    Passes.verify(r.loops, pattern, seg, r.ctx.iteration(), salt, r.reporter);
                } else {
                    Passes.pattern(r.loops, pattern, seg, r.ctx.iteration(), salt, written, r.reporter);
                }
                return new Residue.Pattern(pattern, r.ctx.iteration(), salt, pattern.id);
            }), true);
        }
    }

    /** A memtester comparison: the same operation on both halves of a segment, the halves compared. */
    record Comparison(Passes.Op op) implements Family {
        @Override
        public String id() {
            return op.id();
        }

        @Override
        public Done round(Round r, boolean fault) {
            return new Done(r.overSegments(this, fault, (seg, salt, here, written) -> {
                Passes.compare(op, seg, salt, written, r.reporter);
                return new Residue.Compared(op, salt);
            }), true);
        }
    }

    /** Moving inversions: every word rewritten as it is checked, so the segment is armed once the pass is done. */
    record MovingInversions() implements Family {
        @Override
        public String id() {
            return MOVING_INVERSIONS;
        }

        @Override
        public Done round(Round r, boolean fault) {
            return new Done(r.overSegments(this, fault, (seg, salt, here, written) -> {
                Passes.movingInversions(seg, salt, here ? () -> Round.flipBit(seg, faultWord(MOVING_INVERSIONS, seg.byteSize() / 8)) : () -> { },
                        r.reporter);
                return new Residue.Constant(Mix.mix(salt), MOVING_INVERSIONS);
            }), true);
        }
    }

    /**
     * Retention (memtest86's bit fade): every segment set to all ones, each after checking what it
     * held; the memory left untouched for {@code fade-hold} (the rest of the machine as busy as the
     * run makes it); every word read back and, segment by segment, set to all zeros; held again;
     * read back again. A cell that loses its charge early shows as a bit that changed while nothing
     * wrote to it. The hold ends early when the suite's time is up; the read-back never does. The
     * holds are not throughput: not counted in {@code memory_pass_bytes_per_second}.
     */
    record BitFade() implements Family {
        @Override
        public String id() {
            return BIT_FADE;
        }

        @Override
        public Done round(Round r, boolean fault) {
            Held h = r.held;
            Passes.Errors asFade = (pattern, seg, word, expected, read) -> r.reporter.mismatch(BIT_FADE, seg, word, expected, read);
            long done = 0;
            for (int si = 0; si < r.mine.size(); si++) {
                MemorySegment seg = r.mine.get(si);
                r.checked(r.recheck(si));
                Passes.fill(r.loops, Pattern.SOLID_BITS, seg, 1, 0); // all ones
                h.residue[si] = new Residue.Constant(-1L, BIT_FADE);
                h.arm(si);
                done += seg.byteSize();
            }
            MemorySegment first = r.mine.get(0);
            r.hold(r.holdNanos, fault ? () -> Round.flipBit(first, faultWord(BIT_FADE, first.byteSize() / 8)) : null);
            for (int si = 0; si < r.mine.size(); si++) {
                MemorySegment seg = r.mine.get(si);
                h.unarm(si);
                Passes.verifyConstant(r.loops, seg, -1L, BIT_FADE, asFade);
                Passes.fill(r.loops, Pattern.SOLID_BITS, seg, 0, 0); // all zeros
                h.residue[si] = new Residue.Constant(0L, BIT_FADE);
                h.arm(si);
                done += 2 * seg.byteSize();
            }
            r.hold(r.holdNanos, null);
            for (MemorySegment seg : r.mine) {
                Passes.verifyConstant(r.loops, seg, 0L, BIT_FADE, asFade);
                done += seg.byteSize();
            }
            return new Done(done, false);
        }
    }

    /** stressapptest's checksummed copies between the halves of each copy region (a group of adjacent segments, {@link Round#copyRegions}), {@code copy-moves} a round. */
    record Copy() implements Family {
        @Override
        public String id() {
            return COPY;
        }

        @Override
        public Done round(Round r, boolean fault) {
            Held h = r.held;
            // what the last family left is checked before the copies write over it; the copies'
            // own final state is checked by their last step, and is not known to the next family
            for (int si = 0; si < r.mine.size(); si++) {
                r.checked(r.recheck(si));
                h.residue[si] = null;
            }
            boolean[] once = {fault};
            MemorySegment first = r.copyRegions.get(0);
            long c0 = r.copier.copyNanos();
            long b0 = r.copier.copiedBytes();
            r.copier.run(r.copyRegions, r.ctx.random().nextLong(), r.moves, (move, seg, word, len) -> {
                if (once[0] && seg == first) {
                    once[0] = false;
                    // a bit flipped by another thread while the copy is in flight
                    Thread t = new Thread(() -> Round.flipBit(first, Copier.faultWord(first.byteSize() / 8, r.copier.mover().blockWords())));
                    t.start();
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, r.reporter);
            r.copyNanos.addAndGet(r.copier.copyNanos() - c0);
            r.copiedBytes.addAndGet(r.copier.copiedBytes() - b0);
            return new Done(r.mineBytes, true);
        }
    }
}
