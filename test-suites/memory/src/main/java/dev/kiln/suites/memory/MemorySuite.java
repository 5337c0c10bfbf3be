package dev.kiln.suites.memory;

import dev.kiln.api.Availability;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.WorkPlan;
import dev.kiln.api.WorkerContext;
import dev.kiln.suites.memory.loops.LaneLoops;
import dev.kiln.suites.memory.loops.Lanes;
import dev.kiln.suites.memory.loops.MemShape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory suite: off-heap memory (a size, or a share of what is available), split among one
 * worker per logical CPU, put through memtester's pattern families and stressapptest-style
 * checksummed copies, every word read back and compared. A difference is reported with offset,
 * virtual and (as root on Linux) physical address, expected, read and re-read values, the bits that
 * differ, the pattern, pass, worker and CPU.
 */
public final class MemorySuite implements Suite {
    private static final SuiteDescriptor DESCRIPTOR = new SuiteDescriptor("memory", "Memory patterns and checksummed copies",
            "memtester's pattern families and stressapptest-style checksummed copies over most of RAM, every word verified",
            List.of(new ParameterSpec("size", "256MiB", "memory to test (KiB, MiB, GiB); ignored when share is set"),
                    new ParameterSpec("share", "", "share of available memory to test, in (0, 1] (burn-in: 0.85)"),
                    new ParameterSpec("segment-size", "4MiB", "allocation unit, and the unit checked before it is written again"),
                    new ParameterSpec("fade-hold", "5s", "bit-fade: how long each pattern is held untouched before it is read back"),
                    new ParameterSpec("families", "all", "comma-separated families, or all: " + String.join(", ",
                            Family.all().stream().map(Family::id).toList())),
                    new ParameterSpec("copy-moves", "16", "copies per round of the copy family (the first is followed by an in-place inversion)"),
                    new ParameterSpec("lock", "true", "lock the pages in RAM with mlock where allowed"),
                    new ParameterSpec("max-corrected-errors", "0", "EDAC corrected errors allowed to appear during the run"),
                    new ParameterSpec("report-per-worker", "64", "errors each worker reports in full; all are counted"),
                    new ParameterSpec("loop-shape", "auto", "the fill and verify loops, vector bits x vectors a step: auto (from this machine's "
                            + "vector width), calibrate (every shape timed at prepare on 64 MiB, the fastest run), or one such as 512x2, "
                            + "256x4, 128x4 (64x1: scalar)"),
                    new ParameterSpec("copy", "auto", "how the copy family moves blocks: auto (the strategy measured fastest on this CPU, "
                            + "docs/cpu-figures.md; timed here for a CPU not measured), calibrate (every strategy timed at prepare), or one of "
                            + "memcpy-256k|1m|2m|4m, segment-256k|1m|2m|4m, fused-256k (a block fits a segment: the copies move blocks between the halves of groups of adjacent segments)"),
                    new ParameterSpec("fill", "auto", "how periodic patterns are written: auto, calibrate, or one of memcpy-256k|1m|2m|4m, "
                            + "segment-256k|1m|2m|4m (a block replicated), stores (plain stores, nothing replicated)")),
            Duration.ofMinutes(2), Duration.ofSeconds(1), true);

    private Arena arena;
    private final List<List<MemorySegment>> perWorker = new ArrayList<>();
    /** Each worker's mapping, which its segments are cut from. */
    private final List<MemorySegment> wholes = new ArrayList<>();
    private final List<Family> families = new ArrayList<>();
    private final Mismatches mismatches = new Mismatches();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong nanosDone = new AtomicLong();
    private final AtomicLong copyNanos = new AtomicLong();
    private final AtomicLong copiedBytes = new AtomicLong();
    private Map<String, Long> edacBefore = Map.of();
    private final List<Held> held = new ArrayList<>();
    private final List<MemorySegment> sources = new ArrayList<>();
    private LaneLoops loops;
    private Mover copyMover = Mover.MEMCPY_256K;
    private Mover fillMover = Mover.MEMCPY_256K;

