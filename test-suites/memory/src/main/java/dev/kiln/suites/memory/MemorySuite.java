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
                    new ParameterSpec("segment-size", "64MiB", "allocation unit"),
                    new ParameterSpec("families", "all", "comma-separated families, or all: " + String.join(", ",
                            Family.all().stream().map(Family::id).toList())),
                    new ParameterSpec("copy-moves", "16", "copies per round of the copy family (the first is followed by an in-place inversion)"),
                    new ParameterSpec("lock", "true", "lock the pages in RAM with mlock where allowed"),
                    new ParameterSpec("max-corrected-errors", "0", "EDAC corrected errors allowed to appear during the run"),
                    new ParameterSpec("report-per-worker", "64", "errors each worker reports in full; all are counted")),
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
        long moves = p.getLong("copy-moves");
        if (moves < 1 || moves > 1024) {
            throw new Parameters.InvalidParameterException("copy-moves", "must be in 1..1024, got " + moves);
        }
        if (p.getLong("max-corrected-errors") < 0 || p.getLong("report-per-worker") < 0) {
            throw new Parameters.InvalidParameterException("max-corrected-errors", "and report-per-worker must be >= 0");
        }
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
        arena = Arena.ofShared();
        int locked = 0;
        int segments = 0;
        for (int w = 0; w < workers; w++) {
            List<MemorySegment> mine = new ArrayList<>();
            for (long left = per; left >= 16; left -= segSize) {
                MemorySegment s = arena.allocate(Math.min(segSize, left) & ~15L, 4096);
                s.fill((byte) 0); // first touch here, outside the timed passes
                if (p.getBoolean("lock") && Native.mlock(s)) {
                    locked++;
                }
                mine.add(s);
                segments++;
            }
            perWorker.add(mine);
        }
        ctx.log(LogLevel.INFO, String.format(Locale.ROOT, "testing %d MiB: %d worker(s), %d segment(s), %d locked in RAM%s",
                total >> 20, workers, segments, locked, locked == segments ? "" : " (mlock refused for the rest: they may be swapped)"));
        if (families.stream().anyMatch(f -> f.id().equals(Family.COPY))) {
            ctx.log(LogLevel.INFO, "checksummed copies: " + Copier.engine(ctx.environment().os(), ctx.environment().arch()));
        }
        ctx.measurement("memory_tested_bytes", (double) per * workers, "bytes");
        ctx.measurement("memory_locked_ratio", segments == 0 ? 0 : (double) locked / segments, "ratio");
        edacBefore = Edac.counts();
    }

    @Override
    public void run(WorkerContext ctx) {
        List<MemorySegment> mine = perWorker.get(ctx.workerIndex());
        long cap = ctx.parameters().getLong("report-per-worker");
        int moves = (int) ctx.parameters().getLong("copy-moves");
        long[] reported = {0};
        Passes.Errors reporter = (pattern, seg, word, expected, read) -> report(ctx, mine, pattern, seg, word, expected, read, reported, cap);
        Copier copier = new Copier();
        long mineBytes = mine.stream().mapToLong(MemorySegment::byteSize).sum();
        while (ctx.keepRunning()) {
            Family f = families.get((int) (ctx.iteration() % families.size()));
            boolean fault = ctx.injectFault(f.id());
            long t0 = System.nanoTime();
            if (f.id().equals(Family.COPY)) {
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
            } else {
                long done = 0;
                for (int si = 0; si < mine.size(); si++) {
                    if (si > 0 && ctx.timeUp()) {
                        break; // the budget is spent: end the round after the segments done (each fully checked)
                    }
                    MemorySegment seg = mine.get(si);
                    long salt = ctx.random().nextLong();
                    boolean here = fault && si == 0;
                    Runnable flip = () -> {
                        if (here) {
                            flipBit(seg, Family.faultWord(f.id(), seg.byteSize() / 8));
                        }
                    };
                    if (f.pattern() != null) {
                        Passes.pattern(f.pattern(), seg, ctx.iteration(), salt, flip, reporter);
                    } else if (f.op() != null) {
                        Passes.compare(f.op(), seg, salt, flip, reporter);
                    } else {
                        Passes.movingInversions(seg, salt, flip, reporter);
                    }
                    done += seg.byteSize();
                }
                nanosDone.addAndGet(System.nanoTime() - t0);
                bytesDone.addAndGet(done);
                ctx.progress(done);
                ctx.verified(done / 8); // every family reads back and compares every word it wrote
                continue;
            }
            nanosDone.addAndGet(System.nanoTime() - t0);
            bytesDone.addAndGet(mineBytes);
            ctx.progress(mineBytes);
            ctx.verified(mineBytes / 8);
        }
    }

    private static void flipBit(MemorySegment seg, long word) {
        long v = seg.getAtIndex(ValueLayout.JAVA_LONG, word);
        seg.setAtIndex(ValueLayout.JAVA_LONG, word, v ^ (1L << Family.FAULT_BIT));
    }

    private void report(WorkerContext ctx, List<MemorySegment> mine, String pattern, MemorySegment seg, long word, long expected,
                        long read, long[] reported, long cap) {
        errors.incrementAndGet();
        long reread = seg.getAtIndex(ValueLayout.JAVA_LONG, word);
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
    }
}
