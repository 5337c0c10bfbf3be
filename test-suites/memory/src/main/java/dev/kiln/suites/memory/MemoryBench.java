package dev.kiln.suites.memory;

import dev.kiln.suites.memory.loops.LaneLoops;
import dev.kiln.suites.memory.loops.Lanes;
import dev.kiln.suites.memory.loops.MemShape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;

/**
 * Benchmark for issue 6 (run by {@code bench/memory.sh} beside {@code membw}, memtester and
 * stressapptest): the suite's own fill (periodic and computed patterns) and verify loops in GB/s on
 * 1 and 2 threads over the same buffer size as membw, best of N after first touch; the family set
 * with memtester's sweep counts (the memtester comparison); and the checksummed copy's throughput.
 * Prints figures only.
 */
public final class MemoryBench {
    /** Whether the buffers ask for transparent huge pages as the suite's segments do ({@code -Dkiln.bench.huge=false}: not, to measure what they bring). */
    private static final boolean HUGE = Boolean.parseBoolean(System.getProperty("kiln.bench.huge", "true"));

    private MemoryBench() {
    }

    /**
     * Arguments: [GiB for fill/verify/patterns, 1] [repetitions, 5] [GiB for the copy, 4] [what: all
     * (default), copy (the copy only), fill (fill and verify only), rest (all but fill and verify)]
     * [loop shape: auto (default), calibrate, or one such as 512x2] [copy strategy: auto (default),
     * calibrate, or a name] [fill strategy: the same]. "copy-only" as what: the chosen copy
     * strategy's rounds alone (the benchmark's pairs with membw and stressapptest), no strategy
     * table and no checking cost.
     */
    public static void main(String[] args) throws Exception {
        double gib = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long bytes = ((long) (gib * (1L << 30))) & ~4095L;
        String what = args.length > 3 ? args[3] : "all";
        String shape = args.length > 4 ? args[4] : "auto";
        String copyAsked = args.length > 5 ? args[5] : "auto";
        String fillAsked = args.length > 6 ? args[6] : "auto";
        if (!what.equals("copy") && !what.equals("copy-only")) {
            patterns(gib, reps, bytes, shape, what, fillAsked);
        }
        if (!what.equals("fill")) {
            copy(args.length > 2 ? Double.parseDouble(args[2]) : 4, copyAsked, !what.equals("copy-only"));
        }
    }

    /** The suite's default segment size: the copies move blocks between the halves of each, the fills replicate into each. */
    static final long SEGMENT = Long.getLong("kiln.bench.segment-mib", 4) << 20;

    /** The strategy the suite would choose here for {@code asked} (timed as the suite's prepare does, on 256 MiB of {@code all}, where it must be). */
    private static Mover choose(String asked, boolean copy, MemorySegment all, Arena arena) {
        List<Mover> offered = copy ? Mover.copies(SEGMENT) : Mover.fills(SEGMENT);
        MemorySegment buf = all.asSlice(0, Math.min(all.byteSize(), MemorySuite.STRATEGY_BYTES));
        MoverChoice.Choice c = MoverChoice.choose(asked, offered, offered, copy ? 0 : 1, copy ? "copy" : "fill", MoverChoice.cpuKey(),
                o -> copy ? MoverChoice.timeCopies(o, buf, SEGMENT, 3) : MoverChoice.timeFills(o, buf, SEGMENT, 3, arena));
        System.out.println("kiln " + MoverChoice.describe(c, copy ? "copies" : "periodic fills", copy ? "copy" : "fill"));
        return c.mover();
    }