    /** Progress counts bytes written and read back against their patterns. */
    @Override
    public String progressUnit() {
        return "B";
    }

    @Override
    public SuiteDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        return Availability.ok();
    }

    @Override
    public void validate(Parameters p) {
        p.getBytes("size");
        p.getBytes("segment-size");
        String share = p.get("share").trim();
        if (!share.isEmpty()) {
            double s = p.getDouble("share");
            if (!(s > 0 && s <= 1)) {
                throw new Parameters.InvalidParameterException("share", "must be in (0, 1], got " + share);
            }
        }
        families(p);
        p.getBoolean("lock");
        if (p.getDuration("fade-hold").isNegative()) {
            throw new Parameters.InvalidParameterException("fade-hold", "must be >= 0");
        }
        long moves = p.getLong("copy-moves");
        if (moves < 1 || moves > 1024) {
            throw new Parameters.InvalidParameterException("copy-moves", "must be in 1..1024, got " + moves);
        }
        if (p.getLong("max-corrected-errors") < 0 || p.getLong("report-per-worker") < 0) {
            throw new Parameters.InvalidParameterException("max-corrected-errors", "and report-per-worker must be >= 0");
        }
        strategy(p, "copy", Mover.copies(p.getBytes("segment-size")));
        strategy(p, "fill", Mover.fills(p.getBytes("segment-size")));
        String shape = p.get("loop-shape").trim();
        if (!shape.equals("auto") && !shape.equals("calibrate")) {
            try {
                Lanes.of(MemShape.of(shape));
            } catch (IllegalArgumentException e) {
                throw new Parameters.InvalidParameterException("loop-shape", e.getMessage());
            }
        }
    }

    /** A copy or fill strategy named must be one this machine offers (a parameter error, exit 64, listing them, otherwise). */
    private static void strategy(Parameters p, String name, List<Mover> offered) {
        String v = p.get(name).trim();
        if (!v.equals("auto") && !v.equals("calibrate")) {
            try {
                Mover.named(v, offered, name);
            } catch (IllegalArgumentException e) {
                throw new Parameters.InvalidParameterException(name, e.getMessage());
            }
        }
    }

    /** Bytes the copy and fill strategies are timed on (at most; the test's own size where smaller). */
    static final long STRATEGY_BYTES = 256L << 20;

    /**
     * The copy and fill strategies ({@link MoverChoice}), each logged with the {@code -P} that
     * replays it and recorded in the result ({@code memory_copy_block_bytes},
     * {@code memory_fill_block_bytes}, labelled with the strategy, what was asked and how it was
     * chosen). Timed only for what this run uses: a strategy for a family not run stays the default.
     */
    private void strategies(SuiteContext ctx, long total, long segSize) {
        Parameters p = ctx.parameters();
        boolean copies = families.stream().anyMatch(f -> f instanceof Family.Copy);
        boolean fills = families.stream().anyMatch(f -> f instanceof Family.Patterned pf && pf.pattern().periodic);
        String cpu = MoverChoice.cpuKey();
        long asked = p.getBytes("segment-size"); // what validate accepted names against; segSize is what this run cuts
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment[] buf = {null};
            java.util.function.Supplier<MemorySegment> memory = () -> {
                if (buf[0] == null) { // as the test's own segments are taken; freed before they are
                    buf[0] = Native.allocate(scratch, Math.max(1L << 20, Math.min(STRATEGY_BYTES, total)) & ~4095L, Native.HUGE_PAGE, true).segment();
                    buf[0].fill((byte) 0);
                }
                return buf[0];
            };
            // a word found wrong while the strategies are timed is a failure at its address, like any the test finds
            long[] said = {0};
            Passes.Errors bad = (pattern, seg, word, expected, read) -> prepareMismatch(ctx, said, pattern, seg, word, expected, read);
            if (copies) {
                MoverChoice.Choice c = MoverChoice.choose(p.get("copy").trim(), Mover.copies(asked), Mover.copies(segSize), 0, "copy", cpu,
                        candidates -> MoverChoice.timeCopies(candidates, memory.get(), segSize, 3, Copier.Hook.NONE, bad));
                copyMover = c.mover();
                ctx.log(LogLevel.INFO, MoverChoice.describe(c, "copies", "copy"));
                ctx.measurement(new Measurement("memory_copy_block_bytes", c.mover().blockBytes(), "bytes", null, null,
                        Map.of("strategy", c.mover().name(), "chosen", c.asked(), "how", c.how())));
            }
            if (fills) {
                MoverChoice.Choice c = MoverChoice.choose(p.get("fill").trim(), Mover.fills(asked), Mover.fills(segSize), 1, "fill", cpu,
                        candidates -> MoverChoice.timeFills(candidates, memory.get(), segSize, 3, scratch, () -> { }, bad));
                fillMover = c.mover();
                ctx.log(LogLevel.INFO, MoverChoice.describe(c, "periodic fills", "fill"));
                ctx.measurement(new Measurement("memory_fill_block_bytes", c.mover().blockBytes(), "bytes", null, null,
                        Map.of("strategy", c.mover().name(), "chosen", c.asked(), "how", c.how())));
            }
        }
    }

    /** Mismatches found while timing the strategies that are said in full; the rest are counted in the last one's message. */
    static final int PREPARE_MISMATCHES = 16;

    /**
     * A word found wrong while the copy or fill strategies were timed at prepare, on memory of the
     * suite's own: a failure naming its address, as the test's own mismatches do (it was an error of
     * the suite, with no address, before).
     */
    static void prepareMismatch(SuiteContext ctx, long[] said, String pattern, MemorySegment seg, long word, long expected, long read) {
        long reread = seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, word);
        long vaddr = seg.address() + word * 8;
        if (said[0]++ >= PREPARE_MISMATCHES) {
            return;
        }
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("pattern", pattern);
        d.putAll(Mismatches.word(vaddr, expected, read, reread));
        d.put("found", "at prepare, while the copy and fill strategies were timed");
        ctx.failure("memory-" + pattern + "-mismatch", String.format(java.util.Locale.ROOT,
                "%s: word at virtual %s (physical %s) read %s, expected %s (bits %s), found while the strategies were timed at prepare%s",
                pattern, d.get("virtualAddress"), d.get("physicalAddress"), d.get("read"), d.get("expected"), d.get("bits"),
                said[0] == PREPARE_MISMATCHES ? "; further mismatches there are not said one by one" : ""), d);
    }

    /** Bytes a calibration times each loop shape on: beyond the caches of the machines this runs on. */
    static final long CALIBRATION_BYTES = 64L << 20;

    /**
     * The fill and verify loops: by rule for this machine's vectors ({@code auto}), the fastest of
     * every shape timed here ({@code calibrate}, on memory of its own, freed before the test's is
     * taken), or the one named. The choice goes to the log and into the result
     * ({@code memory_loop_vector_bits}, labelled with the shape) so a run replays exactly.
     */
    private LaneLoops loops(SuiteContext ctx, long total) {
        String want = ctx.parameters().get("loop-shape").trim();
        int max = Lanes.maxBits();
        LaneLoops l;
        if (want.equals("calibrate")) {
            Map<MemShape, Double> speed;
            try (Arena scratch = Arena.ofConfined()) {
                // as the test's own segments are taken
                MemorySegment s = Native.allocate(scratch, Math.max(1L << 20, Math.min(CALIBRATION_BYTES, total)), Native.HUGE_PAGE, true).segment();
                s.fill((byte) 0);
                speed = Lanes.calibrate(s, 3);
            }
            l = Lanes.of(speed.keySet().iterator().next());
            ctx.log(LogLevel.INFO, "fill and verify loops " + l.shape().id() + " chosen, the fastest here (fill and verify, best of 3): "
                    + Lanes.format(speed) + " (replay with -P memory.loop-shape=" + l.shape().id() + ")");
        } else if (want.equals("auto")) {
            l = Lanes.forMachine();
            ctx.log(LogLevel.INFO, "fill and verify loops " + l.shape().id() + " for " + (max < 128 ? "no vectors" : max + "-bit vectors")
                    + (Lanes.VECTOR ? "" : " (no jdk.incubator.vector: scalar loops)") + " (replay with -P memory.loop-shape="
                    + l.shape().id() + "; -P memory.loop-shape=calibrate times every shape here)");
        } else {
            l = Lanes.of(MemShape.of(want));
            ctx.log(LogLevel.INFO, "fill and verify loops " + l.shape().id() + ", as asked");
        }
        ctx.log(LogLevel.INFO, "computed patterns are stored by the " + l.shape().id() + " loops with plain stores: Java has no "
                + "non-temporal store, so each line they write is read for ownership first");
        ctx.measurement(new Measurement("memory_loop_vector_bits", l.shape().bits(), "bits", null, null,
                Map.of("shape", l.shape().id(), "chosen", want)));
        return l;
    }

    private static List<Family> families(Parameters p) {
        String v = p.get("families").trim();
        if (v.equals("all")) {
            return Family.all();
        }
        List<Family> out = new ArrayList<>();
        for (String id : v.split(",")) {
            Family f = Family.all().stream().filter(x -> x.id().equals(id.trim())).findFirst()
                    .orElseThrow(() -> new Parameters.InvalidParameterException("families", "names unknown family '" + id.trim() + "'"));
            out.add(f);
        }
        return out;
    }

    @Override
    public WorkPlan plan(SuiteEnvironment env, Parameters params) {
        return new WorkPlan(List.of(new WorkPlan.Phase("patterns", WorkPlan.Mode.PARALLEL,
                env.logicalCpus().stream().map(WorkPlan.Placement::on).toList(), 1)));
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        Parameters p = ctx.parameters();
        long available = ctx.environment().availableMemoryBytes();
        String share = p.get("share").trim();
        long total = share.isEmpty() ? p.getBytes("size") : (long) (available * p.getDouble("share"));
        if (available > 0 && total > available * 0.95) {
            throw new SuiteUnavailableException(UnavailableCategory.NO_RESOURCE, "asked for " + (total >> 20) + " MiB but only "
                    + (available >> 20) + " MiB are available: refusing to push the machine into swap");
        }
        int workers = Math.max(1, ctx.environment().logicalCpus().size());
        long per = (total / workers) & ~15L;
        if (per < 4096) {
            throw new SuiteUnavailableException(UnavailableCategory.NO_RESOURCE, "too little memory per worker: " + per + " bytes");
        }
        long segSize = Math.min(p.getBytes("segment-size") & ~15L, per);
        families.addAll(families(p));
        loops = loops(ctx, total);
        strategies(ctx, total, segSize);
        arena = Arena.ofShared();
        int locked = 0;
        int huge = 0;
        int segments = 0;
        for (int w = 0; w < workers; w++) {
            List<MemorySegment> mine = new ArrayList<>();
            // one mapping per worker, cut into segments: adjacent segments make the copies' regions (Round.copyRegions)
            Native.Memory whole = Native.allocate(arena, per, per >= Native.HUGE_PAGE ? Native.HUGE_PAGE : 4096, true);
            wholes.add(whole.segment());
            for (long at = 0, left = per; left >= 16; at += segSize, left -= segSize) {
                long bytes = Math.min(segSize, left) & ~15L;
                MemorySegment s = whole.segment().asSlice(at, bytes);
                huge += whole.hugePages() && bytes >= Native.HUGE_PAGE ? 1 : 0;
                s.fill((byte) 0); // first touch here, outside the timed passes
                if (p.getBoolean("lock") && Native.mlock(s)) {
                    locked++;
                }
                mine.add(s);
                segments++;
            }
            perWorker.add(mine);
            held.add(new Held(mine, loops));
            sources.add(arena.allocate(fillMover.sourceBytes(segSize), 4096));
        }
        ctx.log(LogLevel.INFO, String.format(Locale.ROOT, "testing %d MiB: %d worker(s), %d segment(s), %d locked in RAM%s; %d asked for transparent huge pages%s",
                total >> 20, workers, segments, locked, locked == segments ? "" : " (mlock refused for the rest: they may be swapped)", huge,
                huge > 0 ? "" : " (not Linux, segments under 2 MiB, or refused: 4 KiB pages where THP is 'madvise')"));
        ctx.measurement("memory_tested_bytes", (double) per * workers, "bytes");
        ctx.measurement("memory_locked_ratio", segments == 0 ? 0 : (double) locked / segments, "ratio");
        edacBefore = Edac.counts();
    }

    @Override
    public void run(WorkerContext ctx) {
        int w = ctx.workerIndex();
        Round r = new Round(ctx, perWorker.get(w), wholes.get(w), held.get(w), loops, new Copier(copyMover, true), fillMover, sources.get(w), mismatches,
                copyNanos, copiedBytes);
        r.held.start();
        try {
            while (ctx.keepRunning()) {
                Family f = families.get((int) (ctx.iteration() % families.size()));
                boolean fault = ctx.injectFault(f.id());
                long t0 = System.nanoTime();
                Family.Done done = f.round(r, fault);
                if (done.timed()) {
                    nanosDone.addAndGet(System.nanoTime() - t0);
                }
                bytesDone.addAndGet(done.bytes());
                ctx.progress(done.bytes());
                ctx.verified(done.bytes() / 8); // every family reads back and compares every word it wrote
            }
            // what the last families left is read back once more before the memory is given back:
            // a bit that changed after its family's own check is not lost at the end of the run
            r.checkAllHeld();
        } finally {
            r.held.stop();
        }
    }

    /** The segments' places and whether each is armed now, for tests that plant flips: per worker, per segment {address, bytes}. */
    List<Held> heldForTests() {
        return held;
    }

    @Override
    public void finish(SuiteContext ctx) {
        double seconds = nanosDone.get() / 1e9;
        if (seconds > 0) {
            // per worker-second, summed over the workers running side by side
            ctx.measurement("memory_pass_bytes_per_second", bytesDone.get() / seconds * perWorker.size(), "bytes/s");
        }
        if (copyNanos.get() > 0) {
            // bytes moved by the copies alone, per worker-second, summed over the workers
            ctx.measurement("memory_copy_bytes_per_second", copiedBytes.get() / (copyNanos.get() / 1e9) * perWorker.size(), "bytes/s");
        }
        double all = 0;
        double unarmed = 0;
        for (Held h : held) {
            double[] bn = h.byteSeconds();
            all += bn[0];
            unarmed += bn[1];
        }
        if (all > 0) {
            // of the memory under test and the time the passes ran, the share that held data which
            // would be read back and checked before being written again: a bit flipping there is found
            ctx.measurement("memory_armed_ratio", 1.0 - unarmed / all, "ratio");
        }
        long n = mismatches.count();
        ctx.measurement(new Measurement("memory_errors_total", n, "errors", null, 0.0, Map.of()));
        if (n > 0) {
            ctx.log(LogLevel.ERROR, String.format(Locale.ROOT, "%d word(s) wrong; bits affected %s; virtual addresses 0x%x..0x%x",
                    n, Mismatches.bits(mismatches.bitsAffected()), mismatches.lowAddress(), mismatches.highAddress()));
        }
        Map<String, Long> after = Edac.counts();
        if (edacBefore.isEmpty() && after.isEmpty()) {
            ctx.log(LogLevel.INFO, "no EDAC counters on this machine: corrected errors are not visible here");
        } else {
            long ce = Edac.delta(edacBefore, after, "ce_count");
            long ue = Edac.delta(edacBefore, after, "ue_count");
            ctx.measurement(new Measurement("edac_corrected_errors_delta", ce, "errors", null,
                    (double) ctx.parameters().getLong("max-corrected-errors"), Map.of()));
            ctx.measurement(new Measurement("edac_uncorrected_errors_delta", ue, "errors", null, 0.0, Map.of()));
        }
    }

    @Override
    public void cleanup(SuiteContext ctx) {
        if (arena != null) {
            arena.close();
        }
        perWorker.clear();
        wholes.clear();
        held.clear();
        sources.clear();
    }
}
