package dev.kiln.suites.memory.loops;

import java.lang.foreign.MemorySegment;

/**
 * The fill and verify loops of one {@link MemShape}. Each answers whether any word of a chunk
 * differs from what it must hold; the suite's passes then look word by word, so the words reported are
 * the same whatever the shape. Made by {@link Lanes#of}.
 */
public interface LaneLoops {
    MemShape shape();

    /**
     * Whether any of {@code len} words at word {@code at} differs from {@code c[j]} ({@code j} words
     * in), for a pattern repeating every {@code period} words ({@code c} holds at least {@code len}).
     */
    boolean differs(MemorySegment seg, long at, int len, long[] c, int period);

    /** Writes each of the segment's first {@code n} words as its index XOR {@code salt} ({@code xor}) or plus {@code salt}. */
    void fillIndexed(MemorySegment seg, long n, long salt, boolean xor);

    /** Whether any of {@code len} words at word {@code at} differs from its index XOR {@code salt} ({@code xor}) or plus {@code salt}. */
    boolean differsIndexed(MemorySegment seg, long at, int len, long salt, boolean xor);
}
