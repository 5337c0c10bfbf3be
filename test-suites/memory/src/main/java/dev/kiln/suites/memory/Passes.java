package dev.kiln.suites.memory;

import dev.kiln.suites.memory.loops.LaneLoops;
import dev.kiln.suites.memory.loops.Lanes;
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

    /** A pure pattern: fill, then verify, with the loops {@code l}. Returns the mismatches found. */
    static long pattern(LaneLoops l, Pattern p, MemorySegment seg, long pass, long salt, Runnable hook, Errors errors) {
        fill(l, p, seg, pass, salt);
        hook.run();
        return verify(l, p, seg, pass, salt, errors);
    }

    /** Words compared branch-free before any is looked at one by one; a multiple of every periodic pattern's period (64). */
    static final int CHUNK = dev.kiln.suites.memory.loops.Lanes.CHUNK;

    /** One chunk of a periodic pattern: word {@code i} of the segment must hold {@code chunk[i % CHUNK]}. */
    private static long[] chunk(Pattern p, long pass, long salt) {
        long[] c = new long[CHUNK];
        for (int i = 0; i < CHUNK; i++) {
            c[i] = p.value(i, pass, salt);
        }
        return c;
    }

    /**
     * Writes the pattern. The loops are per pattern, never through {@link Pattern#value} (ten
     * patterns through one call site would stop the JIT inlining it). A periodic pattern is written
     * into the first block, which is then replicated over the rest with {@code memcpy}: from cache,
     * with non-temporal stores where the C library uses them, so the memory sees only the writes (a
     * plain store first reads the line in). The computed patterns are stored by {@code l}'s loops,
     * with plain stores: Java has no non-temporal store.
     */
    static void fill(LaneLoops l, Pattern p, MemorySegment seg, long pass, long salt) {
        long n = seg.byteSize() / 8;
        if (p.periodic) {
            long[] c = chunk(p, pass, salt);
            long first = Math.min(n, Copier.BLOCK);
            for (long at = 0; at < first; at += CHUNK) {
                MemorySegment.copy(c, 0, seg, W, at * 8, (int) Math.min(CHUNK, first - at));
            }
            MemorySegment block = seg.asSlice(0, first * 8);
            for (long at = first; at < n; at += first) {
                long len = Math.min(first, n - at) * 8;
                Native.memcpy(seg.asSlice(at * 8, len), block, len);
            }
            return;
        }
        switch (p) {
            case ADDRESS, SEQUENTIAL_INCREMENT -> l.fillIndexed(seg, n, salt, p == Pattern.ADDRESS);
            case RANDOM -> {
                for (long i = 0; i < n; i++) {
                    seg.setAtIndex(W, i, Mix.mix(salt + i));
                }
            }
            default -> throw new IllegalStateException("no fill loop for " + p);
        }
    }

    /**
     * Writes a periodic pattern with the fill strategy {@code m}: replicated from {@code source} (a
     * block already holding it, {@link #source}) with {@code m}'s mechanism, or for {@code stores}
     * stored chunk by chunk from the pattern's values (plain stores; {@code source} unused).
     */
    static void fill(Mover m, Pattern p, MemorySegment seg, MemorySegment source, long pass, long salt) {
        if (!p.periodic) {
            throw new IllegalArgumentException(p + " does not repeat");
        }
        if (m.kind() == Mover.Kind.STORES) {
            long[] c = chunk(p, pass, salt);
            long n = seg.byteSize() / 8;
            for (long at = 0; at < n; at += CHUNK) {
                MemorySegment.copy(c, 0, seg, W, at * 8, (int) Math.min(CHUNK, n - at));
            }
            return;
        }
        long bytes = seg.byteSize();
        long block = source.byteSize();
        for (long at = 0; at < bytes; at += block) {
            long len = Math.min(block, bytes - at);
            m.copy(seg.asSlice(at, len), source.asSlice(0, len));
        }
    }

    /** Fills {@code source} (a block) with the periodic pattern {@code p} of this pass. */
    static void source(Pattern p, MemorySegment source, long pass, long salt) {
        long[] c = chunk(p, pass, salt);
        long n = source.byteSize() / 8;
        for (long at = 0; at < n; at += CHUNK) {
            MemorySegment.copy(c, 0, source, W, at * 8, (int) Math.min(CHUNK, n - at));
        }
    }

    /** Every word must hold {@code value}; each one that does not goes to {@code errors} as {@code family}'s. */
    static long verifyConstant(LaneLoops l, MemorySegment seg, long value, String family, Errors errors) {
        long n = seg.byteSize() / 8;
        long[] c = new long[CHUNK];
        java.util.Arrays.fill(c, value);
        long bad = 0;
        for (long at = 0; at < n; at += CHUNK) {
            int len = (int) Math.min(CHUNK, n - at);
            if (l.differs(seg, at, len, c, 1)) {
                for (long i = at; i < at + len; i++) {
                    long v = seg.getAtIndex(W, i);
                    if (v != value) {
                        bad++;
                        errors.mismatch(family, seg, i, value, v);
                    }
                }
            }
        }
        return bad;
    }

    /** What a comparison family left: both halves hold the operation's results, each word checked against the value recomputed. */
    static long verifyCompared(Op op, MemorySegment seg, long salt, Errors errors) {
        long half = seg.byteSize() / 16;
        long q = Mix.mix(salt ^ 0x5DEECE66DL);
        long bad = 0;
        for (long i = 0; i < half; i++) {
            long e = op.apply(Mix.mix(salt + i), q);
            long a = seg.getAtIndex(W, i);
            long b = seg.getAtIndex(W, half + i);
            if (a != e) {
                bad++;
                errors.mismatch(op.id(), seg, i, e, a);
            }
            if (b != e) {
                bad++;
                errors.mismatch(op.id(), seg, half + i, e, b);
            }
        }
        return bad;
    }

    /** Every word must hold pattern {@code p} of this pass; each one that does not goes to {@code errors}. Compared a chunk at a time by {@code l}'s loops. */
    static long verify(LaneLoops l, Pattern p, MemorySegment seg, long pass, long salt, Errors errors) {
        long n = seg.byteSize() / 8;
        long[] c = p.periodic ? chunk(p, pass, salt) : null;
        long bad = 0;
        for (long at = 0; at < n; at += CHUNK) {
            int len = (int) Math.min(CHUNK, n - at);
            boolean differs = c != null ? l.differs(seg, at, len, c, p.period)
                    : p == Pattern.RANDOM ? randomDiffers(seg, at, len, salt)
                    : l.differsIndexed(seg, at, len, salt, p == Pattern.ADDRESS);
            if (differs) {
                for (long i = at; i < at + len; i++) {
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

    /** The random pattern's values are not a vector computation: compared word by word. */
    private static boolean randomDiffers(MemorySegment seg, long at, int len, long salt) {
        long diff = 0;
        for (int j = 0; j < len; j++) {
            diff |= seg.getAtIndex(W, at + j) ^ Mix.mix(salt + at + j);
        }
        return diff != 0;
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
}
