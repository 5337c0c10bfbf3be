package dev.kiln.suites.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * stressapptest-style checksummed copies over one worker's segments. Seeded pattern blocks are
 * written into the low half of every segment, with the checksums of the values written (taken from
 * the values, not read back). Then the blocks move between the halves: a copy, an in-place
 * inversion of the copy (read, checked, written back inverted), and further copies back and forth;
 * every block moved is checksummed as its source is read, and compared with the checksum it must
 * have. Last, every block is checksummed where it ended up. A block whose checksum differs is
 * compared word by word to find the words that are wrong; each is reported once and repaired, so
 * later moves carry the right value on.
 *
 * <p>Each move sweeps all the worker's segments before the next starts, so the working set is the
 * worker's whole share of memory, not a cache-sized segment. How a block is moved is this copier's
 * {@link Mover}, chosen per machine (issue 34): the C library's {@code memcpy} or the JDK's
 * {@link MemorySegment#copy} in blocks of a chosen size (the size decides, on x86-64, between
 * non-temporal and plain stores), the source checksummed right after its copy, from cache; or a
 * Vector API loop that checksums each vector as it moves it, reading the source once.
 *
 * <p>The checksum is a sum and a running sum of sums (Fletcher's construction, four lanes of 64-bit
 * words): a flipped bit changes the sum; words swapped or moved within a block change the second.
 */
final class Copier {
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;
    /** The block of a copy before strategies were chosen, in words (256 KiB), and the fill source's default. */
    static final int BLOCK = 32768;

    private final Mover mover;
    /** This copier's block, in words. */
    private final int block;
    private final long[] page;
    private final long[] sums = new long[2];
    private long copyNanos;
    private long copiedBytes;
    /** False only in the benchmark, to measure what checking the moves costs: the suite always checks. */
    private final boolean checkMoves;

    /** A copier moving 256 KiB blocks with {@code memcpy} (the strategy before issue 34; the tests' default). */
    Copier() {
        this(Mover.MEMCPY_256K, true);
    }

    /** {@code checkMoves} false: the moves' sources are not checksummed (the benchmark's reference; the final check still runs). */
    Copier(Mover mover, boolean checkMoves) {
        if (mover.kind() == Mover.Kind.STORES) {
            throw new IllegalArgumentException(mover.name() + " is not a copy strategy");
        }
        this.mover = mover;
        this.block = mover.blockWords();
        this.page = new long[block];
        this.checkMoves = checkMoves;
    }

    Mover mover() {
        return mover;
    }

    /** How this copier's copies are made and checked here, for the suite's log. */
    String engine() {
        return mover.name() + ": " + mover.describe() + "; checksums "
                + (Fletcher.VECTOR ? VectorFletcher.bits() + "-bit vectors" : "scalar (no jdk.incubator.vector)");
    }

    /** The word where the first copy's first destination block starts, in a segment of {@code words} words, with blocks of {@code block} words. */
    static long firstDestination(long words, int block) {
        Layout l = new Layout(words / 2, (int) (words / 2 / block), (int) (words / 2 % block), block);
        return l.base(1) + (long) l.next(0) * block;
    }

    /** The word the fault seam flips: a third into the first block copied. */
    static long faultWord(long words, int block) {
        return firstDestination(words, block) + Math.min(block, words / 2) / 3;
    }

    /** Nanoseconds spent in copies (the moves alone), since this copier was made. */
    long copyNanos() {
        return copyNanos;
    }

    /** Bytes copied by the moves, since this copier was made. */
    long copiedBytes() {
        return copiedBytes;
    }

    /** The fault-injection seam: called after each block is copied, before anything reads it. */
    interface Hook {
        Hook NONE = (move, seg, word, len) -> { };

        void copied(int move, MemorySegment seg, long word, int len);
    }

    /** Where the blocks of one segment's half lie: full blocks rotate by one position each move, a shorter tail block stays put. */
    private record Layout(long half, int full, int tail, int block) {
        static Layout of(MemorySegment seg, int block) {
            long half = seg.byteSize() / 16;
            return new Layout(half, (int) (half / block), (int) (half % block), block);
        }

        int blocks() {
            return full + (tail > 0 ? 1 : 0);
        }

        int length(int k) {
            return k < full ? block : tail;
        }

        /** The block at position {@code q} after {@code moves} moves. */
        int blockAt(int q, int moves) {
            return q < full ? Math.floorMod(q - moves, full) : q;
        }

        /** The position a move sends the block at position {@code q} to. */
        int next(int q) {
            return q < full ? (q + 1) % full : q;
        }

        /** The half where the blocks are after {@code moves} moves: 0 (low) or {@link #half} (high). */
        long base(int moves) {
            return (moves & 1) == 1 ? half : 0;
        }
    }

