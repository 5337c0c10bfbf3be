package dev.kiln.suites.memory;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.Parameters;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.kit.KitHarness;
import dev.kiln.core.runner.FaultPlan;
import dev.kiln.core.runner.RunOptions;
import dev.kiln.suites.memory.loops.Lanes;
import dev.kiln.suites.memory.loops.MemShape;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemorySuiteTest {
    static final String SIZE = "2MiB";

    private static SuiteResult run(Map<String, String> params, RunOptions o) {
        return KitHarness.runOne(new MemorySuite(), Duration.ofSeconds(60), params, o);
    }

    /** Every family reports the exact word and bit a planted flip hit (the copy's flip comes from another thread). */
    @Test
    void everyFamilyNamesTheExactAddressAndBit() {
        int workers = KitHarness.environment().logicalCpus().size();
        long perWorker = ((2L << 20) / workers) & ~15L;
        long words = perWorker / 8;
        for (Family f : Family.all()) {
            RunOptions o = RunOptions.defaults(5).withMaxIterations(2).withFaults(List.of(new FaultPlan("memory", f.id(), -1, null, 1)));
            SuiteResult r = run(Map.of("size", SIZE, "families", f.id(), "fade-hold", "200ms"), o);
            assertEquals(Outcome.FAIL, r.outcome(), f.id() + ": " + r.reason());
            List<Failure> mismatches = r.failures().stream().filter(x -> x.symptom().endsWith("-mismatch")).toList();
            assertEquals(workers, mismatches.size(), f.id() + ": one flip per worker: " + r.failures());
            assertEquals(workers + 1, r.failureCount(), "and memory_errors_total over its limit");
            // the copies' block is the strategy this machine chose (issue 34), recorded in the result
            int block = r.measurements().stream().filter(m -> m.name().equals("memory_copy_block_bytes")).findFirst()
                    .map(m -> (int) (m.value() / 8)).orElse(Copier.BLOCK);
            assertEquals(f.id().equals(Family.COPY), r.measurements().stream().anyMatch(m -> m.name().equals("memory_copy_block_bytes")),
                    "the copy strategy is recorded exactly where copies run");
            for (Failure x : mismatches) {
                Map<String, Object> d = x.details();
                // one segment a worker here, so the copy's region is that segment
                long word = f.id().equals(Family.COPY) ? Copier.faultWord(words, block) : Family.faultWord(f.id(), words);
                assertEquals(word * 8, ((Number) d.get("offset")).longValue(), f.id() + " offset: " + d);
                assertEquals(List.of(Family.FAULT_BIT), d.get("bits"), f.id());
                assertEquals(String.format("0x%016x", 1L << Family.FAULT_BIT), d.get("xor"));
                assertEquals(1L, ((Number) d.get("pass")).longValue());
                assertEquals("stored wrong (the re-read agrees)", d.get("kind"));
                assertTrue(((String) d.get("virtualAddress")).startsWith("0x"));
                assertTrue(d.containsKey("physicalAddress") && d.containsKey("expected") && d.containsKey("read") && d.containsKey("reread"));
            }
            assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("memory_errors_total") && m.value() == workers));
        }
    }

    /**
     * With segments smaller than a worker's share, the copies move blocks between the halves of a group of adjacent
     * segments (issue 34): a flip planted in the first region is reported at its exact offset, for
     * a block smaller than a segment and for one as large as a segment.
     */
    @Test
    void copiesBetweenTwoSegmentsReportTheExactOffset() {
        int workers = KitHarness.environment().logicalCpus().size();
        long perWorker = ((2L << 20) / workers) & ~15L;
        long segment = 256L << 10;
        assertTrue(perWorker >= 2 * segment, "at least one region of two segments per worker");
        for (String strategy : List.of("segment-256k", "fused-256k", "memcpy-256k")) {
            RunOptions o = RunOptions.defaults(5).withMaxIterations(2).withFaults(List.of(new FaultPlan("memory", Family.COPY, -1, null, 1)));
            SuiteResult r = run(Map.of("size", SIZE, "families", Family.COPY, "segment-size", "256KiB", "copy", strategy), o);
            assertEquals(Outcome.FAIL, r.outcome(), strategy + ": " + r.reason());
            List<Failure> mismatches = r.failures().stream().filter(x -> x.symptom().endsWith("-mismatch")).toList();
            assertEquals(workers, mismatches.size(), strategy + ": " + r.failures());
            // the first region, as the suite groups this worker's segments
            long region;
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment whole = a.allocate(perWorker, 4096);
                List<java.lang.foreign.MemorySegment> cut = new java.util.ArrayList<>();
                for (long at = 0; at + 16 <= perWorker; at += segment) {
                    cut.add(whole.asSlice(at, Math.min(segment, perWorker - at) & ~15L));
                }
                region = Round.copyRegions(cut, whole, 256L << 10).get(0).byteSize();
            }
            assertTrue(region >= 2 * segment, "a region of two segments at least: " + region);
            for (Failure x : mismatches) {
                long expected = Copier.faultWord(region / 8, (int) (256L << 10) / 8) * 8;
                assertTrue(expected >= region / 2, "the flip lands in the region's second half");
                assertEquals(expected, ((Number) x.details().get("offset")).longValue(), strategy);
            }
        }
    }

    /**
     * The copy and fill strategies a run used are in its result, calibrated or asked, and a run
     * with the calibrated ones passes on healthy memory; with no copy family, no copy strategy is
     * chosen (nothing timed for it).
     */
    @Test
    void theStrategiesARunUsedAreRecorded() {
        SuiteResult r = run(Map.of("size", SIZE, "families", "copy,checkerboard", "copy", "calibrate", "fill", "calibrate"),
                RunOptions.defaults(3).withMaxIterations(4));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        for (String m : List.of("memory_copy_block_bytes", "memory_fill_block_bytes")) {
            var x = r.measurements().stream().filter(y -> y.name().equals(m)).findFirst().orElseThrow(() -> new AssertionError(m));
            assertEquals("calibrate", x.metadata().get("chosen"), m);
            assertEquals("calibrated", x.metadata().get("how"), m);
            List<Mover> offered = m.startsWith("memory_copy") ? Mover.copies(4L << 20) : Mover.fills(4L << 20);
            assertTrue(offered.stream().anyMatch(o -> o.name().equals(x.metadata().get("strategy"))), m + ": " + x.metadata());
        }
        SuiteResult asked = run(Map.of("size", SIZE, "families", "checkerboard", "fill", "stores"), RunOptions.defaults(3).withMaxIterations(2));
        assertEquals(Outcome.PASS, asked.outcome(), asked.reason());
        assertTrue(asked.measurements().stream().noneMatch(y -> y.name().equals("memory_copy_block_bytes")), "no copies, no copy strategy");
        var fill = asked.measurements().stream().filter(y -> y.name().equals("memory_fill_block_bytes")).findFirst().orElseThrow();
        assertEquals("stores", fill.metadata().get("strategy"));
        assertEquals("asked", fill.metadata().get("how"));
    }

    /** Bit fade: a bit that changes while the pattern is held, untouched, is found where it changed. */
    @Test
    void bitFadeFindsABitThatChangedDuringTheHold() {
        RunOptions o = RunOptions.defaults(7).withMaxIterations(1).withFaults(List.of(new FaultPlan("memory", Family.BIT_FADE, -1, null, 0)));
        long t0 = System.nanoTime();
        SuiteResult r = run(Map.of("size", SIZE, "families", Family.BIT_FADE, "fade-hold", "1s"), o);
        assertTrue(System.nanoTime() - t0 >= 2_000_000_000L, "two holds of a second each");
        assertEquals(Outcome.FAIL, r.outcome(), r.reason());
        int workers = KitHarness.environment().logicalCpus().size();
        long words = (((2L << 20) / workers) & ~15L) / 8;
        List<Failure> found = r.failures().stream().filter(x -> x.symptom().equals("memory-bit-fade-mismatch")).toList();
        assertEquals(workers, found.size(), r.failures().toString());
        for (Failure x : found) {
            assertEquals(Family.faultWord(Family.BIT_FADE, words) * 8, ((Number) x.details().get("offset")).longValue());
            assertEquals("0xffffffffffffffff", x.details().get("expected"), "held as all ones");
            assertEquals(List.of(Family.FAULT_BIT), x.details().get("bits"));
        }
    }

    /**
     * Coverage in time: a thread the suite knows nothing of flips random bits of random words at
     * random moments while the suite runs every family; each flip that landed while its segment was
     * armed (holding data the suite would check before writing it again) is reported at its exact
     * address and bit. Flips into disarmed memory may go unseen; the test says how many landed where.
     */
    @Test
    void everyFlipThatLandsInArmedMemoryIsReportedAtItsAddressAndBit() throws Exception {
        MemorySuite suite = new MemorySuite();
        SuiteResult[] result = new SuiteResult[1];
        Thread runner = new Thread(() -> result[0] = KitHarness.runOne(suite, Duration.ofSeconds(6),
                Map.of("size", "8MiB", "segment-size", "1MiB", "fade-hold", "300ms", "report-per-worker", "100000"), RunOptions.defaults(11)));
        runner.start();
        java.util.Random random = new java.util.Random(42);
        record Flip(long address, int bit, boolean armed) {
        }
        List<Flip> flips = new java.util.ArrayList<>();
        long until = System.nanoTime() + 5_000_000_000L;
        while (suite.heldForTests().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        Thread.sleep(300);
        while (runner.isAlive() && System.nanoTime() < until && flips.size() < 45) {
            Thread.sleep(20 + random.nextInt(100));
            List<Held> all = suite.heldForTests();
            Held h = all.get(random.nextInt(all.size()));
            int si = random.nextInt(h.segs.size());
            MemorySegment seg = h.segs.get(si);
            long word = random.nextLong(seg.byteSize() / 8);
            int bit = random.nextInt(64);
            long before = h.state.get(si);
            long v = seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, word);
            seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, word, v ^ (1L << bit));
            long after = h.state.get(si);
            flips.add(new Flip(seg.address() + word * 8, bit, before == after && (before & 1) == 1));
        }
        runner.join();
        SuiteResult r = result[0];
        java.util.Set<String> reported = new java.util.HashSet<>();
        for (Failure f : r.failures()) {
            Object va = f.details().get("virtualAddress");
            if (va != null) {
                for (Object b : (List<?>) f.details().get("bits")) {
                    reported.add(va + "/" + b);
                }
            }
        }
        long armed = flips.stream().filter(Flip::armed).count();
        assertTrue(armed >= flips.size() / 2 && armed >= 20, armed + " of " + flips.size() + " flips landed in armed memory: too few to judge");
        for (Flip f : flips) {
            if (f.armed()) {
                assertTrue(reported.contains("0x" + Long.toHexString(f.address()) + "/" + f.bit()),
                        "a flip into armed memory at 0x" + Long.toHexString(f.address()) + " bit " + f.bit() + " was not reported");
            }
        }
        long caught = flips.stream().filter(f -> reported.contains("0x" + Long.toHexString(f.address()) + "/" + f.bit())).count();
        System.out.printf("flips: %d, %d into armed memory, %d reported at their address and bit%n", flips.size(), armed, caught);
        assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("memory_armed_ratio") && m.value() > 0.5 && m.value() <= 1),
                r.measurements().toString());
    }

    @Test
    void allFamiliesPassOnHealthyMemory() {
        SuiteResult r = run(Map.of("size", SIZE, "fade-hold", "100ms"), RunOptions.defaults(9).withMaxIterations(Family.all().size()));
        assertEquals(Outcome.PASS, r.outcome(), r.reason());
        assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("memory_pass_bytes_per_second") && m.value() > 0));
    }

    /**
     * The loop shape a run used is in its result, by rule, as asked, or calibrated; with any shape a
     * planted flip is found at its word (computed, periodic and constant patterns alike).
     */
    @Test
    void theLoopShapeIsRecordedAndEveryShapeFindsTheFlip() {
        int workers = KitHarness.environment().logicalCpus().size();
        long words = (((2L << 20) / workers) & ~15L) / 8;
        String rule = MemShape.forMachine(Lanes.maxBits()).id();
        List<MemShape> here = MemShape.candidates(Lanes.maxBits());
        // the narrowest and the widest this machine has (128x1 and 512x4 with AVX-512; 128x4 on NEON)
        for (String asked : List.of("auto", here.get(0).id(), here.get(here.size() - 1).id(), "64x1", "calibrate")) {
            for (String family : List.of("address", "checkerboard", Family.BIT_FADE)) {
                RunOptions o = RunOptions.defaults(5).withMaxIterations(2).withFaults(List.of(new FaultPlan("memory", family, -1, null, 1)));
                SuiteResult r = run(Map.of("size", SIZE, "families", family, "fade-hold", "50ms", "loop-shape", asked), o);
                assertEquals(Outcome.FAIL, r.outcome(), asked + " " + family + ": " + r.reason());
                List<Failure> mismatches = r.failures().stream().filter(x -> x.symptom().endsWith("-mismatch")).toList();
                assertEquals(workers, mismatches.size(), asked + " " + family + ": " + r.failures());
                for (Failure x : mismatches) {
                    assertEquals(Family.faultWord(family, words) * 8, ((Number) x.details().get("offset")).longValue(), asked + " " + family);
                }
                var shape = r.measurements().stream().filter(m -> m.name().equals("memory_loop_vector_bits")).findFirst().orElseThrow();
                assertEquals(asked, shape.metadata().get("chosen"));
                String ran = (String) shape.metadata().get("shape");
                switch (asked) {
                    case "auto" -> assertEquals(rule, ran);
                    case "calibrate" -> assertTrue(MemShape.candidates(Lanes.maxBits()).contains(MemShape.of(ran)), ran);
                    default -> assertEquals(asked, ran);
                }
                assertEquals(MemShape.of(ran).bits(), shape.value());
            }
        }
    }

    @Test
    void moreThanIsAvailableIsASkipNotASwapStorm() {
        SuiteResult r = run(Map.of("size", "64TiB"), RunOptions.defaults(1).withMaxIterations(1));
        assertEquals(Outcome.SKIPPED, r.outcome());
        assertEquals(UnavailableCategory.NO_RESOURCE, r.category());
        assertTrue(r.reason().contains("refusing to push the machine into swap"), r.reason());
    }

    @Test
    void badParametersAreRefusedBeforeRunning() {
        MemorySuite s = new MemorySuite();
        for (Map<String, String> bad : List.of(Map.of("share", "0"), Map.of("share", "1.5"), Map.of("share", "lots"),
                Map.of("size", "12 apples"), Map.of("families", "walking-sideways"), Map.of("lock", "maybe"), Map.of("loop-shape", "512x3"),
                Map.of("loop-shape", "fast"), Map.of("loop-shape", "2048x1"))) {
            assertThrows(Parameters.InvalidParameterException.class, () -> s.validate(s.descriptor().withDefaults(bad)), bad.toString());
        }
    }

    @Test
    void risingEdacCountsAreAMeasurementWithALimit(@TempDir Path sys) throws Exception {
        Path mc = Files.createDirectories(sys.resolve("mc0"));
        Files.writeString(mc.resolve("ce_count"), "5\n");
        Files.writeString(mc.resolve("ue_count"), "0\n");
        Path before = Edac.root;
        Edac.root = sys;
        try {
            Thread rise = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    Files.writeString(mc.resolve("ce_count"), "7\n");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            rise.start();
            SuiteResult r = KitHarness.runOne(new MemorySuite(), Duration.ofSeconds(1), Map.of("size", SIZE), RunOptions.defaults(3));
            rise.join();
            assertEquals(Outcome.FAIL, r.outcome(), r.reason());
            assertTrue(r.measurements().stream().anyMatch(m -> m.name().equals("edac_corrected_errors_delta") && m.value() == 2),
                    r.measurements().toString());
        } finally {
            Edac.root = before;
        }
    }
}
