package dev.kiln.suites.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Parameters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The copy and fill strategies (issue 34): what is offered, how one is chosen, and that every fill writes its pattern. */
class MoverTest {
    /** The first processor of a /proc/cpuinfo captured on this AMD guest (trimmed), and one of an arm64 Linux (no vendor_id). */
    static final String AMD = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: AMD EPYC 9R14 96-Core Processor
            stepping\t: 1

            processor\t: 1
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 207
            """;
    static final String ARM = """
            processor\t: 0
            BogoMIPS\t: 48.00
            Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32
            CPU implementer\t: 0x61
            CPU part\t: 0x000
            """;

    @Test
    void theCpuKeyIsTheFirstProcessorsVendorFamilyAndModel() {
        assertEquals("AuthenticAMD family 25 model 17", MoverChoice.cpuKey(AMD));
        assertNull(MoverChoice.cpuKey(ARM), "no vendor, family or model: no key, so auto times the strategies");
        assertNull(MoverChoice.cpuKey(""));
        // macOS: machdep.cpu.brand_string as the shared captures print it (shared/fixtures/macos/sysctl-hw-machdep-m4max-j614c-macos15.txt,
        // sysctl-hw-machdep-m2-j413-macos12.txt, and the others' "Apple M1 Pro", "Apple M3 Max", "Apple M5"); a virtual M1 (the
        // GitHub runner's sysctl-subset-m1virtual-githubrunner-macos26.6.2.txt) and "Apple processor" name no chip to look up
        for (String chip : List.of("Apple M4 Max", "Apple M2", "Apple M1 Pro", "Apple M3 Max", "Apple M5")) {
            assertEquals(chip, MoverChoice.brandKey(chip + "\n"));
        }
        assertNull(MoverChoice.brandKey("Apple M1 (Virtual)\n"));
        assertNull(MoverChoice.brandKey("Apple processor\n"));
        assertEquals("Apple M2 Ultra", MoverChoice.brandKey("Apple M2 Ultra"));
        assertNull(MoverChoice.brandKey("Intel(R) Core(TM) i9-9980HK CPU @ 2.40GHz\n"), "an Intel Mac: not a chip of the table's kind");
        assertNull(MoverChoice.brandKey("sysctl: unknown oid 'machdep.cpu.brand_string'\n"));
    }

    /** Only strategies whose block fits a segment (a copy region groups adjacent segments; a block never exceeds one). */
    @Test
    void whatIsOfferedFitsTheSegments() {
        List<String> copies4 = Mover.copies(4L << 20).stream().map(Mover::name).toList();
        assertTrue(copies4.containsAll(List.of("memcpy-256k", "segment-256k", "memcpy-4m", "segment-4m", "fused-256k")), copies4.toString());
        List<String> copies2 = Mover.copies(2L << 20).stream().map(Mover::name).toList();
        assertTrue(!copies2.contains("memcpy-4m") && !copies2.contains("segment-4m"), "a 4 MiB block does not fit a 2 MiB segment");
        List<String> fills4 = Mover.fills(4L << 20).stream().map(Mover::name).toList();
        assertTrue(fills4.containsAll(List.of("segment-4m", "memcpy-4m", "stores")), fills4.toString());
        assertTrue(Mover.copies(64L << 10).stream().anyMatch(m -> m.name().equals("memcpy-256k")), "256 KiB always (a short tail block)");
    }

    /** An unknown or unsupported strategy is a parameter error (exit 64) naming it and listing what this machine offers. */
    @Test
    void anUnknownOrUnofferedStrategyIsAParameterError() {
        MemorySuite s = new MemorySuite();
        for (String[] bad : new String[][] {{"copy", "warp-9"}, {"copy", "stores"}, {"copy", "segment-4m"}, {"fill", "fused-256k"}, {"fill", "bogus"}}) {
            Map<String, String> v = new HashMap<>();
            v.put(bad[0], bad[1]);
            v.put("segment-size", "2MiB");
            Parameters p = s.descriptor().withDefaults(v);
            Parameters.InvalidParameterException e = assertThrows(Parameters.InvalidParameterException.class, () -> s.validate(p), String.join("=", bad));
            assertTrue(e.getMessage().contains("'" + bad[1] + "'") && e.getMessage().contains("this machine offers: auto, calibrate, "), e.getMessage());
            for (Mover m : bad[0].equals("copy") ? Mover.copies(2L << 20) : Mover.fills(2L << 20)) {
                assertTrue(e.getMessage().contains(m.name()), e.getMessage() + " lists " + m.name());
            }
        }
        Map<String, String> ok = new HashMap<>(Map.of("copy", "segment-4m", "segment-size", "4MiB", "fill", "stores"));
        s.validate(s.descriptor().withDefaults(ok));
    }

    /**
     * A word that goes wrong while the strategies are timed is said at its address (the suite makes it
     * a failure there), not thrown as an error of the suite without one.
     */
    @Test
    void aWordGoneWrongWhileTimingIsSaidAtItsAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8L << 20, 1L << 21);
            buf.fill((byte) 0);
            List<Mover> copies = Mover.copies(1L << 20).subList(0, 2);
            long[] flipped = {-1};
            Copier.Hook once = (move, seg, word, len) -> { // the first block copied gets one bit flipped after it landed
                if (flipped[0] < 0) {
                    long at = word + len / 2;
                    seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, at, seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, at) ^ (1L << 9));
                    flipped[0] = seg.address() + at * 8;
                }
            };
            List<long[]> said = new ArrayList<>();
            List<MoverChoice.Timed> t = MoverChoice.timeCopies(copies, buf, 1L << 20, 1, once,
                    (pattern, seg, word, expected, read) -> said.add(new long[] {seg.address() + word * 8, expected ^ read}));
            assertEquals(copies.size(), t.size(), "timed to the end");
            assertEquals(1, said.size(), "one word, said once");
            assertEquals(flipped[0], said.get(0)[0], "at the address it went wrong");
            assertEquals(1L << 9, said.get(0)[1], "the bit that flipped");

            List<Mover> fills = Mover.fills(1L << 20).subList(0, 1);
            long word = (3L << 20) / 8 + 5;
            List<long[]> fillSaid = new ArrayList<>();
            MoverChoice.timeFills(fills, buf, 1L << 20, 1, arena,
                    () -> buf.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, word, ~buf.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, word)),
                    (pattern, seg, w, expected, read) -> fillSaid.add(new long[] {seg.address() + w * 8, expected ^ read}));
            assertEquals(1, fillSaid.size());
            assertEquals(buf.address() + word * 8, fillSaid.get(0)[0]);
            assertEquals(-1L, fillSaid.get(0)[1], "every bit of it");
        }
    }

    /** calibrate times every candidate, lists every figure, and takes the fastest; auto takes the table's entry for a measured CPU. */
    @Test
    void calibrateTimesEveryCandidateAndTakesTheFastest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16L << 20, 1L << 21);
            buf.fill((byte) 0);
            List<Mover> copies = Mover.copies(2L << 20);
            List<Mover> asked = new ArrayList<>();
            MoverChoice.Choice c = MoverChoice.choose("calibrate", copies, copies, 0, "copy", "AuthenticAMD family 25 model 17", o -> {
                asked.addAll(o);
                return MoverChoice.timeCopies(o, buf, 2L << 20, 1);
            });
            assertEquals(copies, asked, "every candidate timed, even on a CPU in the table");
            assertEquals("calibrated", c.how());
            assertEquals(copies.size(), c.timed().size());
            for (int i = 1; i < c.timed().size(); i++) {
                assertTrue(c.timed().get(i - 1).bytesPerSecond() >= c.timed().get(i).bytesPerSecond(), "fastest first");
                assertTrue(c.timed().get(i).bytesPerSecond() > 0);
            }
            assertEquals(c.timed().get(0).mover(), c.mover(), "the fastest");
            String line = MoverChoice.describe(c, "copies", "copy");
            for (Mover m : copies) {
                assertTrue(line.contains(m.name() + " "), line);
            }
            assertTrue(line.contains("-P memory.copy=" + c.mover().name()), line);

            List<Mover> fills = Mover.fills(4L << 20);
            List<MoverChoice.Timed> ft = MoverChoice.timeFills(fills, buf, 4L << 20, 1, arena);
            assertEquals(fills.size(), ft.size());

            MoverChoice.Choice t = MoverChoice.choose("auto", Mover.copies(4L << 20), Mover.copies(4L << 20), 0, "copy", "AuthenticAMD family 25 model 17", o -> {
                throw new AssertionError("a CPU in the table is not timed");
            });
            assertEquals("table", t.how());
            assertEquals(MoverChoice.MEASURED.get("AuthenticAMD family 25 model 17").get(0), t.mover().name());
            MoverChoice.Choice unfit = MoverChoice.choose("auto", Mover.copies(1L << 20), Mover.copies(1L << 20), 0, "copy", "AuthenticAMD family 25 model 17",
                    o -> MoverChoice.timeCopies(o, buf, 1L << 20, 1));
            assertEquals("calibrated", unfit.how(), "the table's 4 MiB block does not fit 1 MiB segments: timed instead");
            MoverChoice.Choice u = MoverChoice.choose("auto", copies, copies, 0, "copy", "GenuineIntel family 6 model 1", o -> MoverChoice.timeCopies(o, buf, 2L << 20, 1));
            assertEquals("calibrated", u.how(), "a CPU not in the table is timed");
            assertTrue(MoverChoice.describe(u, "copies", "copy").contains("is not in the table of measured CPUs"));
            MoverChoice.Choice n = MoverChoice.choose("segment-1m", copies, copies, 0, "copy", null, o -> {
                throw new AssertionError("a name is not timed");
            });
            assertEquals("segment-1m", n.mover().name());
        }
    }

    /** Every fill strategy writes the pattern's every word (a block replicated, or stored), and a flip after it is found at its word. */
    @Test
    void everyFillStrategyWritesThePattern() {
        ValueLayout.OfLong w = ValueLayout.JAVA_LONG;
        for (Mover m : Mover.fills(4L << 20)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment seg = arena.allocate((4L << 20) - 4096 * 3 + 40, 4096); // not a whole number of blocks
                seg.fill((byte) 0x33);
                MemorySegment source = arena.allocate(m.sourceBytes(4L << 20), 4096);
                Passes.source(Pattern.CHECKERBOARD, source, 3, 9);
                Passes.fill(m, Pattern.CHECKERBOARD, seg, source, 3, 9);
                long n = seg.byteSize() / 8;
                for (long i = 0; i < n; i++) {
                    if (seg.getAtIndex(w, i) != Pattern.CHECKERBOARD.value(i, 3, 9)) {
                        throw new AssertionError(m.name() + ": word " + i + " is not the pattern's");
                    }
                }
                seg.setAtIndex(w, n - 7, seg.getAtIndex(w, n - 7) ^ 1L << 40);
                List<Long> found = new ArrayList<>();
                long bad = Passes.verify(dev.kiln.suites.memory.loops.Lanes.forMachine(), Pattern.CHECKERBOARD, seg, 3, 9,
                        (p, s, word, e, r) -> found.add(word));
                assertEquals(1, bad, m.name());
                assertEquals(List.of(n - 7), found, m.name());
            }
        }
    }

    /** The copies' regions: adjacent segments of one mapping, enough of them for three blocks a half; leftovers join the last; apart stays apart. */
    @Test
    void copyRegionsGroupAdjacentSegmentsForThreeBlocksAHalf() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(5L << 20, 4096);
            List<MemorySegment> mine = new ArrayList<>();
            for (long at = 0; at < whole.byteSize(); at += 1L << 20) {
                mine.add(whole.asSlice(at, 1L << 20));
            }
            List<MemorySegment> small = Round.copyRegions(mine, whole, 256L << 10); // two segments hold 4 blocks a half
            assertEquals(2, small.size(), "pairs, the fifth segment joining the last");
            assertEquals(whole.address(), small.get(0).address());
            assertEquals(2L << 20, small.get(0).byteSize());
            assertEquals(whole.address() + (2L << 20), small.get(1).address());
            assertEquals(3L << 20, small.get(1).byteSize());
            List<MemorySegment> big = Round.copyRegions(mine, whole, 1L << 20); // 1 MiB blocks: six segments a region, five here
            assertEquals(1, big.size());
            assertEquals(5L << 20, big.get(0).byteSize(), "one region of all five");
            MemorySegment other = arena.allocate(1L << 20, 4096);
            List<MemorySegment> apart = List.of(mine.get(0), other);
            assertEquals(apart, Round.copyRegions(apart, whole, 256L << 10), "segments not one after the other stay apart");
            assertEquals(mine.subList(0, 2), Round.copyRegions(mine.subList(0, 2), null, 256L << 10), "no mapping known: no groups");
        }
    }
}
