package dev.kiln.suites.cpu;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a lone worker ran and at what clock, from the run's own telemetry (powermetrics on macOS:
 * {@code cluster_<name>_freq_hertz}, {@code _active_ratio}, {@code _top_freq_hertz}). A worker of the
 * efficiency cluster is matched to the E clusters ({@code e}, {@code e0}…), performance to {@code p…},
 * super to {@code s…} (no powermetrics capture from an M5 yet: unverified); of several, the busiest.
 * This is how the spill steering on macOS is confirmed: the E-cluster clock during an efficiency
 * worker's slice, against its top clock.
 */
final class ClusterClock {
    private static final Pattern FREQ = Pattern.compile("cluster_([a-z]+)(\\d*)_freq_hertz");

    private ClusterClock() {
    }

    /** Clock and top clock of the busiest cluster of this kind in one sample: {hertz, topHertz}, or null. */
    static double[] of(Map<String, Double> sample, String cluster) {
        String prefix = cluster.isEmpty() ? "" : cluster.toLowerCase(Locale.ROOT).substring(0, 1);
        double[] best = null;
        double bestActive = -1;
        for (Map.Entry<String, Double> e : sample.entrySet()) {
            Matcher m = FREQ.matcher(e.getKey());
            if (!m.matches() || !m.group(1).equals(prefix) || e.getValue() == null || !(e.getValue() > 0)) {
                continue;
            }
            String base = "cluster_" + m.group(1) + m.group(2);
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
