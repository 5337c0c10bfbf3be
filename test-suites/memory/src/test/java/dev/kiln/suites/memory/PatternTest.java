package dev.kiln.suites.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class PatternTest {
    /** A pattern's period is right on every pass (so replicating and comparing blocks of it is), and a pattern said not to repeat does not. */
    @Test
    void periodsAreRight() {
        for (Pattern p : Pattern.values()) {
            int period = p.periodic ? p.period : 64;
            assertEquals(0, 64 % period, p.id + ": a period divides 64 (so the chunk, the block and any vector width)");
            boolean repeats = true;
            for (long pass = 0; pass < 600 && repeats; pass++) {
                for (long i = 0; i < 256; i++) {
                    repeats &= p.value(i, pass, 99) == p.value(i + period, pass, 99) && p.value(i, pass, 99) == p.value(i + Copier.BLOCK, pass, 99);
                }
            }
            assertEquals(p.periodic, repeats, p.id);
        }
    }

    /** Every word of a chunk, tail included, is compared: a flip anywhere is found, by the vector and the scalar loops alike. */
    @Test
    void verifyFindsAFlipAtEveryPosition() {
        assertTrue(VectorPasses.PRESENT, "the tests run with jdk.incubator.vector");
        try (Arena arena = Arena.ofConfined()) {
            long words = 10000; // not a multiple of the chunk or any vector width
            MemorySegment seg = arena.allocate(words * 8, 4096);
            for (Pattern p : Pattern.values()) {
                Passes.fill(p, seg, 3, 11);
                for (long at = 0; at < words; at += Passes.CHUNK) {
                    long[] c = new long[Passes.CHUNK];
                    for (int j = 0; j < Passes.CHUNK; j++) {
                        c[j] = p.value(j, 3, 11);
                    }
                    assertFalse(Passes.scalarDiffers(p, seg, at, (int) Math.min(Passes.CHUNK, words - at), p.periodic ? c : null, 11), p.id + " scalar clean");
                }
                assertEquals(0, Passes.verify(p, seg, 3, 11, (x, s, w, e, r) -> { throw new AssertionError(p.id + " clean: " + w); }));
                for (long w : new long[] {0, 1, 7, 8, 1023, 1024, 4095, 4096, 8191, 8192, 9999}) {
                    seg.setAtIndex(ValueLayout.JAVA_LONG, w, seg.getAtIndex(ValueLayout.JAVA_LONG, w) ^ (1L << 40));
                    long chunkStart = w / Passes.CHUNK * Passes.CHUNK;
                    int len = (int) Math.min(Passes.CHUNK, words - chunkStart);
                    long[] c = new long[Passes.CHUNK];
                    for (int j = 0; j < Passes.CHUNK; j++) {
                        c[j] = p.value(j, 3, 11);
                    }
                    assertTrue(Passes.scalarDiffers(p, seg, chunkStart, len, p.periodic ? c : null, 11), p.id + " scalar, word " + w);
                    long[] found = {-1};
                    assertEquals(1, Passes.verify(p, seg, 3, 11, (x, s, at, e, r) -> found[0] = at), p.id + " word " + w);
                    assertEquals(w, found[0]);
                    seg.setAtIndex(ValueLayout.JAVA_LONG, w, seg.getAtIndex(ValueLayout.JAVA_LONG, w) ^ (1L << 40));
                }
            }
        }
    }

    /** The replicated fill leaves every word as the word-by-word loop would, tail included. */
    @Test
    void replicatedFillWritesEveryWord() {
        assertTrue(Native.hasMemcpy(), "the C library's memcpy is reachable here");
        try (Arena arena = Arena.ofConfined()) {
            long words = 3L * Copier.BLOCK + 123;
            MemorySegment seg = arena.allocate(words * 8, 4096);
            for (Pattern p : Pattern.values()) {
                for (long pass : new long[] {0, 1, 77, 300}) {
                    seg.fill((byte) 0x3C);
                    Passes.fill(p, seg, pass, 5);
                    for (long i = 0; i < words; i++) {
                        if (seg.getAtIndex(ValueLayout.JAVA_LONG, i) != p.value(i, pass, 5)) {
                            throw new AssertionError(p.id + " pass " + pass + ": word " + i);
                        }
                    }
                }
            }
        }
    }
}