    private static void patterns(double gib, int reps, long bytes, String shape, String what, String fillAsked) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Native.Memory m = Native.allocate(arena, bytes, Native.HUGE_PAGE, HUGE); // as the suite takes its segments
            MemorySegment all = m.segment();
            boolean huge = m.hugePages();
            all.fill((byte) 0); // first touch, outside the timing
            LaneLoops loops;
            if (shape.equals("calibrate")) {
                Map<MemShape, Double> speed = Lanes.calibrate(all.asSlice(0, Math.min(bytes, MemorySuite.CALIBRATION_BYTES)), 3);
                loops = Lanes.of(speed.keySet().iterator().next());
                System.out.println("kiln calibration (fill and verify, 1 thread, best of 3, as the suite's prepare): " + Lanes.format(speed));
            } else {
                loops = shape.equals("auto") ? Lanes.forMachine() : Lanes.of(MemShape.of(shape));
            }
            System.out.printf(Locale.ROOT, "kiln loop-shape=%s (%s; widest vectors here %d bits; transparent huge pages %s)%n", loops.shape().id(), shape,
                    Lanes.maxBits(), huge ? "asked for" : "not asked for");
            Mover fill = what.equals("rest") ? Mover.MEMCPY_256K : choose(fillAsked, false, all, arena);
            // every family once first, as the suite runs them, so the JIT sees the suite's mix
            parallel(2, all, (seg, worker) -> {
                for (Family f : Family.all()) {
                    switch (f) {
                        case Family.Patterned pf -> Passes.pattern(loops, pf.pattern(), seg, 0, 3, () -> { }, (p, s, w, e, r) -> { });
                        case Family.Comparison cf -> Passes.compare(cf.op(), seg, 3, () -> { }, (p, s, w, e, r) -> { });
                        case Family.MovingInversions mi -> Passes.movingInversions(seg, 3, () -> { }, (p, s, w, e, r) -> { });
                        case Family.BitFade bf -> { } // holds, not a sweep
                        case Family.Copy c -> { } // measured on its own below
                    }
                }
            });
            for (int threads = 1; threads <= 2 && !what.equals("rest"); threads++) {
                double periodic = best(loops, fill, reps, threads, all, 0);
                double computed = best(loops, fill, reps, threads, all, 1);
                parallel(threads, all, (seg, worker) -> Passes.fill(loops, Pattern.SOLID_BITS, seg, 1, 0)); // what the verify rounds read
                double verify = best(loops, fill, reps, threads, all, 2);
                System.out.printf(Locale.ROOT, "kiln threads=%d fill_GBps=%.2f fill_computed_GBps=%.2f verify_GBps=%.2f (periodic fill: %s)%n", threads,
                        periodic, computed, verify, fill.name());
            }
            if (what.equals("fill")) {
                return;
            }
            // The memtester-equivalent set: each family as many sweeps as `memtester` makes of it in
            // one loop (tests.c: stuck address 16, solid bits 64, checkerboard 64, block sequential
            // 256, walking ones and zeros 128 each, bit spread 128, bit flip 64 x 8, one each for
            // random, the six comparisons and sequential increment), every sweep a write and a check
            // of the whole buffer, on 2 threads. memtester has no moving inversions or copies.
            long t0 = System.nanoTime();
            long[] sweeps = {0};
            parallel(2, all, (seg, worker) -> {
                for (Family f : Family.all()) {
                    int n = memtesterSweeps(f.id());
                    for (int pass = 0; pass < n; pass++) {
                        if (f instanceof Family.Patterned pf) {
                            Passes.pattern(loops, pf.pattern(), seg, pass, 7, () -> { }, (p, s, w, e, r) -> { });
                        } else if (f instanceof Family.Comparison cf) {
                            Passes.compare(cf.op(), seg, 7 + pass, () -> { }, (p, s, w, e, r) -> { });
                        }
                    }
                    if (worker == 0) {
                        sweeps[0] += n;
                    }
                }
            });
            System.out.printf(Locale.ROOT, "kiln memtester-set seconds=%.2f (%d sweeps of %.2f GiB, 2 threads)%n", (System.nanoTime() - t0) / 1e9,
                    sweeps[0], gib);
        }
    }

    /**
     * The checksummed copy, as the suite runs it (regions of adjacent 4 MiB segments, 16 moves a round), on 2 threads:
     * every strategy offered here (interleaved rounds, the best of 3 each), then the one the suite
     * chooses for {@code asked}, and what checking its moves costs.
     */
    private static void copy(double copyGib, String asked, boolean everything) throws Exception {
        long copyBytes = ((long) (copyGib * (1L << 30))) & ~4095L;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment all = Native.allocate(arena, copyBytes, Native.HUGE_PAGE, HUGE).segment();
            all.fill((byte) 0);
            int threads = 2;
            int moves = 16;
            int rounds = 3;
            long segment = SEGMENT;
            List<Mover> offered = Mover.copies(segment);
            double[] best = new double[offered.size()];
            for (int r = everything ? -1 : 3; r < 3; r++) {
                for (int i = 0; i < offered.size(); i++) {
                    double rate = rate(copyRounds(all, threads, segment, 4, 1, 50 + r, true, offered.get(i)));
                    best[i] = r < 0 ? 0 : Math.max(best[i], rate);
                }
            }
            for (int i = 0; i < offered.size() && everything; i++) {
                System.out.printf(Locale.ROOT, "kiln copy-strategy %s MBps=%.0f (%d threads, best of 3 interleaved rounds of 4 moves)%n", offered.get(i).name(),
                        best[i] / 1e6, threads);
            }
            Mover mover = choose(asked, true, all, arena);
            if (!everything) {
                // compiles the strategy's loops, outside the figure, and lets the JIT's own threads
                // (which share this machine's CPUs with the workers) finish
                copyRounds(all, threads, segment, moves, 2, 7, true, mover);
            }
            // the best of `rounds` rounds, as membw reports the best of its repetitions
            double copyRate = 0;
            double roundRate = 0;
            StringBuilder each = new StringBuilder();
            Copier[] copiers = null;
            for (int r = 0; r < rounds; r++) {
                long w0 = System.nanoTime();
                copiers = copyRounds(all, threads, segment, moves, 1, 11 + r, true, mover);
                double wall = (System.nanoTime() - w0) / 1e9;
                long copied = 0;
                for (Copier c : copiers) {
                    copied += c.copiedBytes();
                }
                double rate = rate(copiers);
                each.append(String.format(Locale.ROOT, " %.0f", rate / 1e6));
                copyRate = Math.max(copyRate, rate);
                roundRate = Math.max(roundRate, copied / wall);
            }
            System.out.printf(Locale.ROOT, "kiln copy MBps=%.0f (bytes copied per second during the moves, best of %d rounds:%s; %d threads, %.1f GiB, %s)%n",
                    copyRate / 1e6, rounds, each, threads, copyGib, copiers[0].engine());
            System.out.printf(Locale.ROOT, "kiln copy-round MBps=%.0f (bytes copied per second of whole rounds: write, %d moves, inversion, final check; best round)%n",
                    roundRate / 1e6, moves);
            if (!everything) {
                return;
            }
            // what checking the moves costs: pairs of one round with and one without the sources'
            // checksums (the order alternating), on the same memory; the median of the pairs' ratios
            int pairs = 5;
            double[] cost = new double[pairs];
            StringBuilder pairsText = new StringBuilder();
            for (int p = 0; p < pairs; p++) {
                double checked = 0;
                double bare = 0;
                for (int k = 0; k < 2; k++) {
                    boolean check = (p + k) % 2 == 0;
                    double rate = rate(copyRounds(all, threads, segment, moves, 1, 100 + 2 * p + k, check, mover));
                    if (check) {
                        checked = rate;
                    } else {
                        bare = rate;
                    }
                }
                cost[p] = 1 - checked / bare;
                pairsText.append(String.format(Locale.ROOT, " %.0f/%.0f", checked / 1e6, bare / 1e6));
            }
            java.util.Arrays.sort(cost);
            System.out.printf(Locale.ROOT, "kiln copy-check-cost median=%.3f (moves checked / unchecked MB/s, %d pairs:%s)%n", cost[pairs / 2], pairs, pairsText);
        }
    }

    /**
     * {@code rounds} rounds of the copy on {@code threads} threads, each over its share of
     * {@code all} in segments of {@code segment} bytes, the moves' sources checked or not; the
     * threads' copiers.
     */
    private static Copier[] copyRounds(MemorySegment all, int threads, long segment, int moves, int rounds, long salt, boolean check, Mover mover)
            throws Exception {
        Copier[] copiers = new Copier[threads];
        parallel(threads, all, (seg, worker) -> {
            // the suite's copy regions (Round.copyRegions), over segments cut from this thread's share
            List<MemorySegment> cut = new ArrayList<>();
            for (long o = 0; o + segment <= seg.byteSize(); o += segment) {
                cut.add(seg.asSlice(o, segment));
            }
            List<MemorySegment> segs = Round.copyRegions(cut, seg, mover.blockBytes());
            Copier c = new Copier(mover, check);
            copiers[worker] = c;
            for (int r = 0; r < rounds; r++) {
                long bad = c.run(segs, salt + r, moves, Copier.Hook.NONE, (p, s, w, e, x) -> { });
                if (bad != 0) {
                    throw new IllegalStateException(bad + " words wrong in the copy benchmark");
                }
            }
        });
        return copiers;
    }

    /** Bytes copied per second during the moves, the threads' figures added. */
    private static double rate(Copier[] copiers) {
        double rate = 0;
        for (Copier c : copiers) {
            rate += c.copiedBytes() / (c.copyNanos() / 1e9);
        }
        return rate;
    }

    /** How many sweeps memtester 4.x makes of a family in one loop (0: memtester has no such test). */
    static int memtesterSweeps(String family) {
        return switch (family) {
            case "address" -> 16;
            case "solid-bits", "checkerboard" -> 64;
            case "block-sequential" -> 256;
            case "walking-ones", "walking-zeros", "bit-spread" -> 128;
            case "bit-flip" -> 512;
            case "random", "sequential-increment", "compare-xor", "compare-sub", "compare-mul", "compare-div", "compare-or", "compare-and" -> 1;
            default -> 0;
        };
    }

    interface Work {
        void run(MemorySegment seg, int worker) throws Exception;
    }

    static void parallel(int threads, MemorySegment all, Work w) throws Exception {
        long per = (all.byteSize() / threads) & ~15L;
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            MemorySegment seg = all.asSlice(t * per, per);
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    w.run(seg, id);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
    }

    /**
     * Best GB/s of {@code reps} rounds: 0, the solid-bits fill (a periodic pattern: one block written,
     * replicated with memcpy); 1, the address fill (computed word by word, plain stores); 2, the
     * solid-bits verify.
     */
    static double best(LaneLoops loops, Mover fill, int reps, int threads, MemorySegment all, int what) throws Exception {
        double best = 0;
        MemorySegment[] sources = new MemorySegment[threads];
        Arena arena = Arena.ofAuto();
        for (int t = 0; t < threads; t++) { // a source block per worker, as the suite's
            sources[t] = arena.allocate(fill.sourceBytes(SEGMENT), 4096);
            Passes.source(Pattern.SOLID_BITS, sources[t], 1, 0);
        }
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            parallel(threads, all, (seg, worker) -> {
                switch (what) {
                    case 0 -> { // the suite's periodic fill: segment by segment
                        for (long o = 0; o < seg.byteSize(); o += SEGMENT) {
                            Passes.fill(fill, Pattern.SOLID_BITS, seg.asSlice(o, Math.min(SEGMENT, seg.byteSize() - o)), sources[worker], 1, 0);
                        }
                    }
                    case 1 -> Passes.fill(loops, Pattern.ADDRESS, seg, 1, 0);
                    default -> {
                        if (Passes.verify(loops, Pattern.SOLID_BITS, seg, 1, 0, (p, s, w, e, x) -> { }) != 0) {
                            throw new IllegalStateException("the verify benchmark found words wrong: it must run on the solid-bits fill");
                        }
                    }
                }
            });
            double gbps = all.byteSize() / ((System.nanoTime() - t0) / 1e9) / 1e9;
            if (r > 0) { // the first round warms the JIT up
                best = Math.max(best, gbps);
            }
        }
        return best;
    }
}
