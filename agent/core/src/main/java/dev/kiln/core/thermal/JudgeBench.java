package dev.kiln.core.thermal;

import dev.kiln.core.runner.StageWindow;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark for issue 28, item 7 (run by {@code bench/judge.sh}): the judge on a synthetic 1 Hz
 * trace of {@code days} × {@code channels} (temperatures, clocks with active ratios, power, fans) with
 * a stage over it, in this JVM's heap; beside it, the anchor: the time to read the same file once,
 * line by line. Prints time, the ratio to the anchor and the peak heap, or that the heap ran out.
 * Decides nothing.
 *
 * <p>{@code write FILE DAYS CHANNELS} writes the trace; {@code judge FILE} reads and judges it.
 */
public final class JudgeBench {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private JudgeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("write")) {
            write(Path.of(args[1]), Double.parseDouble(args[2]), Integer.parseInt(args[3]));
        } else if (args.length == 2 && args[0].equals("judge")) {
            judge(Path.of(args[1]));
        } else {
            System.err.println("usage: JudgeBench write FILE DAYS CHANNELS | judge FILE");
            System.exit(64);
        }
    }

    /** The stage of a trace of {@code seconds}: 10 min of baseline, 10 of cool-down, the hold between. */
    static StageWindow stage(long seconds) {
        return new StageWindow("together", T0, T0.plusSeconds(600), T0.plusSeconds(seconds - 600), T0.plusSeconds(seconds));
    }

    static void write(Path file, double days, int channels) throws IOException {
        long n = Math.round(days * 86_400);
        int temps = channels / 2;
        int clusters = channels / 8;
        int power = channels / 8;
        int fans = channels - temps - 2 * clusters - power;
        StringBuilder h = new StringBuilder("timestamp");
        for (int i = 0; i < temps; i++) {
            h.append(",smc_T").append(i).append("_celsius");
        }
        for (int i = 0; i < clusters; i++) {
            h.append(",cluster_p").append(i).append("_freq_hertz,cluster_p").append(i).append("_active_ratio");
        }
        for (int i = 0; i < power; i++) {
            h.append(",rail").append(i).append("_watts");
        }
        for (int i = 0; i < fans; i++) {
            h.append(",fan").append(i).append("_rpm");
        }
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write(h.toString());
            w.newLine();
            StringBuilder row = new StringBuilder(channels * 8);
            for (long t = 0; t < n; t++) {
                boolean load = t >= 600 && t < n - 600;
                row.setLength(0);
                row.append(T0.plusSeconds(t));
                double heat = load ? 80 - 35 * Math.exp(-(t - 600) / 120.0) : 45;
                for (int i = 0; i < temps; i++) {
                    long cents = Math.round((heat + (i % 7) * 0.5 + ((t * 31 + i) % 13) * 0.01) * 100); // "%.2f", without its cost
                    row.append(',').append(cents / 100).append('.').append((char) ('0' + cents % 100 / 10)).append((char) ('0' + cents % 10));
                }
                for (int i = 0; i < clusters; i++) {
                    row.append(',').append(load ? 3_200_000_000L : 1_000_000_000L).append(',').append(load ? "0.98" : "0.05");
                }
                for (int i = 0; i < power; i++) {
                    row.append(',').append(load ? "12.5" : "1.5");
                }
                for (int i = 0; i < fans; i++) {
                    row.append(',').append(load ? 2400 : 900);
                }
                w.write(row.toString());
                w.newLine();
            }
        }
        System.out.printf(Locale.ROOT, "trace %.2f day(s) x %d channels: %d rows, %.1f MB%n", days, channels, n, Files.size(file) / 1e6);
    }

    static void judge(Path file) throws IOException {
        long r0 = System.nanoTime();
        long lines = 0;
        try (BufferedReader r = Files.newBufferedReader(file)) {
            while (r.readLine() != null) {
                lines++;
            }
        }
        double readSeconds = (System.nanoTime() - r0) / 1e9;
        System.out.printf(Locale.ROOT, "anchor: reading the file once, line by line: %.2f s (%d lines)%n", readSeconds, lines);
        java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> { // the heap in use, every 5 ms: the peak is sampled, not summed per pool
            java.lang.management.MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
            }
        });
        long t0 = System.nanoTime();
        try (java.io.InputStream r = Files.newInputStream(file); Trace trace = Trace.parse(r)) {
            double parsed = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  read into columns: %.2f s = %.2f x the read%n", parsed, parsed / readSeconds);
            long seconds = (trace.millis(trace.size() - 1) - trace.millis(0)) / 1000 + 1;
            ThermalJudge.Judgement j = ThermalJudge.judge(trace, List.of(stage(seconds)), ThermalLimits.NONE, Map.of());
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "judge: %s in %.2f s = %.2f x the read (goal <= 2), peak heap %.0f MiB of %.0f (goal < 256)%s%n",
                    j.status(), s, s / readSeconds, peak.get() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0,
                    trace.spilled() ? ", the trace in a temporary file" : "");
        } catch (OutOfMemoryError e) {
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "judge: out of memory after %.2f s in a heap of %.0f MiB (the judge holds the whole trace)%n", s,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
        } finally {
            sampler.interrupt();
        }
    }
}
