package dev.kiln.suites.cpu;

import dev.kiln.api.CoreTiers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a lone worker ran and at what clock, from the run's own telemetry (powermetrics or IOReport on
 * macOS: {@code cluster_<name>_freq_hertz}, {@code _active_ratio}, {@code _top_freq_hertz}). A worker
 * is matched to the clusters of its tier as {@link CoreTiers} reads the keys against the machine's
 * tiers (an M5 Max's {@code p} is its Super tier, its {@code m0}, {@code m1} the Performance tier; an
 * M4's {@code p0}, {@code p1} Performance, {@code e} Efficiency); of several, the busiest. This is
 * how the spill steering on macOS is confirmed: the tier's clock during its worker's slice, against
 * its top clock. No powermetrics capture from an M5 exists yet: its names are unverified.
 */
final class ClusterClock {
    /** A cluster's clock, not its table's top ({@code cluster_<key>_top_freq_hertz}). */
    private static final Pattern FREQ = Pattern.compile("cluster_(?!.*_top_freq_hertz$)([a-z0-9_]+)_freq_hertz");

    private ClusterClock() {
    }

    /**
     * Clock and top clock of the busiest cluster of this tier in one sample: {hertz, topHertz}, or null.
     *
     * @param tiers the machine's tiers (its CPUs' cluster names)
     */
    static double[] of(Map<String, Double> sample, String cluster, Collection<String> tiers) {
        List<String> keys = new ArrayList<>();
        for (String k : sample.keySet()) {
            Matcher m = FREQ.matcher(k);
            if (m.matches()) {
                keys.add(m.group(1));
            }
        }
        Map<String, String> tierOf = CoreTiers.tierOfKeys(keys, tiers);
        String tier = cluster.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"); // as telemetry writes names
        double[] best = null;
        double bestActive = -1;
        for (Map.Entry<String, Double> e : sample.entrySet()) {
            Matcher m = FREQ.matcher(e.getKey());
            if (!m.matches() || !tier.equals(tierOf.get(m.group(1))) || e.getValue() == null || !(e.getValue() > 0)) {
                continue;
            }
            String base = "cluster_" + m.group(1);
            Double active = sample.get(base + "_active_ratio");
            Double top = sample.get(base + "_top_freq_hertz");
            double a = active == null ? 0 : active;
            if (a > bestActive) {
                bestActive = a;
                best = new double[] {e.getValue(), top == null ? Double.NaN : top};
            }
        }
        return best;
    }
}
