package dev.kiln.suites.gpu;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark of the GPU suite's kernels (run by {@code bench/gpu.sh} beside {@code fmapeak} and
 * {@code membw}): on every OpenCL device of the type given (default all), the dense FMA kernel's
 * FLOP/s (best launch after a warm-up, every launch still checked) and what its check costs, the
 * device-memory pass's bytes/s, and the transfers' bytes/s by path. Prints figures only.
 */
public final class GpuBench {
    private GpuBench() {
    }

    /** Arguments: [device type: all] [launches: 10] [MiB of device memory: 256] [FMA iterations: 16384]. */
    public static void main(String[] args) throws Exception {
        String type = args.length > 0 ? args[0] : "all";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        long bytes = (args.length > 2 ? Long.parseLong(args[2]) : 256) << 20;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 16384;
        List<OpenCl.Device> devices = OpenCl.devices().stream().filter(d -> type.equals("all") || d.type().equals(type)).toList();
        if (devices.isEmpty()) {
            System.out.println("gpu: no OpenCL device of type " + type);
            return;
        }
        int items = GpuSuite.items("auto", devices);
        DeviceRun.Inputs in = DeviceRun.Inputs.seeded(items, new SplittableRandom(1));
        float[] a = in.a();
        float[] b = in.b();
        float[] x0 = in.x0();
        float[] golden = DeviceRun.golden(a, b, x0, iterations, Runtime.getRuntime().availableProcessors());
        String source = GpuSuite.kernelSource();
        for (OpenCl.Device d : devices) {
            try (DeviceRun run = new DeviceRun(d, source, a, b, x0, iterations, golden, Math.min(bytes, d.maxAllocation()) & ~3L)) {
                double bestFlops = 0;
                long kernel = 0;
                long check = 0;
                long poison = 0;
                long wrong = 0;
                run.runDense(-1, 0, DeviceRun.Drop.NONE); // warm-up
                for (int i = 0; i < reps; i++) {
                    wrong += run.runDense(-1, 0, DeviceRun.Drop.NONE).size();
                    kernel += run.lastKernelNanos;
                    check += run.lastCheckNanos;
                    poison += run.lastPoisonNanos;
                    bestFlops = Math.max(bestFlops, run.flops() / (run.lastKernelNanos / 1e9));
                }
                double bestMem = 0;
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    DeviceRun.MemoryResult m = run.memoryPass(i, i % Reference.MODES.length, -1, 0, false, 1 << 18, new SplittableRandom(i));
                    wrong += m.wrong() + m.hostOnly().size();
                    bestMem = Math.max(bestMem, run.words * 8.0 / ((System.nanoTime() - t0) / 1e9));
                }
                long[] sizes = {4096, 1 << 20, Math.min(32L << 20, d.maxAllocation()) & ~3L};
                double plain = 0;
                double mapped = 0;
                for (int i = 0; i < 3; i++) {
                    for (DeviceRun.TransferResult t : run.transfers(sizes, i, -1, 0)) {
                        wrong += t.wrong().size();
                        if (t.bytes() == sizes[2]) {
                            double rate = t.bytes() * 2.0 / (t.nanos() / 1e9);
                            if (t.path().equals("plain")) {
                                plain = Math.max(plain, rate);
                            } else {
                                mapped = Math.max(mapped, rate);
                            }
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "gpu device %s: items=%d chains=%d iterations=%d fma_GFLOPs=%.2f check_share=%.4f poison_share=%.4f "
                                + "memory_GBps=%.2f transfer_plain_GBps=%.2f transfer_mapped_GBps=%.2f wrong=%d%n", d.describe().replace(' ', '_'), items,
                        DeviceRun.CHAINS, iterations, bestFlops / 1e9, check / (double) kernel, poison / (double) kernel, bestMem / 1e9, plain / 1e9,
                        mapped / 1e9, wrong);
            }
        }
    }
}
