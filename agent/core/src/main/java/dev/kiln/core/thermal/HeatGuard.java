package dev.kiln.core.thermal;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The live guard: watches every telemetry sample of a run, and when a temperature sensor holds
 * above {@code criticalCelsius} for {@code breachSeconds} (in the samples' own time) it trips once,
 * handing the finding to {@code onTrip}, which stops the load at once. One sample over the limit
 * is never a trip; readings outside what the physics allows (over 150 °C, under −40 °C) are not
 * temperatures, as in the judge. The same rule judges a trace left by a run that died
 * ({@link #breach(Trace, double, double)}), so a unit that cooked to shutdown is a FAIL when the
 * trace shows it.
 */
public final class HeatGuard {
    /** The result id of a guard's finding. */
    public static final String ID = "heat-guard";
    /** The symptom of its failure. */
    public static final String SYMPTOM = "thermal-critical-temperature";

    /**
     * What tripped the guard: the sensor, its lowest reading over the breach, the limit, how long, and
     * when; {@code live} when the guard saw it during the run (and stopped the load), false when it was
     * found afterwards in the trace of a run that died.
     */
    public record Trip(String channel, double celsius, double limit, double seconds, Instant at, boolean live) {
        public String words() {
            return String.format(Locale.ROOT, "%s held above %.1f °C (at least %.1f °C) for %.0f s, past the critical limit: %s", channel,
                    limit, celsius, seconds, live ? "the load was stopped at once"
                            : "found in the trace of a run that stopped without ending (a trip, a crash or power lost), at the next start");
        }

        /** The finding as a run result: FAIL, with the failure naming sensor, value, limit and time. */
        public SuiteResult result(Instant started) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("channel", channel);
            d.put("celsius", celsius);
            d.put("criticalCelsius", limit);
            d.put("seconds", seconds);
            d.put("at", at.toString());
            Failure f = new Failure(SYMPTOM, words(), d, false);
            return new SuiteResult(ID, true, Outcome.FAIL, null, "1 failure(s); first: " + words(), started, at, 0, 1, List.of(),
                    List.of(f), 1, "", "", Map.of(), "");
        }
    }

    private final double limit;
    private final int samples; // readings in a row over the limit that make a breach
    private final double interval;
    private final Consumer<Trip> onTrip;
    private final boolean live;
    private final Map<String, double[]> above = new HashMap<>(); // channel -> {readings in a row over the limit, lowest of them}
    private volatile Trip tripped;

    /**
     * @param criticalCelsius the limit
     * @param breachSeconds   how long it must be exceeded
     * @param intervalSeconds the sampling interval: a breach is {@code breachSeconds / intervalSeconds} readings in a row
     * @param onTrip          called once, on the sampler's thread, when the guard trips
     */
    public HeatGuard(double criticalCelsius, double breachSeconds, double intervalSeconds, Consumer<Trip> onTrip) {
        this(criticalCelsius, breachSeconds, intervalSeconds, onTrip, true);
    }

    private HeatGuard(double criticalCelsius, double breachSeconds, double intervalSeconds, Consumer<Trip> onTrip, boolean live) {
        this.live = live;
        this.limit = criticalCelsius;
        this.samples = Math.max(1, (int) Math.round(breachSeconds / intervalSeconds));
        this.interval = intervalSeconds;
        this.onTrip = onTrip;
    }

    /** The trip, or null while none. */
    public Trip tripped() {
        return tripped;
    }

    /** One sample taken at {@code at}. A channel missing from it, or back under the limit, starts over. */
    public void sample(Instant at, Map<String, Double> sample) {
        Trip t = null;
        synchronized (this) {
            if (tripped != null) {
                return;
            }
            above.keySet().retainAll(sample.keySet());
            for (Map.Entry<String, Double> e : sample.entrySet()) {
                Double v = e.getValue();
                if (!e.getKey().endsWith("_celsius") || v == null || !(v > limit) || v > ThermalJudge.MAX_CELSIUS) {
                    above.remove(e.getKey());
                    continue;
                }
                double[] run = above.computeIfAbsent(e.getKey(), k -> new double[] {0, v});
                run[0]++;
                run[1] = Math.min(run[1], v);
                if (run[0] >= samples && t == null) {
                    t = new Trip(e.getKey(), run[1], limit, run[0] * interval, at, live);
                }
            }
            tripped = t;
        }
        if (t != null) {
            onTrip.accept(t);
        }
    }

    /**
     * A breach in a recorded trace: the first sensor held above {@code criticalCelsius} for {@code
     * breachSeconds}, or null. For a run that died: recovery seals it FAIL when its trace shows one.
     */
    public static Trip breach(Trace trace, double criticalCelsius, double breachSeconds) {
        HeatGuard g = new HeatGuard(criticalCelsius, breachSeconds, trace.intervalSeconds(), t -> { }, false);
        for (int i = 0; i < trace.size() && g.tripped() == null; i++) {
            g.sample(Instant.ofEpochMilli(trace.millis(i)), trace.sample(i));
        }
        return g.tripped();
    }

    /**
     * The same, read from the CSV a line at a time ({@link Trace#read}): what recovery uses at start-up,
     * so the trace of a long run is never held in memory. The interval is the gap between the first two
     * samples (the sampler's fixed rate).
     *
     * @throws IOException when the file has no header or cannot be read
     */
    public static Trip breach(java.io.InputStream csv, double criticalCelsius, double breachSeconds) throws IOException {
        final class Scan implements Trace.Rows {
            String[] names = new String[0];
            HeatGuard guard;
            long firstMillis = -1;
            Map<String, Double> first;

            @Override
            public void columns(String[] channels) {
                names = channels;
            }

            @Override
            public void row(long millis, double[] values) {
                Map<String, Double> sample = new java.util.LinkedHashMap<>();
                for (int c = 0; c < names.length; c++) {
                    if (!Double.isNaN(values[c])) {
                        sample.put(names[c], values[c]);
                    }
                }
                if (guard == null && firstMillis < 0) {
                    firstMillis = millis; // held until the second sample gives the interval
                    first = sample;
                    return;
                }
                if (guard == null) {
                    guard = new HeatGuard(criticalCelsius, breachSeconds, Math.max(1, millis - firstMillis) / 1000.0, t -> { }, false);
                    guard.sample(Instant.ofEpochMilli(firstMillis), first);
                }
                guard.sample(Instant.ofEpochMilli(millis), sample);
            }
        }
        Scan scan = new Scan();
        Trace.read(csv, scan);
        return scan.guard == null ? null : scan.guard.tripped();
    }
}
