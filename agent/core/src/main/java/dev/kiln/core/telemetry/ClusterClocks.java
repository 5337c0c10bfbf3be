package dev.kiln.core.telemetry;

import dev.kiln.api.CoreTiers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clock of each CPU cluster in one telemetry sample, counted only while that cluster is busy: a
 * clock floor means something under load, not while a cluster idles or is powered down at a low
 * DVFS state. Pure: a sample in, the busy clusters' clocks out.
 *
 * <ul>
 *   <li>macOS (powermetrics, IOReport): {@code cluster_<key>_freq_hertz} with
 *       {@code cluster_<key>_active_ratio}; a cluster counts in a sample when its active ratio is at
 *       least {@link #BUSY}. A key's tier (super, performance, efficiency) is {@link CoreTiers}'s: its
 *       letter's rank among the sample's keys matched to the machine's tiers (the M5 Max's {@code p}
 *       is its Super tier); a key of no known letter is its own class.</li>
 *   <li>Linux (cpufreq): {@code cpu<N>_freq_hertz}, grouped by the cluster the CPU topology gives each
 *       CPU (the mean over its CPUs); no per-CPU activity channel exists, so every sample counts. A
 *       machine with one kind of core calls it {@code performance}.</li>
 * </ul>
 * GPU and other clocks are never a CPU cluster's.
 */
public final class ClusterClocks {
    /** A cluster at least this active in a sample is loaded there (a stress keeps it near 1). */
    public static final double BUSY = 0.5;

    /** A cluster's clock; its table's top ({@code cluster_<key>_top_freq_hertz}) is not a cluster of its own. */
    private static final Pattern MAC = Pattern.compile("cluster_(?!.*_top_freq_hertz$)([a-z0-9_]+)_freq_hertz");
    private static final Pattern LINUX = Pattern.compile("cpu(\\d+)_freq_hertz");

    private ClusterClocks() {
    }

    /** This machine's CPU clusters, by logical CPU id, from the platform layer. */
    public static Map<Integer, String> cpuClustersHere() {
        Map<Integer, String> m = new java.util.HashMap<>();
        for (dev.kiln.api.SuiteEnvironment.LogicalCpu c : dev.kiln.core.platform.PlatformProbe.current().cpus()) {
            m.put(c.id(), c.cluster());
        }
        return m;
    }

    /**
     * One cluster's clock reading in one sample, busy or not: a clock of 0 is a cluster idle or
     * powered down (powermetrics says 0 MHz then), a valid reading that is never a busy clock.
     */
    public record Reading(String cluster, String kind, double hertz, boolean busy) {
        /** Loaded in this sample: busy, with a clock above 0. */
        public boolean loaded() {
            return busy && hertz > 0;
        }
    }

    /**
     * Every cluster with a clock reading in this sample: macOS clusters are busy when their active
     * ratio is at least {@link #BUSY} (unknown: not busy); Linux has no activity channel, so its
     * clusters count as busy whenever their clock is above 0.
     */
    public static List<Reading> readings(Map<String, Double> sample, Map<Integer, String> cpuClusters) {
        List<Reading> out = new ArrayList<>();
        Map<String, double[]> linux = new LinkedHashMap<>(); // cluster -> {sum, count}
        List<String> macKeys = new ArrayList<>();
        for (String k : sample.keySet()) {
            Matcher mac = MAC.matcher(k);
            if (mac.matches()) {
                macKeys.add(mac.group(1));
            }
        }
        Map<String, String> tiers = macKeys.isEmpty() ? Map.of() : CoreTiers.tierOfKeys(macKeys, cpuClusters.values());
        for (Map.Entry<String, Double> e : sample.entrySet()) {
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) {
                continue;
            }
            Matcher mac = MAC.matcher(e.getKey());
            if (mac.matches()) {
                String key = mac.group(1);
                Double active = sample.get("cluster_" + key + "_active_ratio");
                out.add(new Reading(key, tiers.get(key), v, active != null && active >= BUSY));
                continue;
            }
            Matcher cpu = LINUX.matcher(e.getKey());
            if (cpu.matches() && v > 0) {
                String cluster = cpuClusters.getOrDefault(Integer.parseInt(cpu.group(1)), "cpu");
                double[] acc = linux.computeIfAbsent(cluster, k -> new double[2]);
                acc[0] += v;
                acc[1]++;
            }
        }
        Set<String> names = new TreeSet<>(cpuClusters.values());
        names.addAll(linux.keySet());
        linux.forEach((cluster, acc) -> out.add(new Reading(cluster, linuxKind(cluster, names), acc[0] / acc[1], true)));
        return out;
    }

    /** Linux topology names: performance/efficiency from hybrid PMUs, capacity-N on Arm, else one kind. */
    static String linuxKind(String cluster, Set<String> all) {
        if (cluster.equals("performance") || cluster.equals("efficiency")) {
            return cluster;
        }
        if (all.size() == 1) {
            return "performance";
        }
        if (cluster.startsWith("capacity-")) {
            int top = all.stream().filter(n -> n.startsWith("capacity-")).mapToInt(n -> Integer.parseInt(n.substring(9))).max().orElse(0);
            return Integer.parseInt(cluster.substring(9)) == top ? "performance" : "efficiency";
        }
        return cluster.toLowerCase(Locale.ROOT);
    }
}
