package dev.kiln.suites.gpu;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark of the GPU suite's kernels (run by {@code bench/gpu.sh} beside {@code fmapeak} and
 * {@code membw}): on every OpenCL device of the type given (default all), the FMA chains' FLOP/s
 * and the device-memory pass's bytes/s (written and read), best of N after a warm-up, every result
 * still checked. Prints figures only.
 */
public final class GpuBench {
    private GpuBench() {
    }

    /** Arguments: [device type: all] [repetitions: 5] [MiB of device memory: 256]. */
    public static void main(String[] args) throws Exception {
        String type = args.length > 0 ? args[0] : "all";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long bytes = (args.length > 2 ? Long.parseLong(args[2]) : 256) << 20;
        List<OpenCl.Device> devices = OpenCl.devices().stream().filter(d -> type.equals("all") || d.type().equals(type)).toList();
        if (devices.isEmpty()) {
            System.out.println("gpu: no OpenCL device of type " + type);
            return;
        }
        int items = 262144;
        int iterations = 4096;
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[items];
        float[] b = new float[items];
        float[] x0 = new float[items];
        for (int g = 0; g < items; g++) {
            a[g] = 0.5f + 0.49f * (float) r.nextDouble();
            b[g] = 0.25f + 0.75f * (float) r.nextDouble();
            x0[g] = 0.25f + 0.75f * (float) r.nextDouble();
        }
        String source = GpuSuite.kernelSource();
        int[] golden = DeviceRun.golden(a, b, x0, iterations);
        for (OpenCl.Device d : devices) {
            try (DeviceRun run = new DeviceRun(d, source, a, b, x0, iterations, golden, Math.min(bytes, d.maxAllocation()))) {
                double flops = 0;
                double mem = 0;
                for (int i = 0; i <= reps; i++) {
                    long t0 = System.nanoTime();
                    int wrong = run.runChains(-1).size();
                    double f = run.flops() / ((System.nanoTime() - t0) / 1e9);
                    long m0 = System.nanoTime();
                    long bad = run.memoryPass(i * 7919, i % Reference.MODES.length, -1, 0).wrong();
                    double g = run.words * 8.0 / ((System.nanoTime() - m0) / 1e9);
                    if (wrong != 0 || bad != 0) {
                        throw new IllegalStateException(d.name() + ": " + wrong + " wrong FMA results, " + bad + " wrong words");
                    }
                    if (i > 0) { // the first round warms up (and, on PoCL, compiles)
                        flops = Math.max(flops, f);
                        mem = Math.max(mem, g);
                    }
                }
                System.out.printf(Locale.ROOT, "gpu device=\"%s\" type=%s fma_GFLOPs=%.1f memory_GBps=%.2f (FP32 FMA chains checked bit for bit; "
                        + "memory written and read by the device)%n", d.name(), d.type(), flops / 1e9, mem / 1e9);
            }
        }
    }
}
