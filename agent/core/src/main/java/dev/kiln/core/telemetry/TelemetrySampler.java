package dev.kiln.core.telemetry;

import java.io.Closeable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Samples every telemetry source at a fixed interval (1 Hz by default) into the run's
 * {@code telemetry.csv}: one row per sample, one column per channel with its unit in the name. An
 * unknown value is an empty cell, never a made-up number. The columns are the sources' channels as
 * found at start; a channel that first appears later (powermetrics' first sample can be late, and
 * its cluster names are only known from a sample) is appended, and the header is restated on its
 * own line ({@code timestamp,} then every column so far, the new ones last) before the first row
 * that has it. {@link dev.kiln.core.thermal.Trace} reads such a file.
 */
public final class TelemetrySampler implements Closeable {
    private final PrintStream out;
    private final Clock clock;
    private final List<TelemetrySource> sources;
    private final List<String> channels = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private volatile Map<String, Double> latest = Map.of();
    private io.micrometer.core.instrument.MeterRegistry registry;
    private final List<java.util.function.BiConsumer<java.time.Instant, Map<String, Double>>> watchers =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public TelemetrySampler(PrintStream out, Clock clock, Duration interval, List<TelemetrySource> sources) {
        this.out = out;
        this.clock = clock;
        this.sources = List.copyOf(sources);
        sources.forEach(s -> channels.addAll(s.channels()));
        out.println(channels.isEmpty() ? "timestamp" : "timestamp," + String.join(",", channels));
        out.flush();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-telemetry");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The column names, after {@code timestamp}: those found at start, then any that appeared later. */
    public synchronized List<String> channels() {
        return List.copyOf(channels);
    }

    /**
     * Mirrors every channel to a Micrometer gauge of the same name (the unit is in the name), reading
     * the latest sample; an unknown value reads NaN.
     */
    public synchronized void bind(io.micrometer.core.instrument.MeterRegistry registry) {
        this.registry = registry;
        channels.forEach(this::gauge);
    }

    private void gauge(String c) {
        if (registry != null) {
            io.micrometer.core.instrument.Gauge.builder(c, this, s -> s.latest().getOrDefault(c, Double.NaN))
                    .description("telemetry channel " + c).register(registry);
        }
    }

    /**
     * Hands every sample, with the time it was taken, to {@code watcher} (the heat guard) on the
     * sampler's thread, after it is written; a watcher that throws does not stop the sampling.
     */
    public void watch(java.util.function.BiConsumer<java.time.Instant, Map<String, Double>> watcher) {
        watchers.add(watcher);
    }

    /** The most recent sample. */
    public Map<String, Double> latest() {
        return latest;
    }

    private synchronized void sample() {
        Map<String, Double> all = new LinkedHashMap<>();
        for (TelemetrySource s : sources) {
            try {
                all.putAll(s.sample());
            } catch (RuntimeException e) {
                // a source must not stop the others; its channels stay empty this time
            }
        }
        latest = all;
        List<String> added = all.keySet().stream().filter(c -> !channels.contains(c) && c.matches("[A-Za-z0-9_.:-]+")).toList();
        if (!added.isEmpty()) {
            channels.addAll(added);
            added.forEach(this::gauge);
            out.println("timestamp," + String.join(",", channels)); // the header restated: later rows have the new columns
        }
        java.time.Instant at = clock.instant();
        StringBuilder row = new StringBuilder(at.toString());
        for (String c : channels) {
            Double v = all.get(c);
            row.append(',').append(v == null || !Double.isFinite(v) ? "" : format(v));
        }
        out.println(row);
        out.flush();
        for (var w : watchers) {
            try {
                w.accept(at, all);
            } catch (RuntimeException e) {
                // a watcher must not stop the sampling
            }
        }
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        for (TelemetrySource src : sources) {
            if (src instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // stopping a sampler's child process is best effort
                }
            }
        }
        out.flush();
    }
}
