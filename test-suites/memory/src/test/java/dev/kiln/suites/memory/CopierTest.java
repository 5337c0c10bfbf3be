package dev.kiln.suites.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CopierTest {
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;

    record Miss(String pattern, MemorySegment seg, long word, long expected, long read) {
    }

    private static List<MemorySegment> segments(Arena arena, long... bytes) {
        List<MemorySegment> segs = new ArrayList<>();
        for (long b : bytes) {
            MemorySegment s = arena.allocate(b, 4096);
            s.fill((byte) 0x5A);
            segs.add(s);
        }
        return segs;
    }

    /** Whole blocks, a tail block, a segment smaller than one block, several segments: all come back clean, for odd and even move counts. */
    @Test
    void healthyMemoryRoundTripsCleanly() {
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> segs = segments(arena, 16L * Copier.BLOCK * 8 * 3 / 2 + 48, 4L << 20, 4096);
            for (int moves : new int[] {1, 2, 5, 16}) {
                List<Miss> misses = new ArrayList<>();
                Copier c = new Copier();
                long bad = c.run(segs, moves * 31L, moves, Copier.Hook.NONE, (p, s, w, e, r) -> misses.add(new Miss(p, s, w, e, r)));
                assertEquals(0, bad, misses.toString());
                assertTrue(misses.isEmpty());
                long half = segs.stream().mapToLong(s -> s.byteSize() / 16 * 8).sum();
                assertEquals(half * moves, c.copiedBytes());
            }
        }
    }

    /** The scalar and vector checksums agree on every length (tails included); the inverted checksum follows from the plain one. */
    @Test
    void checksumsAgreeAcrossImplementations() {
        SplittableRandom r = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(8L * 5000, 64);
            long[] page = new long[5000];
            for (int i = 0; i < page.length; i++) {
                page[i] = r.nextLong();
            }
            long key = r.nextLong();
            for (int len : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 1000, 4999}) {
                for (int i = 0; i < len; i++) {
                    seg.setAtIndex(W, i, page[i] ^ key);
                }
                long[] scalar = new long[2];
                long[] any = new long[2];
                long[] values = new long[2];
                Fletcher.scalar(seg, 0, len, scalar);
                Fletcher.of(seg, 0, len, any);
                Fletcher.ofValues(page, key, len, values);
                assertArrayEquals(scalar, any, "len " + len);
                assertArrayEquals(scalar, values, "len " + len);
                for (int i = 0; i < len; i++) {
                    seg.setAtIndex(W, i, ~seg.getAtIndex(W, i));
                }
                long[] inv = new long[2];
                Fletcher.scalar(seg, 0, len, inv);
                long[] derived = new long[2];
                Fletcher.inverted(scalar, len, derived);
                assertArrayEquals(inv, derived, "inverted, len " + len);
            }
            assertTrue(Fletcher.VECTOR, "the tests run with jdk.incubator.vector (surefire's argLine), so both paths are compared");
        }
    }

    /**
     * Every vector width gives the scalar numbers, at any word of a segment (not only its first):
     * the 128-bit path (NEON on Apple cores) once read three of its four vectors from the segment's
     * start instead of the block's.
     */
    @Test
    void everyVectorWidthChecksumsTheBlockItIsGiven() {
        SplittableRandom r = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(8L * 6000, 64);
            for (int i = 0; i < 6000; i++) {
                seg.setAtIndex(W, i, r.nextLong());
            }
            for (int bits : new int[] {128, 256, 512}) {
                for (long at : new long[] {0, 3, 8, 1000}) {
                    for (int len : new int[] {0, 1, 9, 64, 4999}) {
                        long[] scalar = new long[2];
                        long[] vector = new long[2];
                        Fletcher.scalar(seg, at, len, scalar);
                        VectorFletcher.of(bits, seg, at, len, vector);
                        assertArrayEquals(scalar, vector, bits + "-bit, at " + at + ", len " + len);
                    }
                }
            }
        }
    }

    /** A bit flipped in one word and the same bit flipped back in another: the sum cancels, the running sum does not. */
    @Test
    void oppositeFlipsOfOneBitInOneBlockAreCaught() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(8L * 64, 64);
            for (int i = 0; i < 64; i++) {
                seg.setAtIndex(W, i, i % 2 == 0 ? 0L : 1L << 20);
            }
            long[] before = new long[2];
            Fletcher.of(seg, 0, 64, before);
            seg.setAtIndex(W, 10, 1L << 20); // 0 -> 1
            seg.setAtIndex(W, 41, 0L); // 1 -> 0
            long[] after = new long[2];
            Fletcher.of(seg, 0, 64, after);
            assertEquals(before[0], after[0], "the plain sum cannot see it");
            assertNotEquals(before[1], after[1]);
        }
    }

    /** A flip after the last copy is found by the final check, at its exact word and bit, and repaired. */
    @Test
    void flipAfterTheLastMoveIsFoundByTheFinalCheck() {
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> segs = segments(arena, 2L << 20);
            MemorySegment seg = segs.get(0);
            int moves = 4;
            long[] flipped = {-1};
            List<Miss> misses = new ArrayList<>();
            long bad = new Copier().run(segs, 5, moves, (move, s, word, len) -> {
                if (move == moves - 1 && flipped[0] < 0) {
                    flipped[0] = word + 1234;
                    s.setAtIndex(W, flipped[0], s.getAtIndex(W, flipped[0]) ^ (1L << 62));
                }
            }, (p, s, w, e, r) -> misses.add(new Miss(p, s, w, e, r)));
            assertEquals(1, bad);
            Miss m = misses.get(0);
            assertEquals("copy-invert", m.pattern());
            assertEquals(flipped[0], m.word());
            assertEquals(1L << 62, m.expected() ^ m.read());
            assertEquals(m.expected(), seg.getAtIndex(W, m.word()), "repaired");
        }
    }

    /**
     * A copy that never lands (the destination keeps what it held before) is caught when the block
     * is next read: each move sends a block to another position, so what was there before is
     * another block's data, with another checksum. For every strategy, in the region the suite
     * gives its block size (three blocks a half at least: {@link Round#copyRegions}).
     */
    @Test
    void aWriteThatNeverLandsIsCaughtWithEveryStrategy() {
        for (Mover m : Mover.copies(4L << 20)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment whole = arena.allocate(24L << 20, 4096);
                whole.fill((byte) 0x5A);
                List<MemorySegment> cut = new ArrayList<>();
                for (long at = 0; at < whole.byteSize(); at += 4L << 20) {
                    cut.add(whole.asSlice(at, 4L << 20));
                }
                List<MemorySegment> regions = Round.copyRegions(cut, whole, m.blockBytes());
                assertTrue(regions.get(0).byteSize() / 2 >= 3 * m.blockBytes(), m.name() + ": three blocks a half");
                droppedWriteCaught(new Copier(m, true), List.of(regions.get(0)), m.blockWords(), m.name());
            }
        }
    }

    private static void droppedWriteCaught(Copier copier, List<MemorySegment> segs, int block, String what) {
        Map<Long, long[]> before = new HashMap<>();
        long[] dropped = {-1};
        List<Miss> misses = new ArrayList<>();
        long bad = copier.run(segs, 9, 6, (move, s, word, len) -> {
            if (move == 0) { // what the high half holds after move 0; the inversion then inverts it in place
                long[] copy = new long[len];
                MemorySegment.copy(s, W, word * 8, copy, 0, len);
                before.put(word, copy);
            }
            if (move == 2 && dropped[0] < 0) {
                // move 2 writes the high half again: this block's write is lost, the position keeps
                // what it held before, move 0's data inverted
                long[] old = before.get(word);
                for (int i = 0; i < len; i++) {
                    s.setAtIndex(W, word + i, ~old[i]);
                }
                dropped[0] = word;
            }
        }, (p, s, w, e, r) -> misses.add(new Miss(p, s, w, e, r)));
        assertTrue(dropped[0] >= 0, what);
        assertTrue(bad > block / 2, what + ": most words of the stale block differ: " + bad);
        assertFalse(misses.isEmpty());
        for (Miss m : misses) {
            assertTrue(m.word() >= dropped[0] && m.word() < dropped[0] + block, what + ": inside the stale block: " + m.word());
        }
    }

    /**
     * Every copy strategy this machine offers (issue 34) leaves the same bytes as every other of its
     * block size (memcpy, the JDK's copy and the fused loop alike), its final check finds nothing, and it
     * catches a planted flip in a block's source (made before the copy reads it: the move's check
     * finds it) and in its destination (made after the copy wrote it: the next read finds it), each
     * at its exact word and bit, repaired.
     */
    @Test
    void everyStrategyGivesTheSameBytesAndCatchesFlipsInSourceAndDestination() {
        List<Mover> offered = Mover.copies(8L << 20);
        assertTrue(offered.size() >= 5, "memcpy, segment and fused strategies here: " + offered);
        Map<Long, long[]> reference = new HashMap<>(); // per block size: the blocks and their rotation depend on it
        Map<Long, String> referenceName = new HashMap<>();
        for (Mover m : offered) {
            try (Arena arena = Arena.ofConfined()) {
                List<MemorySegment> segs = segments(arena, 8L << 20, (1L << 20) + 4096);
                Copier c = new Copier(m, true);
                List<Miss> misses = new ArrayList<>();
                assertEquals(0, c.run(segs, 77, 3, Copier.Hook.NONE, (p, s, w, e, r) -> misses.add(new Miss(p, s, w, e, r))), m + ": " + misses);
                long[] bytes = new long[(int) ((9L << 20) / 8 + 512)];
                int at = 0;
                for (MemorySegment s : segs) {
                    long n = s.byteSize() / 8;
                    MemorySegment.copy(s, W, 0, bytes, at, (int) n);
                    at += (int) n;
                }
                long[] ref = reference.putIfAbsent(m.blockBytes(), bytes);
                referenceName.putIfAbsent(m.blockBytes(), m.name());
                if (ref != null) {
                    assertArrayEquals(ref, bytes, m.name() + " leaves other bytes than " + referenceName.get(m.blockBytes()));
                }
            }
            for (boolean inSource : new boolean[] {true, false}) {
                try (Arena arena = Arena.ofConfined()) {
                    List<MemorySegment> segs = segments(arena, 8L << 20);
                    MemorySegment seg = segs.get(0);
                    long half = seg.byteSize() / 16;
                    long[] flipped = {-1};
                    List<Miss> misses = new ArrayList<>();
                    long bad = new Copier(m, true).run(segs, 13, 3, (move, s, word, len) -> {
                        if (move == 1 && flipped[0] < 0) {
                            // move 1 copies from the high half to the low one
                            long w;
                            if (inSource) { // the source of the next block this move copies (position 1 of the high half): not read yet
                                if (half / m.blockWords() < 2) {
                                    return; // one block a half: none is still to be read
                                }
                                w = half + m.blockWords() + 100;
                            } else {
                                w = word + len / 3; // in the block just written
                            }
                            flipped[0] = w;
                            s.setAtIndex(W, w, s.getAtIndex(W, w) ^ (1L << 29));
                        }
                    }, (p, s, w, e, r) -> misses.add(new Miss(p, s, w, e, r)));
                    if (flipped[0] < 0) {
                        assertTrue(inSource && half / m.blockWords() < 2, m.name());
                        continue; // a strategy whose block is the whole half has no block still to be read
                    }
                    String what = m.name() + (inSource ? ", source" : ", destination");
                    assertEquals(1, bad, what + ": " + misses);
                    assertEquals(flipped[0], misses.get(0).word(), what);
                    assertEquals(1L << 29, misses.get(0).expected() ^ misses.get(0).read(), what);
                    // exactly one: the word was put right where it was found and in its copy, so no later check met it again
                }
            }
        }
    }

    /** The fused loop's copy and checksum agree with a plain copy and the scalar checksum, at every vector width and length. */
    @Test
    void theFusedLoopCopiesAndChecksumsLikeThePlainOnes() {
        SplittableRandom r = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(8L * 5000, 64);
            for (int i = 0; i < 5000; i++) {
                src.setAtIndex(W, i, r.nextLong());
            }
            for (int bits : new int[] {0, 128, 256, 512}) {
                for (int len : new int[] {1, 8, 9, 64, 4999}) {
                    MemorySegment dst = arena.allocate(8L * len, 64);
                    long[] fused = new long[2];
                    long[] scalar = new long[2];
                    VectorFletcher.copy(bits, src.asSlice(0, 8L * len), dst, fused);
                    Fletcher.scalar(src, 0, len, scalar);
                    assertArrayEquals(scalar, fused, bits + "-bit, len " + len);
                    assertEquals(-1, src.asSlice(0, 8L * len).mismatch(dst), bits + "-bit, len " + len + ": the same bytes");
                }
            }
        }
    }
}
