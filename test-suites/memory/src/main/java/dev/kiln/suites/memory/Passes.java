package dev.kiln.suites.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The passes over one worker's memory. Each writes, then reads back and compares every word; a
 * difference goes to {@link Errors} with the word's index, the expected and the read value. The
 * hook between writing and checking is the fault-injection seam.
 */
final class Passes {
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;

    private Passes() {
    }

    /** Where a difference goes. */
    interface Errors {
        void mismatch(String pattern, MemorySegment seg, long word, long expected, long read);
    }

    /** A pure pattern: fill, then verify. Returns the mismatches found. */
    static long pattern(Pattern p, MemorySegment seg, long pass, long salt, Runnable hook, Errors errors) {
        fill(p, seg, pass, salt);
        hook.run();
        return verify(p, seg, pass, salt, errors);
    }

    static void fill(Pattern p, MemorySegment seg, long pass, long salt) {
        long n = seg.byteSize() / 8;
        for (long i = 0; i < n; i++) {
            seg.setAtIndex(W, i, p.value(i, pass, salt));
        }
    }

    /** Words compared branch-free before any is looked at one by one. */
    private static final int CHUNK = 1024;

    static long verify(Pattern p, MemorySegment seg, long pass, long salt, Errors errors) {
        long n = seg.byteSize() / 8;
        long bad = 0;
        for (long c = 0; c < n; c += CHUNK) {
            long end = Math.min(n, c + CHUNK);
            long diff = 0;
            for (long i = c; i < end; i++) { // no branch: the JIT can unroll and vectorise this
                diff |= seg.getAtIndex(W, i) ^ p.value(i, pass, salt);
            }
            if (diff != 0) {
                for (long i = c; i < end; i++) {
                    long v = seg.getAtIndex(W, i);
                    long e = p.value(i, pass, salt);
                    if (v != e) {
                        bad++;
                        errors.mismatch(p.id, seg, i, e, v);
                    }
                }
            }
        }
        return bad;
    }

    /** The comparison families: the same random data in both halves, the same operation applied to both, then compared. */
    enum Op {
        XOR, SUB, MUL, DIV, OR, AND;

        long apply(long x, long q) {
            return switch (this) {
                case XOR -> x ^ q;
                case SUB -> x - q;
                case MUL -> x * q;
                case DIV -> Long.divideUnsigned(x, q | 1);
                case OR -> x | q;
                case AND -> x & q;
            };
        }