    /**
     * One round over the segments: write, {@code moves} copies (the first followed by the in-place
     * inversion), final check. Every copy sends a block to the next position in the other half, so
     * a destination never already holds the block it receives: a write that never lands leaves
     * another block's data there, which its checksum gives away. Returns the words found wrong.
     *
     * @param hook called with each block copied, before anything reads it (the fault-injection seam)
     */
    long run(List<MemorySegment> segs, long salt, int moves, Hook hook, Passes.Errors errors) {
        for (int j = 0; j < block; j++) {
            page[j] = Mix.mix(salt + j);
        }
        int n = segs.size();
        Layout[] lay = new Layout[n];
        long[][] want = new long[n][]; // per block: plain sum, plain running sum, inverted sum, inverted running sum
        for (int s = 0; s < n; s++) {
            MemorySegment seg = segs.get(s);
            lay[s] = Layout.of(seg, block);
            want[s] = new long[lay[s].blocks() * 4];
            for (int k = 0; k < lay[s].blocks(); k++) {
                write(seg, (long) k * block, lay[s].length(k), key(salt, s, k), want[s], k * 4);
            }
        }
        long bad = 0;
        boolean inverted = false;
        for (int move = 0; move < moves; move++) {
            long t0 = System.nanoTime();
            long bytes = 0;
            for (int s = 0; s < n; s++) {
                MemorySegment seg = segs.get(s);
                Layout l = lay[s];
                for (int q = 0; q < l.blocks(); q++) {
                    int k = l.blockAt(q, move);
                    int len = l.length(k);
                    long from = l.base(move) + (long) q * block;
                    long to = l.base(move + 1) + (long) l.next(q) * block;
                    MemorySegment src = seg.asSlice(from * 8, len * 8L);
                    MemorySegment dst = seg.asSlice(to * 8, len * 8L);
                    if (mover.kind() == Mover.Kind.FUSED) {
                        // the source's checksum taken as each vector is moved
                        VectorFletcher.copy(src, dst, checkMoves ? sums : null);
                    } else {
                        mover.copy(dst, src);
                    }
                    hook.copied(move, seg, to, len);
                    // the source as the copy read it (from cache, or summed in the move); a wrong word is put right in both places
                    if (checkMoves) {
                        if (mover.kind() != Mover.Kind.FUSED) {
                            Fletcher.of(seg, from, len, sums);
                        }
                        bad += compare(seg, from, to, len, want[s], k, inverted, key(salt, s, k), errors);
                    }
                    bytes += len * 8L;
                }
            }
            copyNanos += System.nanoTime() - t0;
            copiedBytes += bytes;
            if (move == 0) {
                bad += invert(segs, lay, salt, want, errors);
                inverted = true;
            }
        }
        // the final check, where every block ended up
        for (int s = 0; s < n; s++) {
            MemorySegment seg = segs.get(s);
            Layout l = lay[s];
            for (int q = 0; q < l.blocks(); q++) {
                int k = l.blockAt(q, moves);
                int len = l.length(k);
                bad += check(seg, l.base(moves) + (long) q * block, -1, len, want[s], k, inverted, key(salt, s, k), errors);
            }
        }
        return bad;
    }

    private static long key(long salt, int segment, int block) {
        return Mix.mix(salt ^ Mix.mix(segment) ^ block);
    }

    /** Writes one block of the pattern and records the checksums of the values (not read back), plain and inverted. */
    private void write(MemorySegment seg, long at, int len, long key, long[] want, int w) {
        for (int i = 0; i < len; i++) {
            seg.setAtIndex(W, at + i, page[i] ^ key);
        }
        Fletcher.ofValues(page, key, len, sums);
        want[w] = sums[0];
        want[w + 1] = sums[1];
        Fletcher.inverted(sums, len, sums);
        want[w + 2] = sums[0];
        want[w + 3] = sums[1];
    }

    /**
     * The in-place inversion, after the first copy: each block of the high halves is read (into
     * cache) and checked against the plain checksum, then written back inverted.
     */
    private long invert(List<MemorySegment> segs, Layout[] lay, long salt, long[][] want, Passes.Errors errors) {
        long bad = 0;
        for (int s = 0; s < segs.size(); s++) {
            MemorySegment seg = segs.get(s);
            Layout l = lay[s];
            for (int q = 0; q < l.blocks(); q++) {
                int k = l.blockAt(q, 1);
                int len = l.length(k);
                long at = l.base(1) + (long) q * block;
                bad += check(seg, at, -1, len, want[s], k, false, key(salt, s, k), errors); // read into cache and checked,
                flip(seg, at, len); // then inverted there
            }
        }
        return bad;
    }

    /**
     * Checksums block {@code k} (at word {@code at}) against what it must be, plain or inverted; on a
     * difference finds, reports and repairs the wrong words (in {@code copy} too, if >= 0).
     */
    private long check(MemorySegment seg, long at, long copy, int len, long[] want, int k, boolean inverted, long key, Passes.Errors errors) {
        Fletcher.of(seg, at, len, sums);
        return compare(seg, at, copy, len, want, k, inverted, key, errors);
    }

    /** {@link #check} with the block's checksum already in {@code sums}. */
    private long compare(MemorySegment seg, long at, long copy, int len, long[] want, int k, boolean inverted, long key, Passes.Errors errors) {
        int w = k * 4 + (inverted ? 2 : 0);
        if (sums[0] == want[w] && sums[1] == want[w + 1]) {
            return 0;
        }
        return locate(seg, at, copy, len, key, inverted, errors);
    }

    private static void flip(MemorySegment seg, long at, int len) {
        for (int i = 0; i < len; i++) {
            seg.setAtIndex(W, at + i, ~seg.getAtIndex(W, at + i));
        }
    }

    /** Compares a block word by word with what it must hold; reports and repairs each wrong word (and its copy at {@code copy}, if any). */
    private long locate(MemorySegment seg, long at, long copy, int len, long key, boolean inverted, Passes.Errors errors) {
        long bad = 0;
        for (int i = 0; i < len; i++) {
            long e = page[i] ^ key;
            if (inverted) {
                e = ~e;
            }
            long v = seg.getAtIndex(W, at + i);
            if (v != e) {
                bad++;
                errors.mismatch(inverted ? "copy-invert" : "copy", seg, at + i, e, v);
                seg.setAtIndex(W, at + i, e);
                if (copy >= 0) {
                    seg.setAtIndex(W, copy + i, e);
                }
            }
        }
        return bad;
    }
}
