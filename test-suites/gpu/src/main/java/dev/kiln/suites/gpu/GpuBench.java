package dev.kiln.suites.gpu;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark of the GPU suite's kernels (run by {@code bench/gpu.sh} beside {@code fmapeak} and
 * {@code membw}): on every device of the type given (default all) of each API given (default OpenCL;
 * on a Mac {@code bench/gpu.sh} runs Metal and OpenCL, the same high-ILP kernel through both, so the
 * first Mac's figures choose the default), the dense FMA kernel's
 * FLOP/s (best launch after a warm-up, every launch still checked) and what its check costs, the
 * device-memory pass's bytes/s, and the transfers' bytes/s by path. Prints figures only.
 */
public final class GpuBench {
    private GpuBench() {
    }

    /** Arguments: [device type: all] [launches: 10] [MiB of device memory: 256] [FMA iterations: 16384] [apis: opencl, comma-separated]. */
    public static void main(String[] args) throws Exception {
        String type = args.length > 0 ? args[0] : "all";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        long bytes = (args.length > 2 ? Long.parseLong(args[2]) : 256) << 20;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 16384;
        for (String api : (args.length > 4 ? args[4] : "opencl").split(",")) {
            GpuBackend backend = GpuBackend.of(api, System.getProperty("os.name"));
            List<? extends GpuDevice> devices;
            try {
                devices = backend.devices().stream().filter(d -> type.equals("all") || d.type().equals(type)).toList();
            } catch (GpuBackend.Unavailable e) {
                System.out.println("gpu: " + api + ": " + e.getMessage());
                continue;
            }
            if (devices.isEmpty()) {
                System.out.println("gpu: no " + api + " device of type " + type);
                continue;
            }
            bench(backend, devices, type, reps, bytes, iterations);
        }
    }

    private static void bench(GpuBackend backend, List<? extends GpuDevice> devices, String type, int reps, long bytes, int iterations)
            throws Exception {
        int items = GpuSuite.items("auto", devices);
        GpuRun.Inputs in = GpuRun.Inputs.seeded(items, new SplittableRandom(1));
        float[] a = in.a();
        float[] b = in.b();
        float[] x0 = in.x0();
        float[] golden = GpuRun.golden(a, b, x0, iterations, Runtime.getRuntime().availableProcessors());
        for (GpuDevice d : devices) {
            try (GpuRun run = backend.open(d, a, b, x0, iterations, golden, Math.min(bytes, d.maxAllocation()) & ~3L)) {
                double bestFlops = 0;
                long kernel = 0;
                long check = 0;
                long poison = 0;
                long wrong = 0;
                run.runDense(-1, 0, GpuRun.Drop.NONE); // warm-up
                for (int i = 0; i < reps; i++) {
                    wrong += run.runDense(-1, 0, GpuRun.Drop.NONE).size();
                    kernel += run.lastKernelNanos;
                    check += run.lastCheckNanos;
                    poison += run.lastPoisonNanos;
                    bestFlops = Math.max(bestFlops, run.flops() / (run.lastKernelNanos / 1e9));
                }
                double bestMem = 0;
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    GpuRun.MemoryResult m = run.memoryPass(i, i % Reference.MODES.length, -1, 0, false, 1 << 18, new SplittableRandom(i));
                    wrong += m.wrong() + m.hostOnly().size();
                    bestMem = Math.max(bestMem, run.words * 8.0 / ((System.nanoTime() - t0) / 1e9));
                }
                long[] sizes = {4096, 1 << 20, Math.min(32L << 20, d.maxAllocation()) & ~3L};
                double plain = 0;
                double mapped = 0;
                for (int i = 0; i < 3; i++) {
                    for (GpuRun.TransferResult t : run.transfers(sizes, i, -1, 0)) {
                        wrong += t.wrong().size();
                        if (t.bytes() == sizes[2]) {
                            double rate = t.bytes() * 2.0 / (t.nanos() / 1e9);
                            if (!t.path().equals("mapped")) { // plain (OpenCL) or private (Metal)
                                plain = Math.max(plain, rate);
                            } else {
                                mapped = Math.max(mapped, rate);
                            }
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "gpu api=%s device %s: items=%d chains=%d iterations=%d fma_GFLOPs=%.2f check_share=%.4f poison_share=%.4f "
                                + "memory_GBps=%.2f transfer_plain_GBps=%.2f transfer_mapped_GBps=%.2f wrong=%d%n", backend.api(), d.describe().replace(' ', '_'), items,
                        GpuRun.CHAINS, iterations, bestFlops / 1e9, check / (double) kernel, poison / (double) kernel, bestMem / 1e9, plain / 1e9,
                        mapped / 1e9, wrong);
            }
        }
    }
}
