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

    /**
     * stressapptest-style copy: seeded pages in the first half are copied (inverted on odd passes)
     * into the second half by a thread that checksums what it moves (a sum and an XOR of the words:
     * any single flipped bit changes both, and neither chains one word to the next, so the loops
     * vectorise); the copy's checksum must match the source's, and a compare of the block locates
     * any difference to the word.
     *
     * @param hook called with a block's destination after it was copied and before it is checked
     */
    static long copy(MemorySegment seg, long pass, long salt, java.util.function.Consumer<MemorySegment> hook, Errors errors) {
        long half = seg.byteSize() / 16;
        MemorySegment src = seg.asSlice(0, half * 8);
        MemorySegment dst = seg.asSlice(half * 8, half * 8);
        boolean invert = (pass & 1) == 1;
        long bad = 0;
        // One seeded pattern page, keyed differently for every block: cheap to write, and every
        // word's expected value can be recomputed (stressapptest's pattern pages, seeded).
        long[] page = new long[BLOCK];
        for (int j = 0; j < BLOCK; j++) {
            page[j] = Mix.mix(salt + j);
        }
        for (long b = 0; b < half; b += BLOCK) {
            long end = Math.min(half, b + BLOCK);
            long key = Mix.mix(salt ^ b);
            long sumA = 0;
            long sumB = 0;
            for (long i = b; i < end; i++) {
                long v = page[(int) (i - b)] ^ key;
                src.setAtIndex(W, i, v);
                sumA += v;
                sumB ^= v;
            }
            long copyA = 0;
            long copyB = 0;
            for (long i = b; i < end; i++) {
                long v = src.getAtIndex(W, i);
                copyA += v;
                copyB ^= v;
                dst.setAtIndex(W, i, invert ? ~v : v);
            }
            hook.accept(dst.asSlice(b * 8, (end - b) * 8));
            long backA = 0;
            long backB = 0;
            for (long i = b; i < end; i++) {
                long v = dst.getAtIndex(W, i);
                long u = invert ? ~v : v;
                backA += u;
                backB ^= u;
            }
            if (copyA != sumA || copyB != sumB || backA != sumA || backB != sumB) {
                // the checksum caught it: find the words
                for (long i = b; i < end; i++) {
                    long e = page[(int) (i - b)] ^ key;
                    long s = src.getAtIndex(W, i);
                    if (s != e) {
                        bad++;
                        errors.mismatch("copy-source", seg, i, e, s);
                    }
                    long d = dst.getAtIndex(W, i);
                    long de = invert ? ~e : e;
                    if (d != de) {
                        bad++;
                        errors.mismatch(invert ? "copy-invert" : "copy", seg, half + i, de, d);
                    }
                }
            }
        }
        return bad;
    }
}
