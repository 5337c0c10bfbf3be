package dev.kiln.suites.memory;

import dev.kiln.suites.memory.loops.LaneLoops;
import java.lang.foreign.MemorySegment;

/** What a segment holds, so that the next writer checks it first. */
sealed interface Residue {
    long check(LaneLoops l, MemorySegment seg, Passes.Errors errors);

    /** A pattern family's values. */
    record Pattern(dev.kiln.suites.memory.Pattern pattern, long pass, long salt, String family) implements Residue {
        @Override
        public long check(LaneLoops l, MemorySegment seg, Passes.Errors errors) {
            return Passes.verify(l, pattern, seg, pass, salt, (p, s, w, e, r) -> errors.mismatch(family, s, w, e, r));
        }
    }

    /** A comparison family's results in both halves. */
    record Compared(Passes.Op op, long salt) implements Residue {
        @Override
        public long check(LaneLoops l, MemorySegment seg, Passes.Errors errors) {
            return Passes.verifyCompared(op, seg, salt, errors);
        }
    }

    /** One value in every word. */
    record Constant(long value, String family) implements Residue {
        @Override
        public long check(LaneLoops l, MemorySegment seg, Passes.Errors errors) {
            return Passes.verifyConstant(l, seg, value, family, errors);
        }
    }
}
