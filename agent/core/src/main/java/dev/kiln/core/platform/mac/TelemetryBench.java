package dev.kiln.core.platform.mac;

import dev.kiln.core.platform.linux.LinuxSysfsSource;
import dev.kiln.core.telemetry.OshiSource;
import dev.kiln.core.telemetry.TelemetrySampler;
import dev.kiln.core.telemetry.TelemetrySource;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark for issue 5 (run by {@code bench/telemetry.sh}): CPU time the sampler spends per
 * sample, on this machine and on a large fixture sysfs tree, as a share of one core at 1 Hz (goal
 * under 1 %); and the parse time of a powermetrics plist (the 260 KB M4 Max capture; goal under
 * 20 ms after warm-up). Prints figures; decides nothing.
 */
public final class TelemetryBench {
    private TelemetryBench() {
    }

    public static void main(String[] args) throws Exception {
        Path plist = Path.of(args[0]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        report("this machine", dev.kiln.core.platform.PlatformProbe.current().telemetry(Path.of("/"), Clock.systemUTC(), w -> { }), threads);
        Path tree = Files.createTempDirectory("kiln-sysfs-bench");
        int channels = buildTree(tree);
        report("fixture tree (" + channels + " sysfs files)", List.of(new OshiSource(), new LinuxSysfsSource(tree, Clock.systemUTC(), w -> { })),
                threads);
        byte[] bytes = Files.readAllBytes(plist);
        for (int i = 0; i < 300; i++) {
            Powermetrics.sample(bytes);
        }
        double[] ms = new double[100];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            Powermetrics.sample(bytes);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "plist-parse bytes=%d median_ms=%.3f p90_ms=%.3f   goal < 20 ms%n", bytes.length, ms[50], ms[90]);
    }

    static void report(String what, List<TelemetrySource> sources, ThreadMXBean threads) {
        for (int i = 0; i < 50; i++) {
            sources.forEach(TelemetrySource::sample);
        }
        int n = 200;
        long cpu0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            sources.forEach(TelemetrySource::sample);
        }
        double perSample = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9 / n;
        int ch = sources.stream().mapToInt(s -> s.channels().size()).sum();
        System.out.printf(Locale.ROOT, "sampler %s: %d channels, %.3f ms CPU per sample = %.3f%% of one core at 1 Hz   goal < 1%%%n",
                what, ch, perSample * 1e3, perSample * 100);
        for (TelemetrySource s : sources) { // each source's own share (on a Mac: the SMC's beside OSHI's and powermetrics')
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                s.sample();
            }
            double one = (threads.getCurrentThreadCpuTime() - c0) / 1e9 / n;
            System.out.printf(Locale.ROOT, "  source %s: %d channels, %.3f ms CPU per sample = %.3f%% of one core at 1 Hz%n", s.name(),
                    s.channels().size(), one * 1e3, one * 100);
        }
    }

    /** A big server's worth of sysfs: 16 thermal zones, 8 hwmon chips of 12 sensors, 128 CPUs' clocks, RAPL, 8 EDAC controllers. */
    static int buildTree(Path root) throws Exception {
        int n = 0;
        for (int z = 0; z < 16; z++) {
            Path d = Files.createDirectories(root.resolve("sys/class/thermal/thermal_zone" + z));
            Files.writeString(d.resolve("type"), "zone" + z);
            Files.writeString(d.resolve("temp"), Integer.toString(40000 + z * 100));
            n += 2;
        }
        for (int h = 0; h < 8; h++) {
            Path d = Files.createDirectories(root.resolve("sys/class/hwmon/hwmon" + h));
            Files.writeString(d.resolve("name"), "chip" + h);
            for (int s = 1; s <= 4; s++) {
                Files.writeString(d.resolve("temp" + s + "_input"), "51000");
                Files.writeString(d.resolve("fan" + s + "_input"), "1200");
                Files.writeString(d.resolve("in" + s + "_input"), "1100");
                n += 3;
            }
        }
        for (int c = 0; c < 128; c++) {
            Path d = Files.createDirectories(root.resolve("sys/devices/system/cpu/cpu" + c + "/cpufreq"));
            Files.writeString(d.resolve("scaling_cur_freq"), "3400000");
            Files.writeString(d.resolve("cpuinfo_max_freq"), "4200000");
            n += 2;
        }
        Path rapl = Files.createDirectories(root.resolve("sys/class/powercap/intel-rapl:0"));
        Files.writeString(rapl.resolve("name"), "package-0");
        Files.writeString(rapl.resolve("energy_uj"), "123456789");
        for (int m = 0; m < 8; m++) {
            Path d = Files.createDirectories(root.resolve("sys/devices/system/edac/mc/mc" + m));
            Files.writeString(d.resolve("ce_count"), "0");
            Files.writeString(d.resolve("ue_count"), "0");
            n += 2;
        }
        return n + 2;
    }
}
