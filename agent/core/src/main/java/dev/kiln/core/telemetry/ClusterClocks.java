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

    /**
     * One cluster over a whole trace: its clock where it had a reading ({@code read}, NaN elsewhere),
     * its clock where it was loaded ({@code busy}), and its kind at its last reading.
     */
    public record Series(String cluster, String kind, double[] read, double[] busy) {
    }

    /**
     * The same readings as {@link #readings} gives sample by sample, made a column at a time for a
     * trace of {@code n} samples: every cluster's {@link Series}, in the order of their names, handed
     * on one at a time so only one cluster's columns are held. A value that is NaN is a channel absent
     * from that sample, as {@code Trace.sample} leaves it out.
     */
    public static void series(List<String> channels, java.util.function.Function<String, double[]> column, int n,
                              Map<Integer, String> cpuClusters, java.util.function.Consumer<Series> out) {
        List<String> macKeys = new ArrayList<>();
        List<String> macChannels = new ArrayList<>();
        Map<String, List<String>> linuxChannels = new LinkedHashMap<>(); // cluster -> its CPUs' channels, in column order
        for (String c : channels) {
            Matcher mac = MAC.matcher(c);
            if (mac.matches()) {
                macKeys.add(mac.group(1));
                macChannels.add(c);
                continue;
            }
            Matcher cpu = LINUX.matcher(c);
            if (cpu.matches()) {
                linuxChannels.computeIfAbsent(cpuClusters.getOrDefault(Integer.parseInt(cpu.group(1)), "cpu"), k -> new ArrayList<>()).add(c);
            }
        }
        // which macOS keys and which Linux clusters each sample has: the tiers and kinds are the sample's own
        long[][] macSeen = presence(macChannels.size(), n);
        for (int j = 0; j < macChannels.size(); j++) {
            double[] v = column.apply(macChannels.get(j));
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(v[i])) {
                    macSeen[j >> 6][i] |= 1L << (j & 63);
                }
            }
        }
        List<String> linuxNames = new ArrayList<>(linuxChannels.keySet());
        long[][] linuxSeen = presence(linuxNames.size(), n);
        Map<String, double[][]> linuxMeans = new java.util.TreeMap<>();
        for (int j = 0; j < linuxNames.size(); j++) {
            double[] sum = new double[n];
            double[] count = new double[n];
            for (String c : linuxChannels.get(linuxNames.get(j))) {
                double[] v = column.apply(c);
                for (int i = 0; i < n; i++) {
                    if (Double.isFinite(v[i]) && v[i] > 0) {
                        sum[i] += v[i];
                        count[i]++;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (count[i] > 0) {
                    linuxSeen[j >> 6][i] |= 1L << (j & 63);
                    sum[i] /= count[i];
                } else {
                    sum[i] = Double.NaN;
                }
            }
            linuxMeans.put(linuxNames.get(j), new double[][] {sum});
        }
        List<List<Long>> macSigs = new ArrayList<>();
        int[] macSig = ids(macSeen, n, macSigs);
        List<Map<String, String>> tiersOf = new ArrayList<>();
        for (List<Long> x : macSigs) {
            List<String> present = new ArrayList<>();
            for (int m = 0; m < macKeys.size(); m++) {
                if ((x.get(m >> 6) & (1L << (m & 63))) != 0) {
                    present.add(macKeys.get(m));
                }
            }
            tiersOf.add(present.isEmpty() ? Map.of() : CoreTiers.tierOfKeys(present, cpuClusters.values()));
        }
        List<List<Long>> linuxSigs = new ArrayList<>();
        int[] linuxSig = ids(linuxSeen, n, linuxSigs);
        List<Set<String>> namesOf = new ArrayList<>();
        for (List<Long> x : linuxSigs) {
            Set<String> names = new TreeSet<>(cpuClusters.values());
            for (int m = 0; m < linuxNames.size(); m++) {
                if ((x.get(m >> 6) & (1L << (m & 63))) != 0) {
                    names.add(linuxNames.get(m));
                }
            }
            namesOf.add(names);
        }
        Set<String> all = new TreeSet<>(macKeys);
        all.addAll(linuxNames);
        for (String cluster : all) {
            double[] read = new double[n];
            double[] busy = new double[n];
            java.util.Arrays.fill(read, Double.NaN);
            java.util.Arrays.fill(busy, Double.NaN);
            String kind = null;
            boolean any = false;
            int j = macKeys.indexOf(cluster);
            if (j >= 0) {
                double[] hz = column.apply(macChannels.get(j));
                double[] active = column.apply("cluster_" + cluster + "_active_ratio");
                for (int i = 0; i < n; i++) {
                    if (!Double.isFinite(hz[i])) {
                        continue;
                    }
                    Map<String, String> tiers = tiersOf.get(macSig[i]);
                    read[i] = hz[i];
                    boolean isBusy = active != null && !Double.isNaN(active[i]) && active[i] >= BUSY;
                    if (isBusy && hz[i] > 0) {
                        busy[i] = hz[i];
                    }
                    kind = tiers.get(cluster);
                    any = true;
                }
            }
            int l = linuxNames.indexOf(cluster);
            if (l >= 0) {
                double[] mean = linuxMeans.remove(cluster)[0];
                for (int i = 0; i < n; i++) {
                    if (Double.isNaN(mean[i])) {
                        continue;
                    }
                    Set<String> names = namesOf.get(linuxSig[i]);
                    read[i] = mean[i];
                    busy[i] = mean[i];
                    kind = linuxKind(cluster, names);
                    any = true;
                }
            }
            if (any) {
                out.accept(new Series(cluster, kind, read, busy));
            }
        }
    }

    private static long[][] presence(int channels, int n) {
        return new long[(channels + 63) / 64][n];
    }

    /** Each sample's set of present channels as a small id into {@code sigs} (a run of equal samples costs no lookup). */
    private static int[] ids(long[][] seen, int n, List<List<Long>> sigs) {
        int[] id = new int[n];
        Map<List<Long>, Integer> known = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            boolean same = i > 0;
            for (int w = 0; w < seen.length && same; w++) {
                same = seen[w][i] == seen[w][i - 1];
            }
            if (same) {
                id[i] = id[i - 1];
                continue;
            }
            Long[] s = new Long[seen.length];
            for (int w = 0; w < seen.length; w++) {
                s[w] = seen[w][i];
            }
            List<Long> key = List.of(s);
            id[i] = known.computeIfAbsent(key, k -> {
                sigs.add(k);
                return sigs.size() - 1;
            });
        }
        return id;
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
