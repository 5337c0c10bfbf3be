package dev.kiln.suites.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Fletcher}'s checksum with the Vector API. The eight lanes are one 512-bit vector, two
 * 256-bit or four 128-bit ones, whichever is the widest the machine has natively (AVX-512, AVX2,
 * SSE or NEON), so the numbers always match the scalar code's. Loaded only when the incubator
 * module is present.
 */
final class VectorFletcher {
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;
    private static final int WIDTH = Math.min(Fletcher.LANES, LongVector.SPECIES_PREFERRED.length());
    private static final VectorSpecies<Long> S8 = LongVector.SPECIES_512;
    private static final VectorSpecies<Long> S4 = LongVector.SPECIES_256;
    private static final VectorSpecies<Long> S2 = LongVector.SPECIES_128;

    private VectorFletcher() {
    }

    /** The vector width used here, in bits. */
    static int bits() {
        return WIDTH >= 8 ? 512 : WIDTH >= 4 ? 256 : WIDTH >= 2 ? 128 : 0;
    }

    static void of(MemorySegment seg, long at, int len, long[] out) {
        of(bits(), seg, at, len, out);
    }

    /** With vectors of {@code bits} whatever this machine's width (the tests run every one). */
    static void of(int bits, MemorySegment seg, long at, int len, long[] out) {
        switch (bits) {
            case 512 -> of8(seg, at, len, out);
            case 256 -> of4(seg, at, len, out);
            case 128 -> of2(seg, at, len, out);
            default -> Fletcher.scalar(seg, at, len, out);
        }
    }

    private static void of8(MemorySegment seg, long at, int len, long[] out) {
        ByteOrder o = ByteOrder.nativeOrder();
        MemorySegment blk = seg.asSlice(at * 8, len * 8L);
        long end = groups(len);
        LongVector s = LongVector.zero(S8);
        LongVector f = s;
        for (long p = 0; p < end; p += 64) { // a long byte offset into a slice: the JIT hoists the bounds checks
            s = s.add(LongVector.fromMemorySegment(S8, blk, p, o));
            f = f.add(s);
        }
        tail(blk, len, s.reduceLanes(VectorOperators.ADD), f.reduceLanes(VectorOperators.ADD), s.lane(0), out);
    }

    private static void of4(MemorySegment seg, long at, int len, long[] out) {
        ByteOrder o = ByteOrder.nativeOrder();
        LongVector s0 = LongVector.zero(S4);
        LongVector s1 = s0;
        LongVector f0 = s0;
        LongVector f1 = s0;
        MemorySegment blk = seg.asSlice(at * 8, len * 8L);
        long end = groups(len);
        for (long p = 0; p < end; p += 64) {
            s0 = s0.add(LongVector.fromMemorySegment(S4, blk, p, o));
            f0 = f0.add(s0);
            s1 = s1.add(LongVector.fromMemorySegment(S4, blk, p + 32, o));
            f1 = f1.add(s1);
        }
        tail(blk, len, s0.add(s1).reduceLanes(VectorOperators.ADD), f0.add(f1).reduceLanes(VectorOperators.ADD), s0.lane(0), out);
    }

