package dev.kiln.suites.memory.loops;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loops, written once for every {@link MemShape}: never loaded under its own name.
 * {@link Lanes#of} defines this class's bytes again as a hidden class per shape, with the shape as
 * its class data, so that in each copy the species and the unrolling are {@code static final}
 * constants. The JIT compiles the Vector API to vector instructions only where the species is a
 * constant: a species passed as an argument runs the API's Java fallback, measured a tenth of the
 * speed or less. With the unrolling a constant, the branches on {@code U} below fold away.
 */
final class VectorLanes implements LaneLoops {
    private static final MemShape SHAPE;
    private static final VectorSpecies<Long> S;
    /** Vectors a step. */
    private static final int U;
    /** Words a vector. */
    private static final int L;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;

    static {
        try {
            SHAPE = MethodHandles.classData(MethodHandles.lookup(), "_", MemShape.class);
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
        S = switch (SHAPE.bits()) {
            case 128 -> LongVector.SPECIES_128;
            case 256 -> LongVector.SPECIES_256;
            case 512 -> LongVector.SPECIES_512;
            default -> throw new IllegalStateException("no vector loops for " + SHAPE.id());
        };
        U = SHAPE.unroll();
        L = SHAPE.lanes();
    }

    @Override
    public MemShape shape() {
        return SHAPE;
    }

    private static LongVector load(MemorySegment blk, long p) {
        return LongVector.fromMemorySegment(S, blk, p, O);
    }

    @Override
    public boolean differs(MemorySegment seg, long at, int len, long[] c, int period) {
        MemorySegment blk = seg.asSlice(at * 8, len * 8L);
        long full = (long) (len - len % (L * U)) * 8;
        long step = L * 8L;
        LongVector d0 = LongVector.zero(S);
        LongVector d1 = d0;
        LongVector d2 = d0;
        LongVector d3 = d0;
        if (L % period == 0) { // one vector of expected values serves every position
            LongVector e = LongVector.fromArray(S, c, 0);
            for (long p = 0; p < full; p += step * U) {
                d0 = d0.or(load(blk, p).lanewise(VectorOperators.XOR, e));
                if (U > 1) {
                    d1 = d1.or(load(blk, p + step).lanewise(VectorOperators.XOR, e));
                }
                if (U > 2) {
                    d2 = d2.or(load(blk, p + 2 * step).lanewise(VectorOperators.XOR, e));
                    d3 = d3.or(load(blk, p + 3 * step).lanewise(VectorOperators.XOR, e));
                }
            }
        } else {
            for (long p = 0; p < full; p += step * U) {
                int w = (int) (p >>> 3);
                d0 = d0.or(load(blk, p).lanewise(VectorOperators.XOR, LongVector.fromArray(S, c, w)));
                if (U > 1) {
                    d1 = d1.or(load(blk, p + step).lanewise(VectorOperators.XOR, LongVector.fromArray(S, c, w + L)));
                }
                if (U > 2) {
                    d2 = d2.or(load(blk, p + 2 * step).lanewise(VectorOperators.XOR, LongVector.fromArray(S, c, w + 2 * L)));
                    d3 = d3.or(load(blk, p + 3 * step).lanewise(VectorOperators.XOR, LongVector.fromArray(S, c, w + 3 * L)));
                }
            }
        }
        long diff = d0.or(d1).or(d2.or(d3)).reduceLanes(VectorOperators.OR);
        for (int j = (int) (full >>> 3); j < len; j++) {
            diff |= blk.getAtIndex(W, j) ^ c[j];
        }
        return diff != 0;
    }

    @Override
    public void fillIndexed(MemorySegment seg, long n, long salt, boolean xor) {
        long full = (n - n % (L * U)) * 8;
        long step = L * 8L;
        LongVector i0 = LongVector.zero(S).addIndex(1);
        LongVector i1 = i0.add(L);
        LongVector i2 = i0.add(2L * L);
        LongVector i3 = i0.add(3L * L);
        long inc = (long) L * U;
        for (long p = 0; p < full; p += step * U) {
            (xor ? i0.lanewise(VectorOperators.XOR, salt) : i0.add(salt)).intoMemorySegment(seg, p, O);
            i0 = i0.add(inc);
            if (U > 1) {
                (xor ? i1.lanewise(VectorOperators.XOR, salt) : i1.add(salt)).intoMemorySegment(seg, p + step, O);
                i1 = i1.add(inc);
            }
            if (U > 2) {
                (xor ? i2.lanewise(VectorOperators.XOR, salt) : i2.add(salt)).intoMemorySegment(seg, p + 2 * step, O);
                (xor ? i3.lanewise(VectorOperators.XOR, salt) : i3.add(salt)).intoMemorySegment(seg, p + 3 * step, O);
                i2 = i2.add(inc);
                i3 = i3.add(inc);
            }
        }
        for (long i = full >>> 3; i < n; i++) {
            seg.setAtIndex(W, i, xor ? i ^ salt : i + salt);
        }
    }

    @Override
    public boolean differsIndexed(MemorySegment seg, long at, int len, long salt, boolean xor) {
        MemorySegment blk = seg.asSlice(at * 8, len * 8L);
        long full = (long) (len - len % (L * U)) * 8;
        long step = L * 8L;
        LongVector i0 = LongVector.zero(S).addIndex(1).add(at);
        LongVector i1 = i0.add(L);
        LongVector i2 = i0.add(2L * L);
        LongVector i3 = i0.add(3L * L);
        long inc = (long) L * U;
        LongVector d0 = LongVector.zero(S);
        LongVector d1 = d0;
        LongVector d2 = d0;
        LongVector d3 = d0;
        for (long p = 0; p < full; p += step * U) {
            d0 = d0.or(load(blk, p).lanewise(VectorOperators.XOR, xor ? i0.lanewise(VectorOperators.XOR, salt) : i0.add(salt)));
            i0 = i0.add(inc);
            if (U > 1) {
                d1 = d1.or(load(blk, p + step).lanewise(VectorOperators.XOR, xor ? i1.lanewise(VectorOperators.XOR, salt) : i1.add(salt)));
                i1 = i1.add(inc);
            }
            if (U > 2) {
                d2 = d2.or(load(blk, p + 2 * step).lanewise(VectorOperators.XOR, xor ? i2.lanewise(VectorOperators.XOR, salt) : i2.add(salt)));
                d3 = d3.or(load(blk, p + 3 * step).lanewise(VectorOperators.XOR, xor ? i3.lanewise(VectorOperators.XOR, salt) : i3.add(salt)));
                i2 = i2.add(inc);
                i3 = i3.add(inc);
            }
        }
        long diff = d0.or(d1).or(d2.or(d3)).reduceLanes(VectorOperators.OR);
        for (int j = (int) (full >>> 3); j < len; j++) {
            long i = at + j;
            diff |= blk.getAtIndex(W, j) ^ (xor ? i ^ salt : i + salt);
        }
        return diff != 0;
    }
}
