package dev.kiln.suites.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;

/**
 * Benchmark of the CPU suite's kernels, run by {@code bench/cpu.sh} beside the C reference
 * {@code fmapeak}: the FMA kernel's GFLOP/s on 1 and 2 threads, and the cost of verification
 * (verified against unverified throughput) of every kernel. Measurements are best-of-N after a
 * warm-up, and verified and unverified rounds alternate so that machine noise hits both alike.
 * Not a test: it prints figures, it decides nothing.
 */
public final class KernelBench {
    private KernelBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int maxThreads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        FmaMatrixKernel fma;
        if (FmaMatrixKernel.vectorApiPresent()) {
            // as the suite chooses it: every block shape timed, the fastest run
            // the block the suite uses by default, and every block timed (what -P cpu.fma-shape=calibrate would choose)
            FmaShape chosen = FmaShape.forCore(FmaVectorPath.vectorBits(), System.getProperty("os.arch"));
            java.util.Map<FmaShape, Double> speeds = FmaVectorPath.calibrate(300_000_000L, 10_000_000_000L);
            System.out.println("# fma-matrix blocks timed on one core: " + FmaVectorPath.format(speeds) + "; the suite's default here: "
                    + chosen.id());
            fma = new FmaMatrixKernel(true, chosen);
        } else {
            fma = new FmaMatrixKernel(false);
        }
        fma.prepare(new SplittableRandom(1));
        System.out.println("# cpu: " + cpuModel());
        System.out.println("# fma-matrix path: " + fma.path());
        for (int threads = 1; threads <= maxThreads; threads *= 2) {
            rate(fma, threads, true, seconds); // warm-up
            double best = 0;
            for (int i = 0; i < 5; i++) {
                best = Math.max(best, rate(fma, threads, true, seconds));
            }
            System.out.printf(Locale.ROOT, "fma-gflops threads=%d %.2f%n", threads, best / 1e9);
        }
        if (maxThreads >= 2) {
            spread(fma, seconds);
        }
        // Verification cost: pairs of short verified and unverified samples, in alternating order;
        // the median of the pairs' ratios cancels the drift of a shared machine.
        for (Kernel k : KernelSet.kernels()) {
            k.prepare(new SplittableRandom(2));
            rate(k, 1, true, seconds / 2);
            rate(k, 1, false, seconds / 2);
            int pairs = 21;
            double[] ratios = new double[pairs];
            double verified = 0;
            double unverified = 0;
            for (int i = 0; i < pairs; i++) {
                double v;
                double u;
                if (i % 2 == 0) {
                    v = rate(k, 1, true, seconds / 4);
                    u = rate(k, 1, false, seconds / 4);
                } else {
                    u = rate(k, 1, false, seconds / 4);
                    v = rate(k, 1, true, seconds / 4);
                }
                ratios[i] = u / v;
                verified = Math.max(verified, v);
                unverified = Math.max(unverified, u);
            }
            java.util.Arrays.sort(ratios);
            System.out.printf(Locale.ROOT,
                    "verify-cost kernel=%s unit=%s verified=%.4g unverified=%.4g cost=%.2f%% (quartiles %.2f%% .. %.2f%%)%n",
                    k.name(), k.unit(), verified, unverified, 100.0 * (ratios[pairs / 2] - 1),
                    100.0 * (ratios[pairs / 4] - 1), 100.0 * (ratios[3 * pairs / 4] - 1));
        }
    }

    /**
     * Whether a second thread slows the first: samples of one and of two threads alternate in this JVM
     * (the same compiled code), and each thread's own rate is kept; the medians of the two are compared.
     * Their spread is printed too: the best-of-5 figures above take the best sum, and two threads are
     * rarely both at their best in the same sample.
     */
    static void spread(Kernel k, double seconds) throws Exception {
        List<Double> one = new ArrayList<>();
        List<Double> two = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int threads = 1 + i % 2;
            double[] per = perThread(k, threads, true, seconds);
            for (double v : per) {
                (threads == 1 ? one : two).add(v / 1e9);
            }
        }
        System.out.printf(Locale.ROOT, "fma-spread threads=1 median=%.2f min=%.2f max=%.2f samples=%d%n", median(one),
                java.util.Collections.min(one), java.util.Collections.max(one), one.size());
        System.out.printf(Locale.ROOT, "fma-spread threads=2 per-thread median=%.2f min=%.2f max=%.2f samples=%d%n", median(two),
                java.util.Collections.min(two), java.util.Collections.max(two), two.size());
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    /** Each thread's own work units per second, {@code threads} threads running the kernel for {@code seconds}. */
    static double[] perThread(Kernel k, int threads, boolean verify, double seconds) throws Exception {
        double[] per = new double[threads];
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        long[] sink = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            Kernel.Runner r = k.newRunner();
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    long t0 = System.nanoTime();
                    long end = t0 + (long) (seconds * 1e9);
                    long runs = 0;
                    long acc = 0;
                    long now;
                    do {
                        acc ^= r.run(false, verify);
                        runs++;
                        now = System.nanoTime();
                    } while (now < end);
                    sink[id] = acc;
                    per[id] = runs * (double) k.workPerRun() / ((now - t0) / 1e9);
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
        per[0] += sink[0] == 42 ? 1e-300 : 0; // keep the results alive
        return per;
    }

    /** Work units per second of {@code threads} threads each running the kernel for {@code seconds}. */
    static double rate(Kernel k, int threads, boolean verify, double seconds) throws Exception {
        double total = 0;
        for (double v : perThread(k, threads, verify, seconds)) {
            total += v;
        }
        return total;
    }

    /** The CPU's model name as the OS gives it (Linux /proc/cpuinfo, macOS sysctl), for the benchmark's figures. */
    static String cpuModel() {
        try {
            java.nio.file.Path info = java.nio.file.Path.of("/proc/cpuinfo");
            if (java.nio.file.Files.exists(info)) {
                for (String line : java.nio.file.Files.readAllLines(info)) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            }
            Process p = new ProcessBuilder("/usr/sbin/sysctl", "-n", "machdep.cpu.brand_string").redirectErrorStream(true).start();
            return new String(p.getInputStream().readAllBytes()).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
