package dev.kiln.suites.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * Benchmark for issue 6 (run by {@code bench/memory.sh} beside {@code membw}, memtester and
 * stressapptest): the suite's own fill (periodic and computed patterns) and verify loops in GB/s on
 * 1 and 2 threads over the same buffer size as membw, best of N after first touch; the family set
 * with memtester's sweep counts (the memtester comparison); and the checksummed copy's throughput.
 * Prints figures only.
 */
public final class MemoryBench {
    private MemoryBench() {
    }

    /** Arguments: [GiB for fill/verify/patterns, 1] [repetitions, 5] [GiB for the copy, 4] [copy: the copy only]. */
    public static void main(String[] args) throws Exception {
        double gib = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long bytes = ((long) (gib * (1L << 30))) & ~4095L;
        boolean copyOnly = args.length > 3 && args[3].equals("copy");
        if (!copyOnly) {
            patterns(gib, reps, bytes);
        }
        copy(args.length > 2 ? Double.parseDouble(args[2]) : 4);
    }

    private static void patterns(double gib, int reps, long bytes) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment all = arena.allocate(bytes, 4096);
            all.fill((byte) 0); // first touch, outside the timing
            // every family once first, as the suite runs them, so the JIT sees the suite's mix
            parallel(2, all, (seg, worker) -> {
                for (Family f : Family.all()) {
                    if (f.pattern() != null) {
                        Passes.pattern(f.pattern(), seg, 0, 3, () -> { }, (p, s, w, e, r) -> { });
                    } else if (f.op() != null) {
                        Passes.compare(f.op(), seg, 3, () -> { }, (p, s, w, e, r) -> { });
                    } else if (f.id().equals(Family.MOVING_INVERSIONS)) {
                        Passes.movingInversions(seg, 3, () -> { }, (p, s, w, e, r) -> { });
                    }
                }
            });
            for (int threads = 1; threads <= 2; threads++) {
                double fill = best(reps, threads, all, 0);
                double computed = best(reps, threads, all, 1);
                parallel(threads, all, (seg, worker) -> Passes.fill(Pattern.SOLID_BITS, seg, 1, 0)); // what the verify rounds read
                double verify = best(reps, threads, all, 2);
                System.out.printf(Locale.ROOT, "kiln threads=%d fill_GBps=%.2f fill_computed_GBps=%.2f verify_GBps=%.2f%n", threads, fill, computed,
                        verify);
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
                        if (f.pattern() != null) {
                            Passes.pattern(f.pattern(), seg, pass, 7, () -> { }, (p, s, w, e, r) -> { });
                        } else if (f.op() != null) {
                            Passes.compare(f.op(), seg, 7 + pass, () -> { }, (p, s, w, e, r) -> { });
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

    /** The checksummed copy, as the suite runs it (64 MiB segments, 16 moves a round), on 2 threads. */
    private static void copy(double copyGib) throws Exception {
        long copyBytes = ((long) (copyGib * (1L << 30))) & ~4095L;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment all = arena.allocate(copyBytes, 4096);
            all.fill((byte) 0);
            int threads = 2;
            int moves = 16;
            int rounds = 3;
            long segment = 64L << 20;
            Copier[] copiers = new Copier[threads];
            long w0 = System.nanoTime();
            parallel(threads, all, (seg, worker) -> {
                List<MemorySegment> segs = new ArrayList<>();
                for (long o = 0; o < seg.byteSize(); o += segment) {
                    segs.add(seg.asSlice(o, Math.min(segment, seg.byteSize() - o) & ~15L));
                }
                Copier c = new Copier();
                copiers[worker] = c;
                for (int r = 0; r < rounds; r++) {
                    long bad = c.run(segs, 11 + r, moves, Copier.Hook.NONE, (p, s, w, e, x) -> { });
                    if (bad != 0) {
                        throw new IllegalStateException(bad + " words wrong in the copy benchmark");
                    }
                }
            });
            double wall = (System.nanoTime() - w0) / 1e9;
            double copyRate = 0;
            long copied = 0;
            for (Copier c : copiers) {
                copyRate += c.copiedBytes() / (c.copyNanos() / 1e9);
                copied += c.copiedBytes();
            }
            System.out.printf(Locale.ROOT, "kiln copy MBps=%.0f (bytes copied per second during the moves, %d threads, %.1f GiB, %s)%n",
                    copyRate / 1e6, threads, copyGib, Copier.engine(System.getProperty("os.name"), System.getProperty("os.arch")));
            System.out.printf(Locale.ROOT, "kiln copy-round MBps=%.0f (bytes copied per second of whole rounds: write, %d moves, inversion, final check)%n",
                    copied / wall / 1e6, moves);
        }
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
    static double best(int reps, int threads, MemorySegment all, int what) throws Exception {
        double best = 0;
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            parallel(threads, all, (seg, worker) -> {
                switch (what) {
                    case 0 -> Passes.fill(Pattern.SOLID_BITS, seg, 1, 0);
                    case 1 -> Passes.fill(Pattern.ADDRESS, seg, 1, 0);
                    default -> {
                        if (Passes.verify(Pattern.SOLID_BITS, seg, 1, 0, (p, s, w, e, x) -> { }) != 0) {
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