        String id() {
            return "compare-" + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static long compare(Op op, MemorySegment seg, long salt, Runnable hook, Errors errors) {
        long half = seg.byteSize() / 16;
        long q = Mix.mix(salt ^ 0x5DEECE66DL);
        for (long i = 0; i < half; i++) {
            long r = Mix.mix(salt + i);
            seg.setAtIndex(W, i, r);
            seg.setAtIndex(W, half + i, r);
        }
        for (long i = 0; i < half; i++) {
            seg.setAtIndex(W, i, op.apply(seg.getAtIndex(W, i), q));
            seg.setAtIndex(W, half + i, op.apply(seg.getAtIndex(W, half + i), q));
        }
        hook.run();
        long bad = 0;
        for (long i = 0; i < half; i++) {
            long a = seg.getAtIndex(W, i);
            long b = seg.getAtIndex(W, half + i);
            if (a != b) {
                // which half is wrong: the one that differs from the recomputed value
                long e = op.apply(Mix.mix(salt + i), q);
                bad++;
                if (a != e) {
                    errors.mismatch(op.id(), seg, i, e, a);
                } else {
                    errors.mismatch(op.id(), seg, half + i, e, b);
                }
            }
        }
        return bad;
    }

    /** Moving inversions: a pattern written up, checked and inverted upwards, checked and inverted downwards, checked. */
    static long movingInversions(MemorySegment seg, long salt, Runnable hook, Errors errors) {
        long n = seg.byteSize() / 8;
        long p = Mix.mix(salt);
        for (long i = 0; i < n; i++) {
            seg.setAtIndex(W, i, p);
        }
        hook.run();
        long bad = 0;
        for (long i = 0; i < n; i++) {
            long v = seg.getAtIndex(W, i);
            if (v != p) {
                bad++;
                errors.mismatch("moving-inversions", seg, i, p, v);
            }
            seg.setAtIndex(W, i, ~p);
        }
        for (long i = n - 1; i >= 0; i--) {
            long v = seg.getAtIndex(W, i);
            if (v != ~p) {
                bad++;
                errors.mismatch("moving-inversions", seg, i, ~p, v);
            }
            seg.setAtIndex(W, i, p);
        }
        for (long i = 0; i < n; i++) {
            long v = seg.getAtIndex(W, i);
            if (v != p) {
                bad++;
                errors.mismatch("moving-inversions", seg, i, p, v);
            }
        }
        return bad;
    }

    /** Blocks of the copy pass, in words (64 KiB). */
    static final int BLOCK = 8192;
    /** Copies per call: the source is written once, then moved back and forth this many times. */
    static final int COPY_PASSES = 4;

    /**
     * stressapptest-style copies: seeded pattern pages are written into one half once, then moved
     * to the other half and back {@value #COPY_PASSES} times (the first two moves invert them), each
     * moved block checksummed (a sum and an XOR of its words: any single flipped bit changes both)
     * against the checksums taken when the pages were written; a block whose checksum differs is
     * compared word by word to locate the error.
     *
     * @param hook called with each moved block of the first move, before it is checked
     */
    static long copy(MemorySegment seg, long pass, long salt, java.util.function.Consumer<MemorySegment> hook, Errors errors) {
        long half = seg.byteSize() / 16;
        long blocks = (half + BLOCK - 1) / BLOCK;
        long[] page = new long[BLOCK];
        for (int j = 0; j < BLOCK; j++) {
            page[j] = Mix.mix(salt + j);
        }
        long[] sum = new long[(int) blocks];
        long[] xor = new long[(int) blocks];
        for (long k = 0; k < blocks; k++) {
            long b = k * BLOCK;
            long end = Math.min(half, b + BLOCK);
            long key = Mix.mix(salt ^ b);
            long a = 0;
            long x = 0;
            for (long i = b; i < end; i++) {
                long v = page[(int) (i - b)] ^ key;
                seg.setAtIndex(W, i, v);
                a += v;
                x ^= v;
            }
            sum[(int) k] = a;
            xor[(int) k] = x;
        }
        long bad = 0;
        boolean srcInverted = false;
        for (int move = 0; move < COPY_PASSES; move++) {
            boolean fromLow = (move & 1) == 0;
            boolean inverting = move < 2; // out and back inverted, then plain copies (MemorySegment.copy)
            boolean dstInverted = srcInverted ^ inverting;
            long srcBase = fromLow ? 0 : half;
            long dstBase = fromLow ? half : 0;
            for (long k = 0; k < blocks; k++) {
                long b = k * BLOCK;
                long len = Math.min(half, b + BLOCK) - b;
                MemorySegment src = seg.asSlice((srcBase + b) * 8, len * 8);
                MemorySegment dst = seg.asSlice((dstBase + b) * 8, len * 8);
                if (inverting) {
                    for (long i = 0; i < len; i++) {
                        dst.setAtIndex(W, i, ~src.getAtIndex(W, i));
                    }
                } else {
                    MemorySegment.copy(src, 0, dst, 0, len * 8);
                }
                if (move == 0) {
                    hook.accept(dst);
                }
                long a = 0;
                long x = 0;
                for (long i = 0; i < len; i++) {
                    long v = dst.getAtIndex(W, i);
                    a += v;
                    x ^= v;
                }
                long wantA = dstInverted ? -sum[(int) k] - len : sum[(int) k];
                long wantX = dstInverted && (len & 1) == 1 ? ~xor[(int) k] : xor[(int) k];
                if (a != wantA || x != wantX) {
                    long key = Mix.mix(salt ^ b);
                    for (long i = 0; i < len; i++) {
                        long e = page[(int) i] ^ key;
                        long de = dstInverted ? ~e : e;
                        long d = dst.getAtIndex(W, i);
                        if (d != de) {
                            bad++;
                            errors.mismatch(dstInverted ? "copy-invert" : "copy", seg, dstBase + b + i, de, d);
                            dst.setAtIndex(W, i, de); // reported once: the next moves carry the right value on
                        }
                    }
                }
            }
            srcInverted = dstInverted;
        }
        return bad;
    }
}
