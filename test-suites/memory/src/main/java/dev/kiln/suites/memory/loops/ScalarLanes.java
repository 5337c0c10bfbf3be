package dev.kiln.suites.memory.loops;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The loops one word at a time: where the Vector API module is absent, and the reference every vector shape is tested against. */
final class ScalarLanes implements LaneLoops {
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;

    @Override
    public MemShape shape() {
        return MemShape.SCALAR;
    }

    @Override
    public boolean differs(MemorySegment seg, long at, int len, long[] c, int period) {
        long diff = 0;
        for (int j = 0; j < len; j++) {
            diff |= seg.getAtIndex(W, at + j) ^ c[j];
        }
        return diff != 0;
    }

    @Override
    public void fillIndexed(MemorySegment seg, long n, long salt, boolean xor) {
        if (xor) {
            for (long i = 0; i < n; i++) {
                seg.setAtIndex(W, i, i ^ salt);
            }
        } else {
            for (long i = 0; i < n; i++) {
                seg.setAtIndex(W, i, i + salt);
            }
        }
    }

    @Override
    public boolean differsIndexed(MemorySegment seg, long at, int len, long salt, boolean xor) {
        long diff = 0;
        if (xor) {
            for (int j = 0; j < len; j++) {
                diff |= seg.getAtIndex(W, at + j) ^ ((at + j) ^ salt);
            }
        } else {
            for (int j = 0; j < len; j++) {
                diff |= seg.getAtIndex(W, at + j) ^ (salt + at + j);
            }
        }
        return diff != 0;
    }
}
