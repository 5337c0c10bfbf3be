package dev.kiln.suites.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The verify loops with the Vector API at the machine's preferred width: the JIT does not
 * vectorise the scalar loops' OR-reduction reliably, and a scalar read stream reaches about half
 * the memory's read bandwidth. Each answers whether any word of a chunk differs from what it must
 * hold; {@link Passes} then looks word by word. Loaded only when the incubator module is present
 * ({@link #PRESENT}); the scalar loops in {@link Passes} are used otherwise.
 */
final class VectorPasses {
    /** True where the JVM was started with {@code jdk.incubator.vector} (the launcher adds it). */
    static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;

    private VectorPasses() {
    }

    /**
     * Whether any of {@code len} words at word {@code at} differs from {@code c[j]} ({@code j} words
     * in), for a pattern repeating every {@code period} words ({@code c} holds at least {@code len}).
     */
    static boolean differs(MemorySegment seg, long at, int len, long[] c, int period) {
        MemorySegment blk = seg.asSlice(at * 8, len * 8L);
        int l = S.length();
        long full = (long) (len - len % l) * 8;
        long step = l * 8L;
        LongVector d = LongVector.zero(S);
        if (l % period == 0) { // one vector of expected values serves every position
            LongVector e = LongVector.fromArray(S, c, 0);
            for (long p = 0; p < full; p += step) {
                d = d.or(LongVector.fromMemorySegment(S, blk, p, O).lanewise(VectorOperators.XOR, e));
            }
        } else {
            for (long p = 0; p < full; p += step) {
                d = d.or(LongVector.fromMemorySegment(S, blk, p, O).lanewise(VectorOperators.XOR, LongVector.fromArray(S, c, (int) (p >>> 3))));
            }
        }
        long diff = d.reduceLanes(VectorOperators.OR);
        for (int j = (int) (full >>> 3); j < len; j++) {
            diff |= blk.getAtIndex(W, j) ^ c[j];
        }
        return diff != 0;
    }

    /** Writes each of the segment's first {@code n} words as its index XOR {@code salt} ({@code xor}) or plus {@code salt}. */
    static void fillIndexed(MemorySegment seg, long n, long salt, boolean xor) {
        int l = S.length();
        long full = (n - n % l) * 8;
        long step = l * 8L;
        LongVector idx = LongVector.zero(S).addIndex(1);
        LongVector inc = LongVector.broadcast(S, l);
        for (long p = 0; p < full; p += step) {
            (xor ? idx.lanewise(VectorOperators.XOR, salt) : idx.add(salt)).intoMemorySegment(seg, p, O);
            idx = idx.add(inc);
        }
        for (long i = full >>> 3; i < n; i++) {
            seg.setAtIndex(W, i, xor ? i ^ salt : i + salt);
        }
    }

    /** Whether any of {@code len} words at word {@code at} differs from its index XOR {@code salt} ({@code xor}) or plus {@code salt}. */
    static boolean differsIndexed(MemorySegment seg, long at, int len, long salt, boolean xor) {
        MemorySegment blk = seg.asSlice(at * 8, len * 8L);
        int l = S.length();
        long full = (long) (len - len % l) * 8;
        long step = l * 8L;
        LongVector idx = LongVector.zero(S).addIndex(1).add(at);
        LongVector inc = LongVector.broadcast(S, l);
        LongVector d = LongVector.zero(S);
        for (long p = 0; p < full; p += step) {
            LongVector e = xor ? idx.lanewise(VectorOperators.XOR, salt) : idx.add(salt);
            d = d.or(LongVector.fromMemorySegment(S, blk, p, O).lanewise(VectorOperators.XOR, e));
            idx = idx.add(inc);
        }
        long diff = d.reduceLanes(VectorOperators.OR);
        for (int j = (int) (full >>> 3); j < len; j++) {
            long i = at + j;
            diff |= blk.getAtIndex(W, j) ^ (xor ? i ^ salt : i + salt);
        }
        return diff != 0;
    }
}
