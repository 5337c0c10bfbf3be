package dev.kiln.core.inventory;

import dev.kiln.api.Measurement;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.telemetry.TelemetrySampler.ChannelStats;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Holds the run's telemetry to the SKU's limits, last in a {@code run --sku}: the hottest reading
 * of any {@code *_celsius} channel against {@code maxTemperatureCelsius}, and the lowest median of
 * any current-clock channel ({@code *_freq_hertz}, not the {@code max_freq} ones) against
 * {@code minSustainedClockHertz}. Each is a measurement with its limit, so a breach is a FAIL with
 * both values. Where no sensor gives the value, the check is SKIPPED with that reason: a limit that
 * cannot be checked is never a pass.
 */
public final class TelemetryLimitsSuite extends BuiltInCheck {
    public static final String ID = "telemetry-limits";

    private final Sku.Limits limits;
    private final Supplier<Map<String, ChannelStats>> stats;

    public TelemetryLimitsSuite(Sku.Limits limits, Supplier<Map<String, ChannelStats>> stats) {
        super(ID, "Telemetry against the SKU's limits",
                "Peak temperature and sustained clock during the run, against the SKU file's limits");
        this.limits = limits;
        this.stats = stats;
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        Map<String, ChannelStats> s = stats.get();
        StringBuilder missing = new StringBuilder();
        boolean breached = false;
        if (limits.maxTemperatureCelsius() != null) {
            var hottest = s.entrySet().stream().filter(e -> e.getKey().endsWith("_celsius"))
                    .max((a, b) -> Double.compare(a.getValue().max(), b.getValue().max()));
            if (hottest.isPresent()) {
                Measurement m = new Measurement("max_temperature_celsius", hottest.get().getValue().max(), "celsius", null,
                        limits.maxTemperatureCelsius(), Map.of("channel", hottest.get().getKey()));
                breached |= !m.withinLimits();
                ctx.measurement(m);
            } else {
                missing.append("no temperature sensor gave a reading");
            }
        }
        if (limits.minSustainedClockHertz() != null) {
            var slowest = s.entrySet().stream().filter(e -> e.getKey().endsWith("_freq_hertz") && !e.getKey().contains("max_freq"))
                    .min((a, b) -> Double.compare(a.getValue().median(), b.getValue().median()));
            if (slowest.isPresent()) {
                Measurement m = new Measurement("min_sustained_clock_hertz", slowest.get().getValue().median(), "hertz",
                        limits.minSustainedClockHertz(), null, Map.of("channel", slowest.get().getKey()));
                breached |= !m.withinLimits();
                ctx.measurement(m);
            } else {
                missing.append(missing.isEmpty() ? "" : "; ").append("no clock sensor gave a reading");
            }
        }
        if (!missing.isEmpty() && !breached) { // a breach already found stands as a FAIL
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, missing + " on this machine, so the SKU's limits cannot be checked");
        }
    }

}
