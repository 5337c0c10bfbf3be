package dev.kiln.core.inventory;

import dev.kiln.api.Measurement;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.telemetry.ClusterClocks;
import dev.kiln.core.telemetry.TelemetryStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Holds the run's telemetry to the SKU's limits, last in a {@code run --sku}: the hottest reading of
 * any {@code *_celsius} channel against {@code maxTemperatureCelsius}, and each CPU cluster's clock
 * against the floor for its kind ({@code performance} by default): the median of the cluster's clock
 * over the samples where it was busy ({@link ClusterClocks}), so an idle or powered-down cluster, an
 * efficiency cluster or the GPU never stands in for the performance cores. Each judged value is a
 * measurement with its limit, named by its cluster, so a breach is a FAIL that says which cluster.
 * A limit no sensor could judge is SKIPPED with the reason: a limit that cannot be checked is never a
 * pass (a breach already found stands as a FAIL).
 */
public final class TelemetryLimitsSuite extends BuiltInCheck {
    public static final String ID = "telemetry-limits";

    private final Sku.Limits limits;
    private final Supplier<TelemetryStats> stats;

    public TelemetryLimitsSuite(Sku.Limits limits, Supplier<TelemetryStats> stats) {
        super(ID, "Telemetry against the SKU's limits",
                "Peak temperature and each CPU cluster's sustained clock during the run, against the SKU file's limits");
        this.limits = limits;
        this.stats = stats;
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        TelemetryStats s = stats.get();
        List<String> missing = new ArrayList<>();
        boolean breached = false;
        if (limits.maxTemperatureCelsius() != null) {
            var hottest = s.channels().entrySet().stream().filter(e -> e.getKey().endsWith("_celsius"))
                    .max((a, b) -> Double.compare(a.getValue().max(), b.getValue().max()));
            if (hottest.isPresent()) {
                Measurement m = new Measurement("max_temperature_celsius", hottest.get().getValue().max(), "celsius", null,
                        limits.maxTemperatureCelsius(), Map.of("channel", hottest.get().getKey()));
                breached |= !m.withinLimits();
                ctx.measurement(m);
                ctx.verified(1);
            } else {
                missing.add("no temperature sensor gave a reading");
            }
        }
        Map<String, TelemetryStats.ClusterClock> clusters = s.clusterClocks();
        for (Map.Entry<String, Double> floor : limits.clockFloors().entrySet()) {
            String want = floor.getKey();
            int judged = 0;
            for (Map.Entry<String, TelemetryStats.ClusterClock> c : new java.util.TreeMap<>(clusters).entrySet()) {
                if (!c.getValue().kind().equals(want) && !c.getKey().equals(want)) {
                    continue;
                }
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("cluster", c.getKey());
                meta.put("kind", c.getValue().kind());
                meta.put("busySamples", c.getValue().stats().count());
                Measurement m = new Measurement("cluster_" + c.getKey() + "_sustained_clock_hertz", c.getValue().stats().median(),
                        "hertz", floor.getValue(), null, meta);
                breached |= !m.withinLimits();
                ctx.measurement(m);
                ctx.verified(1);
                judged++;
            }
            if (judged == 0) {
                missing.add(String.format(Locale.ROOT, "no %s cluster was busy (at least %.0f%% active) in any sample with a clock reading",
                        want, ClusterClocks.BUSY * 100));
            }
        }
        if (!missing.isEmpty() && !breached) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT,
                    String.join("; ", missing) + ", so the SKU's limits cannot all be checked");
        }
    }
}
