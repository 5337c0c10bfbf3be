package dev.kiln.core.platform.mac;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code sysctl} output ({@code key: value} lines) and reads the CPU clusters of Apple
 * Silicon from {@code hw.nperflevels} and {@code hw.perflevelN.*}. Level 0 is the fastest. Their
 * names vary by chip (Performance/Efficiency, Super/Efficiency on M5, Super/Performance on M5 Max,
 * one Standard level in VMs); macOS 12 has the levels without names, which are then named by rank
 * (Performance, then Efficiency); macOS 11 has no levels at all.
 */
public final class Sysctl {
    private Sysctl() {
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0 && !line.startsWith(" ")) {
                m.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
            }
        }
        return m;
    }

    /**
     * One cluster (performance level).
     *
     * @param level        0 = fastest
     * @param name         as macOS names it, or by rank where it does not
     * @param physicalCpus cores
     * @param logicalCpus  logical CPUs
     */
    public record Cluster(int level, String name, int physicalCpus, int logicalCpus) {
        /** Lower-case channel-friendly name: {@code performance}, {@code super}, {@code efficiency}. */
        public String key() {
            return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        }
    }

    /** The clusters, fastest first; empty when sysctl has no performance levels (macOS 11). */
    public static List<Cluster> clusters(Map<String, String> sysctl) {
        List<Cluster> out = new ArrayList<>();
        int n = intOr(sysctl.get("hw.nperflevels"), -1);
        if (n <= 0) {
            return out;
        }
        for (int level = 0; level < n; level++) {
            String p = "hw.perflevel" + level + ".";
            String name = sysctl.get(p + "name");
            if (name == null || name.isBlank()) {
                name = n == 1 ? "Standard" : level == 0 ? "Performance" : level == n - 1 ? "Efficiency" : "Level" + level;
            }
            int physical = intOr(sysctl.get(p + "physicalcpu"), -1);
            int logical = intOr(sysctl.get(p + "logicalcpu"), physical);
            out.add(new Cluster(level, name, physical, logical));
        }
        return out;
    }

    static int intOr(String s, int fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
