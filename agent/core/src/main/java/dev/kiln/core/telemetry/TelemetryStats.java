package dev.kiln.core.telemetry;

import dev.kiln.api.SuiteEnvironment;
import dev.kiln.core.platform.PlatformProbe;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a run's telemetry amounts to so far, whatever its length: running statistics of every
 * channel, and of each CPU cluster's clock in the samples where that cluster was busy
 * ({@link ClusterClocks}). Thread-safe; fed one sample at a time.
 */
public final class TelemetryStats {
    private final Map<Integer, String> cpuClusters;
    private final Map<String, ChannelStats> channels = new ConcurrentHashMap<>();
    private final Map<String, ClusterClock> clusters = new ConcurrentHashMap<>();

    /** @param cpuClusters the cluster of each logical CPU (for Linux's per-CPU clocks); may be empty */
    public TelemetryStats(Map<Integer, String> cpuClusters) {
        this.cpuClusters = Map.copyOf(cpuClusters);
    }

    /** This machine's CPU clusters, from the platform layer. */
    public static Map<Integer, String> cpuClustersHere() {
        Map<Integer, String> m = new HashMap<>();
        for (SuiteEnvironment.LogicalCpu c : PlatformProbe.current().cpus()) {
            m.put(c.id(), c.cluster());
        }
        return m;
    }

    /** Adds one sample. */
    public void add(Map<String, Double> sample) {
        sample.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                channels.computeIfAbsent(k, x -> new ChannelStats()).add(v);
            }
        });
        for (ClusterClocks.Busy b : ClusterClocks.busy(sample, cpuClusters)) {
            clusters.computeIfAbsent(b.cluster(), k -> new ClusterClock(b.kind(), new ChannelStats())).stats().add(b.hertz());
        }
    }

    /** Per-channel statistics (channels that never had a value are absent). */
    public Map<String, ChannelStats> channels() {
        return Map.copyOf(channels);
    }

    /** Per-cluster clock statistics over the samples where the cluster was busy, by cluster key. */
    public Map<String, ClusterClock> clusterClocks() {
        return Map.copyOf(clusters);
    }

    /** A cluster's kind ({@code performance}, {@code efficiency}, or its own key) and its busy clock. */
    public record ClusterClock(String kind, ChannelStats stats) {
    }

    /** Running max, min and a bounded sample (every k-th value) for the median, whatever the run's length. */
    public static final class ChannelStats {
        private static final int KEEP = 4096;
        private double max = Double.NEGATIVE_INFINITY;
        private double min = Double.POSITIVE_INFINITY;
        private final double[] kept = new double[KEEP];
        private int size;
        private long seen;
        private int stride = 1;

        synchronized void add(double v) {
            max = Math.max(max, v);
            min = Math.min(min, v);
            if (seen++ % stride == 0) {
                if (size == KEEP) { // keep every other value from now on
                    for (int i = 0; i < KEEP / 2; i++) {
                        kept[i] = kept[2 * i];
                    }
                    size = KEEP / 2;
                    stride *= 2;
                }
                kept[size++] = v;
            }
        }

        public synchronized double max() {
            return max;
        }

        public synchronized double min() {
            return min;
        }

        /** Values seen. */
        public synchronized long count() {
            return seen;
        }

        public synchronized double median() {
            double[] s = java.util.Arrays.copyOf(kept, size);
            java.util.Arrays.sort(s);
            return s.length == 0 ? Double.NaN : s[s.length / 2];
        }
    }
}