    private static void of2(MemorySegment seg, long at, int len, long[] out) {
        ByteOrder o = ByteOrder.nativeOrder();
        LongVector s0 = LongVector.zero(S2);
        LongVector s1 = s0;
        LongVector s2 = s0;
        LongVector s3 = s0;
        LongVector f0 = s0;
        LongVector f1 = s0;
        LongVector f2 = s0;
        LongVector f3 = s0;
        MemorySegment blk = seg.asSlice(at * 8, len * 8L);
        long end = groups(len);
        for (long p = 0; p < end; p += 64) {
            s0 = s0.add(LongVector.fromMemorySegment(S2, blk, p, o));
            f0 = f0.add(s0);
            s1 = s1.add(LongVector.fromMemorySegment(S2, blk, p + 16, o));
            f1 = f1.add(s1);
            s2 = s2.add(LongVector.fromMemorySegment(S2, blk, p + 32, o));
            f2 = f2.add(s2);
            s3 = s3.add(LongVector.fromMemorySegment(S2, blk, p + 48, o));
            f3 = f3.add(s3);
        }
        tail(blk, len, s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD),
                f0.add(f1).add(f2).add(f3).reduceLanes(VectorOperators.ADD), s0.lane(0), out);
    }

    /**
     * Copies {@code src} into {@code dst} (the same size, whole words) with vectors of this machine's
     * width and, if {@code out} is not null, puts the checksum of what was read into it: each vector
     * is summed as it is moved, so the source is read once.
     */
    static void copy(MemorySegment src, MemorySegment dst, long[] out) {
        copy(bits(), src, dst, out);
    }

    /** {@link #copy(MemorySegment, MemorySegment, long[])} with vectors of {@code bits}, whatever this machine's width (the tests run every one). */
    static void copy(int bits, MemorySegment src, MemorySegment dst, long[] out) {
        ByteOrder o = ByteOrder.nativeOrder();
        int len = (int) (src.byteSize() / 8);
        long end = groups(len);
        if (bits == 512) {
            LongVector s = LongVector.zero(S8);
            LongVector f = s;
            for (long p = 0; p < end; p += 64) {
                LongVector v = LongVector.fromMemorySegment(S8, src, p, o);
                v.intoMemorySegment(dst, p, o);
                s = s.add(v);
                f = f.add(s);
            }
            finish(src, dst, len, s.reduceLanes(VectorOperators.ADD), f.reduceLanes(VectorOperators.ADD), s.lane(0), out);
        } else if (bits == 256) {
            LongVector s0 = LongVector.zero(S4);
            LongVector s1 = s0;
            LongVector f0 = s0;
            LongVector f1 = s0;
            for (long p = 0; p < end; p += 64) {
                LongVector v0 = LongVector.fromMemorySegment(S4, src, p, o);
                LongVector v1 = LongVector.fromMemorySegment(S4, src, p + 32, o);
                v0.intoMemorySegment(dst, p, o);
                v1.intoMemorySegment(dst, p + 32, o);
                s0 = s0.add(v0);
                f0 = f0.add(s0);
                s1 = s1.add(v1);
                f1 = f1.add(s1);
            }
            finish(src, dst, len, s0.add(s1).reduceLanes(VectorOperators.ADD), f0.add(f1).reduceLanes(VectorOperators.ADD), s0.lane(0), out);
        } else if (bits == 128) {
            LongVector s0 = LongVector.zero(S2);
            LongVector s1 = s0;
            LongVector s2 = s0;
            LongVector s3 = s0;
            LongVector f0 = s0;
            LongVector f1 = s0;
            LongVector f2 = s0;
            LongVector f3 = s0;
            for (long p = 0; p < end; p += 64) {
                LongVector v0 = LongVector.fromMemorySegment(S2, src, p, o);
                LongVector v1 = LongVector.fromMemorySegment(S2, src, p + 16, o);
                LongVector v2 = LongVector.fromMemorySegment(S2, src, p + 32, o);
                LongVector v3 = LongVector.fromMemorySegment(S2, src, p + 48, o);
                v0.intoMemorySegment(dst, p, o);
                v1.intoMemorySegment(dst, p + 16, o);
                v2.intoMemorySegment(dst, p + 32, o);
                v3.intoMemorySegment(dst, p + 48, o);
                s0 = s0.add(v0);
                f0 = f0.add(s0);
                s1 = s1.add(v1);
                f1 = f1.add(s1);
                s2 = s2.add(v2);
                f2 = f2.add(s2);
                s3 = s3.add(v3);
                f3 = f3.add(s3);
            }
            finish(src, dst, len, s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD),
                    f0.add(f1).add(f2).add(f3).reduceLanes(VectorOperators.ADD), s0.lane(0), out);
        } else {
            MemorySegment.copy(src, 0, dst, 0, src.byteSize());
            if (out != null) {
                Fletcher.scalar(src, 0, len, out);
            }
        }
    }

    /** The words after the last full group: copied, and summed on in lane 0 (see {@link #tail}). */
    private static void finish(MemorySegment src, MemorySegment dst, int len, long a, long b, long lane0, long[] out) {
        long done = groups(len);
        if (done < len * 8L) {
            MemorySegment.copy(src, done, dst, done, len * 8L - done);
        }
        if (out != null) {
            tail(src, len, a, b, lane0, out);
        }
    }

    /** Bytes in the whole groups of eight words. */
    private static long groups(int len) {
        return (long) (len / Fletcher.LANES) * Fletcher.LANES * 8;
    }

    /** The words after the last full group go on in lane 0, whose sum so far is {@code lane0}. */
    private static void tail(MemorySegment blk, int len, long a, long b, long lane0, long[] out) {
        for (int i = len / Fletcher.LANES * Fletcher.LANES; i < len; i++) {
            long v = blk.getAtIndex(W, i);
            a += v;
            lane0 += v;
            b += lane0;
        }
        out[0] = a;
        out[1] = b;
    }
}
