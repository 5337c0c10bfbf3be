package dev.kiln.suites.memory;

import dev.kiln.suites.memory.loops.LaneLoops;
import dev.kiln.suites.memory.loops.Lanes;
import dev.kiln.suites.memory.loops.MemShape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Every loop shape this machine can run, and the scalar loops. */
    static List<LaneLoops> everyShape() {
        List<LaneLoops> out = new ArrayList<>();
        out.add(Lanes.of(MemShape.SCALAR));
        for (MemShape m : MemShape.candidates(Lanes.maxBits())) {
            out.add(Lanes.of(m));
        }
        return out;
    }

    /**
     * Every word of a chunk, tail included, is compared: a flip anywhere is found at its word, by
     * every loop shape alike; a clean chunk is clean for every shape.
     */
    @Test
    void verifyFindsAFlipAtEveryPositionWithEveryShape() {
        assertTrue(Lanes.VECTOR, "the tests run with jdk.incubator.vector");
        List<LaneLoops> shapes = everyShape();
        assertTrue(shapes.size() >= 4, "the scalar loops and every unrolling of at least one vector width: " + shapes.size());
        try (Arena arena = Arena.ofConfined()) {
            long words = 10000; // not a multiple of the chunk or any vector width or step
            MemorySegment seg = arena.allocate(words * 8, 4096);
            for (LaneLoops l : shapes) {
                for (Pattern p : Pattern.values()) {
                    Passes.fill(l, p, seg, 3, 11);
                    for (long i = 0; i < words; i++) {
                        if (seg.getAtIndex(ValueLayout.JAVA_LONG, i) != p.value(i, 3, 11)) {
                            throw new AssertionError(l.shape().id() + " " + p.id + " fill: word " + i);
                        }
                    }
                    assertEquals(0, Passes.verify(l, p, seg, 3, 11, (x, s, w, e, r) -> { throw new AssertionError(l.shape().id() + " " + p.id + " clean: " + w); }));
                    for (long w : new long[] {0, 1, 7, 8, 9, 15, 16, 31, 32, 1023, 1024, 4095, 4096, 8191, 8192, 9983, 9984, 9999}) {
                        seg.setAtIndex(ValueLayout.JAVA_LONG, w, seg.getAtIndex(ValueLayout.JAVA_LONG, w) ^ (1L << 40));
                        long[] found = {-1};
                        assertEquals(1, Passes.verify(l, p, seg, 3, 11, (x, s, at, e, r) -> found[0] = at), l.shape().id() + " " + p.id + " word " + w);
                        assertEquals(w, found[0]);
                        seg.setAtIndex(ValueLayout.JAVA_LONG, w, seg.getAtIndex(ValueLayout.JAVA_LONG, w) ^ (1L << 40));
                    }
                }
                for (long value : new long[] {0L, -1L}) {
                    seg.fill(value == 0 ? (byte) 0 : (byte) -1);
                    assertEquals(0, Passes.verifyConstant(l, seg, value, "bit-fade", (x, s, w, e, r) -> { throw new AssertionError(l.shape().id() + " constant: " + w); }));
                    seg.setAtIndex(ValueLayout.JAVA_LONG, 9999, value ^ 1);
                    long[] found = {-1};
                    assertEquals(1, Passes.verifyConstant(l, seg, value, "bit-fade", (x, s, at, e, r) -> found[0] = at), l.shape().id());
                    assertEquals(9999, found[0]);
                }
            }
        }
    }

    /** Shapes are parsed strictly; one wider than this machine's vectors is refused, not run on the API's slow fallback. */
    @Test
    void shapesAreParsedStrictlyAndNeverWiderThanTheMachine() {
        assertEquals(new MemShape(512, 2), MemShape.of("512x2"));
        assertEquals(MemShape.SCALAR, MemShape.of(" 64x1 "));
        for (String bad : List.of("512x3", "512", "x2", "1024x1", "64x2", "abc", "256x", "")) {
            assertThrows(IllegalArgumentException.class, () -> MemShape.of(bad), bad);
        }
        assertEquals(new MemShape(512, 2), MemShape.forMachine(512));
        assertEquals(new MemShape(256, 4), MemShape.forMachine(256));
        assertEquals(new MemShape(128, 4), MemShape.forMachine(128), "NEON: four 128-bit vectors a step");
        assertEquals(MemShape.SCALAR, MemShape.forMachine(64));
        assertEquals(List.of(MemShape.SCALAR), MemShape.candidates(64));
        assertEquals(6, MemShape.candidates(256).size());
        if (Lanes.maxBits() < 512) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lanes.of(new MemShape(512, 1)));
            assertTrue(e.getMessage().contains("needs 512-bit vectors"), e.getMessage());
        }
        assertEquals(Lanes.of(new MemShape(256, 2)), Lanes.of(new MemShape(256, 2)), "one class per shape and JVM");
        assertEquals(new MemShape(256, 2), Lanes.of(new MemShape(256, 2)).shape());
    }

    /** A calibration times every candidate, fastest first, each having read back what it wrote. */
    @Test
    void calibrationTimesEveryShape() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4L << 20, 4096);
            Map<MemShape, Double> speed = Lanes.calibrate(seg, 2);
            assertEquals(new java.util.HashSet<>(MemShape.candidates(Lanes.maxBits())), speed.keySet());
            List<Double> v = List.copyOf(speed.values());
            for (int i = 0; i < v.size(); i++) {
                assertTrue(v.get(i) > 0, speed.toString());
                assertTrue(i == 0 || v.get(i) <= v.get(i - 1), "fastest first: " + speed);
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
                    Passes.fill(Lanes.forMachine(), p, seg, pass, 5);
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
