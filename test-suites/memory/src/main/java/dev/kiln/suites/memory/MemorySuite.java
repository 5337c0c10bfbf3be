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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
                            + "256x4, 128x4 (64x1: scalar)")),
            Duration.ofMinutes(2), Duration.ofSeconds(1), true);

    private Arena arena;
    private final List<List<MemorySegment>> perWorker = new ArrayList<>();
    private final List<Family> families = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong nanosDone = new AtomicLong();
    private final AtomicLong copyNanos = new AtomicLong();
    private final AtomicLong copiedBytes = new AtomicLong();
    private volatile long bitsAffected;
    private volatile long lowAddress = Long.MAX_VALUE;
    private volatile long highAddress = Long.MIN_VALUE;
    private Map<String, Long> edacBefore = Map.of();
    private final List<Held> held = new ArrayList<>();
    private final List<MemorySegment> sources = new ArrayList<>();
    private LaneLoops loops;

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
        String shape = p.get("loop-shape").trim();
        if (!shape.equals("auto") && !shape.equals("calibrate")) {
            try {
                Lanes.of(MemShape.of(shape));
            } catch (IllegalArgumentException e) {
                throw new Parameters.InvalidParameterException("loop-shape", e.getMessage());
            }
        }
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
        ctx.log(LogLevel.INFO, "fills: periodic patterns written once per block and replicated by the C library's "
                + Copier.engine(ctx.environment().os(), ctx.environment().arch()).replaceFirst(";.*", "")
                + "; computed patterns stored by the " + l.shape().id() + " loops with plain stores: Java has no non-temporal store, "
                + "so each line they write is read for ownership first");
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
        arena = Arena.ofShared();
        int locked = 0;
        int huge = 0;
        int segments = 0;
        for (int w = 0; w < workers; w++) {
            List<MemorySegment> mine = new ArrayList<>();
            for (long left = per; left >= 16; left -= segSize) {
                long bytes = Math.min(segSize, left) & ~15L;
                Native.Memory m = Native.allocate(arena, bytes, bytes >= Native.HUGE_PAGE ? Native.HUGE_PAGE : 4096, true);
                MemorySegment s = m.segment();
                huge += m.hugePages() ? 1 : 0;
                s.fill((byte) 0); // first touch here, outside the timed passes
                if (p.getBoolean("lock") && Native.mlock(s)) {
                    locked++;
                }
                mine.add(s);
                segments++;
            }
            perWorker.add(mine);
            held.add(new Held(mine, loops));
            sources.add(arena.allocate(Copier.BLOCK * 8L, 4096));
        }
        ctx.log(LogLevel.INFO, String.format(Locale.ROOT, "testing %d MiB: %d worker(s), %d segment(s), %d locked in RAM%s; %d asked for transparent huge pages%s",
                total >> 20, workers, segments, locked, locked == segments ? "" : " (mlock refused for the rest: they may be swapped)", huge,
                huge > 0 ? "" : " (not Linux, segments under 2 MiB, or refused: 4 KiB pages where THP is 'madvise')"));
        if (families.stream().anyMatch(f -> f.id().equals(Family.COPY))) {
            ctx.log(LogLevel.INFO, "checksummed copies: " + Copier.engine(ctx.environment().os(), ctx.environment().arch()));
        }
        ctx.measurement("memory_tested_bytes", (double) per * workers, "bytes");
        ctx.measurement("memory_locked_ratio", segments == 0 ? 0 : (double) locked / segments, "ratio");
        edacBefore = Edac.counts();
    }

    @Override
    public void run(WorkerContext ctx) {
        int w = ctx.workerIndex();
        List<MemorySegment> mine = perWorker.get(w);
        Held h = held.get(w);
        long cap = ctx.parameters().getLong("report-per-worker");
        int moves = (int) ctx.parameters().getLong("copy-moves");
        long holdNanos = ctx.parameters().getDuration("fade-hold").toNanos();
        long[] reported = {0};
        String[] found = {"pass"};
        Passes.Errors reporter = (pattern, seg, word, expected, read) -> report(ctx, mine, pattern, seg, word, expected, read, reported, cap,
                found[0]);
        Passes.Errors heldReporter = (pattern, seg, word, expected, read) -> report(ctx, mine, pattern, seg, word, expected, read, reported,
                cap, "held");
        MemorySegment source = sources.get(w);
        long[] sourceKey = {-1};
        Copier copier = new Copier();
        long mineBytes = mine.stream().mapToLong(MemorySegment::byteSize).sum();
        h.start();
        try {
            while (ctx.keepRunning()) {
                Family f = families.get((int) (ctx.iteration() % families.size()));
                boolean fault = ctx.injectFault(f.id());
                long t0 = System.nanoTime();
                if (f.id().equals(Family.COPY)) {
                    // what the last family left is checked before the copies write over it; the copies'
                    // own final state is checked by their last step, and is not known to the next family
                    long held0 = 0;
                    for (int si = 0; si < mine.size(); si++) {
                        h.unarm(si);
                        held0 += h.checkHeld(si, heldReporter);
                        h.residue[si] = null;
                    }
                    checked(ctx, held0);
                    boolean[] once = {fault};
                    MemorySegment first = mine.get(0);
                    long c0 = copier.copyNanos();
                    long b0 = copier.copiedBytes();
                    copier.run(mine, ctx.random().nextLong(), moves, (move, seg, word, len) -> {
                        if (once[0] && seg == first) {
                            once[0] = false;
                            // a bit flipped by another thread while the copy is in flight
                            Thread t = new Thread(() -> flipBit(first, Family.faultWord(Family.COPY, first.byteSize() / 8)));
                            t.start();
                            try {
                                t.join();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }, reporter);
                    copyNanos.addAndGet(copier.copyNanos() - c0);
                    copiedBytes.addAndGet(copier.copiedBytes() - b0);
                    nanosDone.addAndGet(System.nanoTime() - t0);
                    bytesDone.addAndGet(mineBytes);
                    ctx.progress(mineBytes);
                    ctx.verified(mineBytes / 8);
                    continue;
                }
                if (f.id().equals(Family.BIT_FADE)) {
                    long done = bitFade(ctx, mine, h, holdNanos, fault, heldReporter, reporter);
                    bytesDone.addAndGet(done);
                    ctx.progress(done);
                    ctx.verified(done / 8);
                    continue; // the holds are not throughput: not counted in memory_pass_bytes_per_second
                }
                long done = 0;
                for (int si = 0; si < mine.size(); si++) {
                    if (si > 0 && ctx.timeUp()) {
                        break; // the budget is spent: end the round after the segments done (each fully checked)
                    }
                    MemorySegment seg = mine.get(si);
                    long salt = ctx.random().nextLong();
                    boolean here = fault && si == 0;
                    int at = si;
                    // verify before overwrite: what the last writer left is read back before this family writes
                    h.unarm(si);
                    checked(ctx, h.checkHeld(si, heldReporter));
                    Runnable written = () -> {
                        h.arm(at); // from here the segment holds what this family will check
                        if (here) {
                            flipBit(seg, Family.faultWord(f.id(), seg.byteSize() / 8));
                        }
                    };
                    if (f.pattern() != null) {
                        Pattern p = f.pattern();
                        if (p.periodic) {
                            long key = (long) p.ordinal() << 48 ^ ctx.iteration();
                            if (sourceKey[0] != key) {
                                Passes.source(p, source, ctx.iteration(), salt);
                                sourceKey[0] = key;
                            }
                            Passes.fill(p, seg, source);
                            written.run();
                            Passes.verify(loops, p, seg, ctx.iteration(), salt, reporter);
                        } else {
                            Passes.pattern(loops, p, seg, ctx.iteration(), salt, written, reporter);
                        }
                        h.residue[si] = new Residue.Pattern(p, ctx.iteration(), salt, p.id);
                    } else if (f.op() != null) {
                        Passes.compare(f.op(), seg, salt, written, reporter);
                        h.residue[si] = new Residue.Compared(f.op(), salt);
                    } else {
                        // moving inversions rewrite every word as they check it: armed once they are done
                        Passes.movingInversions(seg, salt, here ? () -> flipBit(seg, Family.faultWord(f.id(), seg.byteSize() / 8)) : () -> { },
                                reporter);
                        h.residue[si] = new Residue.Constant(Mix.mix(salt), Family.MOVING_INVERSIONS);
                        h.arm(si);
                    }
                    done += seg.byteSize();
                }
                nanosDone.addAndGet(System.nanoTime() - t0);
                bytesDone.addAndGet(done);
                ctx.progress(done);
                ctx.verified(done / 8); // every family reads back and compares every word it wrote
            }
            // what the last families left is read back once more before the memory is given back:
            // a bit that changed after its family's own check is not lost at the end of the run
            for (int si = 0; si < mine.size(); si++) {
                h.unarm(si);
                checked(ctx, h.checkHeld(si, heldReporter));
            }
        } finally {
            h.stop();
        }
    }

    /** Bytes read back and checked against what their last writer left: progress and checks, not the passes' own throughput. */
    private static void checked(WorkerContext ctx, long bytes) {
        if (bytes > 0) {
            ctx.progress(bytes);
            ctx.verified(bytes / 8);
        }
    }

    /**
     * Retention (memtest86's bit fade): every segment set to all ones, each after checking what it
     * held; the memory left untouched for {@code fade-hold} (the rest of the machine as busy as the
     * run makes it); every word read back and, segment by segment, set to all zeros; held again;
     * read back again. A cell that loses its charge early shows as a bit that changed while nothing
     * wrote to it. The hold ends early when the suite's time is up; the read-back never does.
     * Returns the bytes written and checked.
     */
    private long bitFade(WorkerContext ctx, List<MemorySegment> mine, Held h, long holdNanos, boolean fault, Passes.Errors heldReporter,
                         Passes.Errors reporter) {
        Passes.Errors asFade = (pattern, seg, word, expected, read) -> reporter.mismatch(Family.BIT_FADE, seg, word, expected, read);
        long done = 0;
        for (int si = 0; si < mine.size(); si++) {
            MemorySegment seg = mine.get(si);
            h.unarm(si);
            checked(ctx, h.checkHeld(si, heldReporter));
            Passes.fill(loops, Pattern.SOLID_BITS, seg, 1, 0); // all ones
            h.residue[si] = new Residue.Constant(-1L, Family.BIT_FADE);
            h.arm(si);
            done += seg.byteSize();
        }
        MemorySegment first = mine.get(0);
        hold(ctx, holdNanos, fault ? () -> flipBit(first, Family.faultWord(Family.BIT_FADE, first.byteSize() / 8)) : null);
        for (int si = 0; si < mine.size(); si++) {
            MemorySegment seg = mine.get(si);
            h.unarm(si);
            Passes.verifyConstant(loops, seg, -1L, Family.BIT_FADE, asFade);
            Passes.fill(loops, Pattern.SOLID_BITS, seg, 0, 0); // all zeros
            h.residue[si] = new Residue.Constant(0L, Family.BIT_FADE);
            h.arm(si);
            done += 2 * seg.byteSize();
        }
        hold(ctx, holdNanos, null);
        for (MemorySegment seg : mine) {
            Passes.verifyConstant(loops, seg, 0L, Family.BIT_FADE, asFade);
            done += seg.byteSize();
        }
        return done;
    }

    /** Leaves memory untouched for {@code nanos} (less once the time is up), a heartbeat every half second; {@code midway} runs once, early in the hold. */
    private static void hold(WorkerContext ctx, long nanos, Runnable midway) {
        long end = System.nanoTime() + nanos;
        boolean ran = midway == null;
        while (System.nanoTime() - end < 0 && !ctx.timeUp()) {
            try {
                Thread.sleep(Math.max(1, Math.min(500, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            ctx.heartbeat();
            if (!ran) {
                midway.run(); // the fault seam: a bit changed while nothing wrote
                ran = true;
            }
        }
        if (!ran) {
            midway.run();
        }
    }

    /** What a segment holds, so that the next writer checks it first. */
    sealed interface Residue {
        long check(LaneLoops l, MemorySegment seg, Passes.Errors errors);

        /** A pattern family's values. */
        record Pattern(dev.kiln.suites.memory.Pattern pattern, long pass, long salt, String family) implements Residue {
            @Override
            public long check(LaneLoops l, MemorySegment seg, Passes.Errors errors) {
                return Passes.verify(l, pattern, seg, pass, salt, (p, s, w, e, r) -> errors.mismatch(family, s, w, e, r));
            }
        }

        /** A comparison family's results in both halves. */
        record Compared(Passes.Op op, long salt) implements Residue {
            @Override
            public long check(LaneLoops l, MemorySegment seg, Passes.Errors errors) {
                return Passes.verifyCompared(op, seg, salt, errors);
            }
        }

        /** One value in every word. */
        record Constant(long value, String family) implements Residue {
            @Override
            public long check(LaneLoops l, MemorySegment seg, Passes.Errors errors) {
                return Passes.verifyConstant(l, seg, value, family, errors);
            }
        }
    }

    /**
     * One worker's segments and what each holds, and when each is <em>armed</em>: holding data that
     * will be read back and checked before anything writes it again, so a bit that changes there now
     * is found. A segment is disarmed from the moment its last contents are checked (before a family
     * writes it) until the family has written what it will check itself, and during the copies (whose
     * stale halves are overwritten unread) until the next family has written it. The share of
     * byte-time armed is the measurement {@code memory_armed_ratio}; {@link #state} lets a test that
     * plants bit flips know whether each one landed in armed memory.
     */
    static final class Held {
        final List<MemorySegment> segs;
        final Residue[] residue;
        /** Per segment: transitions so far << 1 | armed. */
        final java.util.concurrent.atomic.AtomicLongArray state;
        private final long[] since;
        private long startNanos;
        private long stopNanos;
        /** Byte-seconds disarmed (a double: a terabyte for a day overflows a long of byte-nanoseconds). */
        private double unarmedByteSeconds;

        private final LaneLoops loops;

        Held(List<MemorySegment> segs, LaneLoops loops) {
            this.segs = segs;
            this.loops = loops;
            this.residue = new Residue[segs.size()];
            this.state = new java.util.concurrent.atomic.AtomicLongArray(segs.size());
            this.since = new long[segs.size()];
            for (int i = 0; i < segs.size(); i++) {
                residue[i] = new Residue.Constant(0L, "zero-fill"); // prepare wrote zeros
                state.set(i, 1);
            }
        }

        void start() {
            startNanos = System.nanoTime();
            for (int i = 0; i < since.length; i++) {
                since[i] = startNanos;
            }
        }

        void stop() {
            stopNanos = System.nanoTime();
            for (int i = 0; i < since.length; i++) {
                if ((state.get(i) & 1) == 0) {
                    unarmedByteSeconds += (stopNanos - since[i]) / 1e9 * segs.get(i).byteSize();
                }
            }
        }

        void unarm(int i) {
            long s = state.get(i);
            if ((s & 1) == 1) {
                since[i] = System.nanoTime();
                state.set(i, (s >>> 1) + 1 << 1);
            }
        }

        void arm(int i) {
            long s = state.get(i);
            if ((s & 1) == 0) {
                unarmedByteSeconds += (System.nanoTime() - since[i]) / 1e9 * segs.get(i).byteSize();
                state.set(i, ((s >>> 1) + 1) << 1 | 1);
            }
        }

        /** Reads segment {@code i} back against what its last writer left; returns the bytes checked (none when that is not known). */
        long checkHeld(int i, Passes.Errors errors) {
            if (residue[i] == null) {
                return 0;
            }
            residue[i].check(loops, segs.get(i), errors);
            return segs.get(i).byteSize();
        }

        /** Byte-seconds in all, and disarmed, over the run. */
        double[] byteSeconds() {
            long bytes = segs.stream().mapToLong(MemorySegment::byteSize).sum();
            return new double[] {Math.max(0, stopNanos - startNanos) / 1e9 * bytes, unarmedByteSeconds};
        }
    }

    /** The segments' places and whether each is armed now, for tests that plant flips: per worker, per segment {address, bytes}. */
    List<Held> heldForTests() {
        return held;
    }

    private static void flipBit(MemorySegment seg, long word) {
        long v = seg.getAtIndex(ValueLayout.JAVA_LONG, word);
        seg.setAtIndex(ValueLayout.JAVA_LONG, word, v ^ (1L << Family.FAULT_BIT));
    }

    private void report(WorkerContext ctx, List<MemorySegment> mine, String pattern, MemorySegment seg, long word, long expected,
                        long read, long[] reported, long cap, String found) {
        errors.incrementAndGet();
        long reread = seg.getAtIndex(ValueLayout.JAVA_LONG, word);
        // put right, so that the check of what this family left does not report the same change twice
        // (a bit that is stuck stays wrong, and is found again by the next family)
        seg.setAtIndex(ValueLayout.JAVA_LONG, word, expected);
        long xor = expected ^ read;
        long vaddr = seg.address() + word * 8;
        synchronized (this) {
            bitsAffected |= xor;
            lowAddress = Math.min(lowAddress, vaddr);
            highAddress = Math.max(highAddress, vaddr);
        }
        if (reported[0]++ >= cap) {
            return;
        }
        long offset = 0;
        for (MemorySegment s : mine) {
            if (s == seg) {
                break;
            }
            offset += s.byteSize();
        }
        offset += word * 8;
        long phys = Native.physical(vaddr);
        HexFormat hex = HexFormat.of();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pattern", pattern);
        d.put("pass", ctx.iteration());
        d.put("offset", offset);
        d.put("virtualAddress", "0x" + Long.toHexString(vaddr));
        d.put("physicalAddress", phys < 0 ? "unknown" : "0x" + Long.toHexString(phys));
        d.put("expected", "0x" + hex.toHexDigits(expected));
        d.put("read", "0x" + hex.toHexDigits(read));
        d.put("reread", "0x" + hex.toHexDigits(reread));
        d.put("xor", "0x" + hex.toHexDigits(xor));
        d.put("bits", bits(xor));
        d.put("kind", reread == read ? "stored wrong (the re-read agrees)" : "read wrong (the re-read differs)");
        d.put("found", found.equals("held") ? "held: checked before the next family wrote it" : "in its own pass");
        ctx.failure("memory-" + pattern + "-mismatch", String.format(Locale.ROOT,
                "%s: word at offset %d (virtual %s, physical %s) read %s, expected %s (bits %s) on cpu %d, pass %d",
                pattern, offset, d.get("virtualAddress"), d.get("physicalAddress"), d.get("read"), d.get("expected"), d.get("bits"),
                ctx.cpu(), ctx.iteration()), d);
    }

    static List<Integer> bits(long xor) {
        List<Integer> b = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((xor >>> i & 1) != 0) {
                b.add(i);
            }
        }
        return b;
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
        long n = errors.get();
        ctx.measurement(new Measurement("memory_errors_total", n, "errors", null, 0.0, Map.of()));
        if (n > 0) {
            ctx.log(LogLevel.ERROR, String.format(Locale.ROOT, "%d word(s) wrong; bits affected %s; virtual addresses 0x%x..0x%x",
                    n, bits(bitsAffected), lowAddress, highAddress));
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
        held.clear();
        sources.clear();
    }
}
