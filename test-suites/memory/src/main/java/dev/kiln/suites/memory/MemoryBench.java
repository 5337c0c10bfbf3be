package dev.kiln.suites.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * Benchmark for issue 6 (run by {@code bench/memory.sh} beside {@code membw}, memtester and
 * stressapptest): the suite's own fill and verify loops (the solid-bits family) in GB/s on 1 and 2
 * threads over the same buffer size as membw, best of N after first touch; the whole family set on
 * 1 GiB (the memtester comparison); and the checksummed copy's throughput. Prints figures only.
 */
public final class MemoryBench {
    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        double gib = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long bytes = ((long) (gib * (1L << 30))) & ~4095L;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment all = arena.allocate(bytes, 4096);
            all.fill((byte) 0); // first touch, outside the timing
            for (int threads = 1; threads <= 2; threads++) {
                double fill = best(reps, threads, all, true);
                double verify = best(reps, threads, all, false);
                System.out.printf(Locale.ROOT, "kiln threads=%d fill_GBps=%.2f verify_GBps=%.2f%n", threads, fill, verify);
            }
            // The memtester-equivalent set: every pattern family once over the buffer, on 2 threads.
            long t0 = System.nanoTime();
            parallel(2, all, (seg, worker) -> {
                for (Family f : Family.all()) {
                    if (f.pattern() != null) {
                        Passes.pattern(f.pattern(), seg, 1, 7, () -> { }, (p, s, w, e, r) -> { });
                    } else if (f.op() != null) {
                        Passes.compare(f.op(), seg, 7, () -> { }, (p, s, w, e, r) -> { });
                    } else if (f.id().equals(Family.MOVING_INVERSIONS)) {
                        Passes.movingInversions(seg, 7, () -> { }, (p, s, w, e, r) -> { });
                    }
                }
            });
            System.out.printf(Locale.ROOT, "kiln memtester-set seconds=%.2f (%.2f GiB, 2 threads)%n", (System.nanoTime() - t0) / 1e9, gib);
            long c0 = System.nanoTime();
            int copies = 3;
            parallel(2, all, (seg, worker) -> {
                for (int i = 0; i < copies; i++) {
                    Passes.copy(seg, i, 11, b -> { }, (p, s, w, e, r) -> { });
                }
            });
            double secs = (System.nanoTime() - c0) / 1e9;
            // each call writes half the buffer once, then moves it COPY_PASSES times, checksumming every move
            System.out.printf(Locale.ROOT, "kiln copy MBps=%.0f (copied bytes per second, 2 threads)%n",
                    copies * Passes.COPY_PASSES * (bytes / 2.0) / secs / 1e6);
        }
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

    static double best(int reps, int threads, MemorySegment all, boolean fill) throws Exception {
        double best = 0;
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            parallel(threads, all, (seg, worker) -> {
                if (fill) {
                    Passes.fill(Pattern.SOLID_BITS, seg, 1, 0);
                } else {
                    Passes.verify(Pattern.SOLID_BITS, seg, 1, 0, (p, s, w, e, x) -> { });
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
