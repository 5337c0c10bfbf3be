package dev.kiln.core.platform.mac;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Parses {@code powermetrics --samplers cpu_power,gpu_power,ane_power,thermal -f plist}: a stream
 * of property lists separated by NUL bytes. Units as powermetrics writes them: power in mW (turned
 * into watts), CPU cluster {@code freq_hz} in Hz, GPU {@code freq_hz} in MHz (turned into Hz).
 * Cluster names differ per chip (E-Cluster, P0-Cluster, E1-Cluster, ...): they are read from each
 * sample, never from a list. Channels carry the unit in their name.
 */
public final class Powermetrics {
    /** Thermal pressure levels as macOS names them, in order. */
    static final List<String> PRESSURE = List.of("Nominal", "Moderate", "Heavy", "Trapping", "Sleeping");

    private Powermetrics() {
    }

    /**
     * One sample as channels: {@code cluster_<name>_freq_hertz}, {@code cluster_<name>_active_ratio},
     * {@code cluster_<name>_top_freq_hertz} (the top of its DVFS table),
     * {@code cpu_power_watts}, {@code gpu_power_watts}, {@code ane_power_watts},
     * {@code combined_power_watts}, {@code gpu_freq_hertz}, {@code gpu_active_ratio},
     * {@code thermal_pressure_level} (0 Nominal … 4 Sleeping).
     *
     * @throws IllegalArgumentException when the bytes are not one powermetrics sample
     */
    public static Map<String, Double> sample(byte[] plist) {
        Object root = Plist.parse(plist);
        if (!(root instanceof Map<?, ?> m) || !(m.get("processor") instanceof Map<?, ?> cpu)) {
            throw new IllegalArgumentException("not a powermetrics sample: no processor dictionary");
        }
        Map<String, Double> ch = new LinkedHashMap<>();
        if (cpu.get("clusters") instanceof List<?> clusters) {
            for (Object o : clusters) {
                if (o instanceof Map<?, ?> c && c.get("name") instanceof String name) {
                    String key = "cluster_" + name.toLowerCase(Locale.ROOT).replace("-cluster", "").replaceAll("[^a-z0-9]+", "_");
                    put(ch, key + "_freq_hertz", num(c.get("freq_hz")), 1);
                    // the cluster's top clock: the highest state of its DVFS table (MHz), whether used or not
                    if (c.get("dvfm_states") instanceof List<?> states) {
                        double top = -1;
                        for (Object st : states) {
                            if (st instanceof Map<?, ?> sm && num(sm.get("freq")) instanceof Double f) {
                                top = Math.max(top, f);
                            }
                        }
                        if (top > 0) {
                            ch.put(key + "_top_freq_hertz", top * 1e6);
                        }
                    }
                    Double idle = num(c.get("idle_ratio"));
                    if (idle != null) {
                        // A powered-down cluster is neither idle nor active: active = 1 - idle - down
                        // (the text output shows the same; macOS 13 and older omit down_ratio).
                        Double down = num(c.get("down_ratio"));
                        ch.put(key + "_active_ratio", Math.max(0, 1 - idle - (down == null ? 0 : down)));
                    }
                }
            }
        }
        put(ch, "cpu_power_watts", num(cpu.get("cpu_power")), 1e-3);
        put(ch, "gpu_power_watts", num(cpu.get("gpu_power")), 1e-3);
        put(ch, "ane_power_watts", num(cpu.get("ane_power")), 1e-3);
        put(ch, "combined_power_watts", num(cpu.get("combined_power")), 1e-3);
        if (m.get("gpu") instanceof Map<?, ?> gpu) {
            put(ch, "gpu_freq_hertz", num(gpu.get("freq_hz")), 1e6); // powermetrics reports the GPU's in MHz
            Double idle = num(gpu.get("idle_ratio"));
            if (idle != null) {
                ch.put("gpu_active_ratio", 1 - idle);
            }
        }
        if (m.get("thermal_pressure") instanceof String p && PRESSURE.contains(p)) {
            ch.put("thermal_pressure_level", (double) PRESSURE.indexOf(p));
        }
        return ch;
    }

    private static void put(Map<String, Double> ch, String key, Double v, double scale) {
        if (v != null) {
            ch.put(key, v * scale);
        }
    }

    private static Double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    /**
     * Splits a powermetrics stream at NUL bytes and hands each sample's channels to {@code samples};
     * a sample that does not parse (truncated, a NUL in its middle) goes to {@code bad} with the
     * reason, and the stream goes on.
     */
    public static void stream(InputStream in, Consumer<Map<String, Double>> samples, Consumer<String> bad) throws IOException {
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == 0) {
                    cur.write(buf, start, i - start);
                    emit(cur, samples, bad);
                    start = i + 1;
                }
            }
            cur.write(buf, start, n - start);
        }
        emit(cur, samples, bad);
    }

    private static void emit(ByteArrayOutputStream cur, Consumer<Map<String, Double>> samples, Consumer<String> bad) {
        byte[] b = cur.toByteArray();
        cur.reset();
        if (new String(b, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return;
        }
        try {
            samples.accept(sample(b));
        } catch (IllegalArgumentException e) {
            bad.accept(e.getMessage());
        }
    }
}
