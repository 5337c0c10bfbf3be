package dev.kiln.core.platform.linux;

import dev.kiln.core.telemetry.TelemetrySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Linux sysfs under a configurable root: {@code thermal_zone*} and {@code hwmon*} temperatures,
 * hwmon fans, power, voltages and currents, {@code cpufreq} current and maximum clocks, powercap
 * energy counters turned into watts, and EDAC corrected and uncorrected error counts. Files are
 * found once at start; one that vanishes or holds garbage leaves its channel out of that sample,
 * with one warning per channel, not per sample.
 */
public final class LinuxSysfsSource implements TelemetrySource {
    /** A channel: where to read it and how to scale it to the unit in its name. */
    private record Reading(Path file, double scale) {
    }

    private final Map<String, Reading> gauges = new LinkedHashMap<>();
    private final Map<String, Path> energy = new LinkedHashMap<>();
    private final Map<String, Long> energyRange = new HashMap<>();
    private final Map<String, double[]> lastEnergy = new HashMap<>();
    private final Clock clock;
    private final Consumer<String> warn;
    private final java.util.Set<String> warned = new java.util.HashSet<>();

    public LinuxSysfsSource(Path root, Clock clock, Consumer<String> warn) {
        this.clock = clock;
        this.warn = warn;
        discover(root);
    }

    @Override
    public String name() {
        return "sysfs";
    }

    /** Channels found at start, in a stable order. */
    public List<String> channels() {
        List<String> c = new ArrayList<>(gauges.keySet());
        c.addAll(energy.keySet());
        return c;
    }

    private void discover(Path root) {
        for (Path zone : list(root.resolve("sys/class/thermal"), "thermal_zone")) {
            String type = clean(read(zone.resolve("type")), "zone");
            gauges.put("thermal_" + zone.getFileName().toString().replace("thermal_zone", "zone") + "_" + type + "_celsius",
                    new Reading(zone.resolve("temp"), 1e-3));
        }
        for (Path hw : list(root.resolve("sys/class/hwmon"), "hwmon")) {
            String dev = hw.getFileName() + "_" + clean(read(hw.resolve("name")), "hwmon");
            for (Path f : list(hw, "")) {
                String n = f.getFileName().toString();
                if (!n.endsWith("_input")) {
                    continue;
                }
                String sensor = n.substring(0, n.length() - "_input".length());
                String label = read(hw.resolve(sensor + "_label"));
                String base = "hwmon_" + dev + "_" + (label == null ? sensor : clean(label, sensor));
                if (sensor.startsWith("temp")) {
                    gauges.put(base + "_celsius", new Reading(f, 1e-3)); // millidegrees
                } else if (sensor.startsWith("fan")) {
                    gauges.put(base + "_rpm", new Reading(f, 1));
                } else if (sensor.startsWith("power")) {
                    gauges.put(base + "_watts", new Reading(f, 1e-6)); // microwatts
                } else if (sensor.startsWith("in")) {
                    gauges.put(base + "_volts", new Reading(f, 1e-3)); // millivolts
                } else if (sensor.startsWith("curr")) {
                    gauges.put(base + "_amperes", new Reading(f, 1e-3)); // milliamperes
                }
            }
        }
        for (Path cpu : list(root.resolve("sys/devices/system/cpu"), "cpu")) {
            String n = cpu.getFileName().toString();
            if (!n.substring(3).matches("\\d+")) {
                continue;
            }
            Path freq = cpu.resolve("cpufreq");
            if (Files.exists(freq.resolve("scaling_cur_freq"))) {
                gauges.put(n + "_freq_hertz", new Reading(freq.resolve("scaling_cur_freq"), 1e3)); // kHz
            }
            if (Files.exists(freq.resolve("cpuinfo_max_freq"))) {
                gauges.put(n + "_max_freq_hertz", new Reading(freq.resolve("cpuinfo_max_freq"), 1e3));
            }
        }
        for (Path zone : list(root.resolve("sys/class/powercap"), "")) {
            if (Files.exists(zone.resolve("energy_uj"))) {
                String ch = "powercap_" + clean(zone.getFileName().toString(), "zone") + "_" + clean(read(zone.resolve("name")), "zone")
                        + "_watts";
                energy.put(ch, zone.resolve("energy_uj"));
                String range = read(zone.resolve("max_energy_range_uj"));
                if (range != null && range.matches("\\d+")) {
                    energyRange.put(ch, Long.parseLong(range));
                }
            }
        }
        for (Path mc : list(root.resolve("sys/devices/system/edac/mc"), "mc")) {
            String n = mc.getFileName().toString();
            gauges.put("edac_" + n + "_corrected_errors_total", new Reading(mc.resolve("ce_count"), 1));
            gauges.put("edac_" + n + "_uncorrected_errors_total", new Reading(mc.resolve("ue_count"), 1));
        }
    }

    @Override
    public synchronized Map<String, Double> sample() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Reading> g : gauges.entrySet()) {
            Double v = number(g.getKey(), g.getValue().file());
            if (v != null) {
                out.put(g.getKey(), v * g.getValue().scale());
            }
        }
        double now = clock.millis() / 1000.0;
        for (Map.Entry<String, Path> e : energy.entrySet()) {
            Double uj = number(e.getKey(), e.getValue());
            if (uj == null) {
                continue;
            }
            double[] last = lastEnergy.put(e.getKey(), new double[] {uj, now});
            if (last != null && now > last[1]) {
                double delta = uj - last[0];
                if (delta < 0) {
                    delta += energyRange.getOrDefault(e.getKey(), 0L); // the counter wrapped
                }
                if (delta >= 0) {
                    out.put(e.getKey(), delta * 1e-6 / (now - last[1]));
                }
            }
        }
        return out;
    }

    private Double number(String channel, Path file) {
        String s = read(file);
        if (s == null) {
            once(channel, channel + ": " + file + " cannot be read (device gone?); the channel is left empty");
            return null;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            once(channel, channel + ": " + file + " holds '" + (s.length() > 40 ? s.substring(0, 40) : s) + "', not a number");
            return null;
        }
    }

    private void once(String channel, String message) {
        if (warned.add(channel)) {
            warn.accept(message);
        }
    }

    private static String read(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.readString(p).trim() : null;
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    private static String clean(String s, String fallback) {
        if (s == null || s.isBlank()) {
            return fallback;
        }
        String c = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
        return c.isEmpty() ? fallback : c;
    }

    private static List<Path> list(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString().length()).thenComparing(Path::toString)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
