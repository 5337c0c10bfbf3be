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
 * found at start.
 */
public final class TelemetrySampler implements Closeable {
    private final PrintStream out;
    private final Clock clock;
    private final List<TelemetrySource> sources;
    private final List<String> channels = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private volatile Map<String, Double> latest = Map.of();

    public TelemetrySampler(PrintStream out, Clock clock, Duration interval, List<TelemetrySource> sources) {
        this.out = out;
        this.clock = clock;
        this.sources = List.copyOf(sources);
        sources.forEach(s -> channels.addAll(s.channels()));
        out.println("timestamp," + String.join(",", channels));
        out.flush();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-telemetry");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The sources for this machine (see {@link dev.kiln.core.platform.PlatformProbe}). */
    public static List<TelemetrySource> forThisPlatform(Path sysfsRoot, Clock clock, Consumer<String> warn) {
        return dev.kiln.core.platform.PlatformProbe.current().telemetry(sysfsRoot, clock, warn);
    }

    /** The column names, after {@code timestamp}. */
    public List<String> channels() {
        return List.copyOf(channels);
    }

    /**
     * Mirrors every channel to a Micrometer gauge of the same name (the unit is in the name), reading
     * the latest sample; an unknown value reads NaN.
     */
    public void bind(io.micrometer.core.instrument.MeterRegistry registry) {
        for (String c : channels) {
            io.micrometer.core.instrument.Gauge.builder(c, this, s -> s.latest().getOrDefault(c, Double.NaN))
                    .description("telemetry channel " + c).register(registry);
        }
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
        StringBuilder row = new StringBuilder(clock.instant().toString());
        for (String c : channels) {
            Double v = all.get(c);
            row.append(',').append(v == null || !Double.isFinite(v) ? "" : format(v));
        }
        out.println(row);
        out.flush();
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
