package dev.kiln.bundle;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark for issue 3 (run by {@code bench/bundle.sh} under {@code -Xmx256m}): seal and sign a
 * bundle holding 24 hours of 1 Hz telemetry with 64 channels (86,400 rows), write it to disk with
 * fsync, then verify it. Goals: seal under 2 s and 256 MiB of heap; verify under 1 s. Prints the
 * figures; decides nothing.
 */
public final class BundleBench {
    private BundleBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 86_400;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        byte[] csv = telemetry(rows, channels);
        if (args.length > 3) {
            Files.write(Path.of(args[3]), csv); // for the anchor tools in bench/bundle.sh
        }
        System.out.printf(Locale.ROOT, "# telemetry: %d rows x %d channels = %.1f MB of CSV%n", rows, channels, csv.length / 1e6);
        StationKey key = StationKey.generate();
        BundleIdentity id = new BundleIdentity("01a217c0-0000-7000-8000-000000000000", "BENCH", Map.of("serial", "BENCH"),
                "burn-in", "0x1", "bench", "PASS", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z", false);
        Path dir = Files.createTempDirectory("kiln-bench");
        HeapWatch heap = new HeapWatch();
        double bestSeal = Double.MAX_VALUE;
        double bestVerify = Double.MAX_VALUE;
        long size = 0;
        for (int r = 0; r < rounds; r++) {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(BundleNames.INVENTORY, "{}\n".getBytes(StandardCharsets.UTF_8));
            files.put(BundleNames.EVENTS, "{}\n".getBytes(StandardCharsets.UTF_8));
            files.put(BundleNames.SUMMARY, "{}\n".getBytes(StandardCharsets.UTF_8));
            files.put(BundleNames.TELEMETRY, csv);
            files.put(BundleNames.LOG, "\n".getBytes(StandardCharsets.UTF_8));
            long t0 = System.nanoTime();
            byte[] zip = BundleWriter.seal(id, files, key);
            Path out = dir.resolve("b.kiln.zip");
            Files.write(out, zip, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            double seal = (System.nanoTime() - t0) / 1e9;
            size = zip.length;
            long t1 = System.nanoTime();
            BundleVerifier.Result v = new BundleVerifier(TrustStore.of(key.publicKey()), BundleLimits.defaults())
                    .verify(Files.readAllBytes(out));
            double verify = (System.nanoTime() - t1) / 1e9;
            if (!v.valid()) {
                throw new IllegalStateException("bench bundle did not verify: " + v.problems());
            }
            bestSeal = Math.min(bestSeal, seal);
            bestVerify = Math.min(bestVerify, verify);
            System.out.printf(Locale.ROOT, "round %d: seal+sign+fsync %.3f s, verify %.3f s%n", r, seal, verify);
        }
        long peakHeap = heap.finish();
        System.out.printf(Locale.ROOT, "bundle-bench seal=%.3f verify=%.3f bundleBytes=%d maxHeapMiB=%d peakUsedHeapMiB=%.1f%n",
                bestSeal, bestVerify, size, Runtime.getRuntime().maxMemory() >> 20, peakHeap / 1048576.0);
        Files.deleteIfExists(dir.resolve("b.kiln.zip"));
        Files.deleteIfExists(dir);
    }

    /** Samples the used heap every few milliseconds and keeps the maximum. */
    private static final class HeapWatch extends Thread {
        private volatile boolean running = true;
        private long max;

        HeapWatch() {
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            var mem = ManagementFactory.getMemoryMXBean();
            while (running) {
                max = Math.max(max, mem.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long finish() throws InterruptedException {
            running = false;
            join();
            return max;
        }
    }

    /** Realistic-looking telemetry: random walks with two decimals, as sensors report them. */
    static byte[] telemetry(int rows, int channels) {
        SplittableRandom rnd = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder(rows * channels * 8);
        sb.append("timestamp");
        for (int c = 0; c < channels; c++) {
            sb.append(",channel_").append(c).append("_celsius");
        }
        sb.append('\n');
        double[] v = new double[channels];
        for (int c = 0; c < channels; c++) {
            v[c] = 40 + rnd.nextDouble(40);
        }
        Instant t = Instant.parse("2026-11-26T00:00:00Z");
        for (int r = 0; r < rows; r++) {
            sb.append(t.plusSeconds(r));
            for (int c = 0; c < channels; c++) {
                v[c] = Math.max(20, Math.min(105, v[c] + rnd.nextDouble(-0.5, 0.5)));
                sb.append(',').append(String.format(Locale.ROOT, "%.2f", v[c]));
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
