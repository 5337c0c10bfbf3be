package dev.kiln.core.platform.mac;

import dev.kiln.core.telemetry.TelemetrySource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * macOS: streams {@code powermetrics --samplers cpu_power,gpu_power,ane_power,thermal -f plist -i
 * <ms>} as a child process (it needs root) and serves the latest sample: per-cluster clocks and
 * residency, CPU/GPU/ANE power, GPU clock and the thermal pressure level. Channels are learned from
 * the samples, since cluster names differ per chip: those of a sample within the first seconds are
 * known at start, and any that appear later are added then (the sampler restates its header), so a
 * late first sample no longer drops every powermetrics channel for the whole run. Started with
 * {@code --buffer-size 1} (line-buffered): piped, its output is otherwise block-buffered and a
 * sample could sit in the buffer. Tested here with a stand-in command that
 * replays real captures; on a Mac it is unverified until a rack runs it.
 */
public final class PowermetricsSource implements TelemetrySource, AutoCloseable {
    private final Process process;
    private final java.util.Set<String> channels = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    private final Consumer<String> warn;
    private volatile Map<String, Double> latest = Map.of();
    private volatile long latestNanos;
    private final long staleNanos;
    private boolean warnedStale;

    /** The real thing: {@code powermetrics} at the given interval. */
    public static PowermetricsSource start(Duration interval, Consumer<String> warn) throws IOException {
        return new PowermetricsSource(command(interval), interval, warn);
    }

    /** The command line: plist samples, line-buffered ({@code --buffer-size 1}: 0 = none, 1 = line), every interval. */
    static List<String> command(Duration interval) {
        return List.of(dev.kiln.core.platform.ChildProcess.POWERMETRICS, "--samplers", "cpu_power,gpu_power,ane_power,thermal", "-f", "plist",
                "--buffer-size", "1", "-i", Long.toString(interval.toMillis()));
    }

    /** Any command that writes NUL-separated powermetrics plists (tests use a replay of captures). */
    public PowermetricsSource(List<String> command, Duration interval, Consumer<String> warn) throws IOException {
        this.warn = warn;
        this.staleNanos = interval.toNanos() * 5;
        this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CountDownLatch first = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
                Powermetrics.stream(process.getInputStream(), s -> {
                    channels.addAll(s.keySet());
                    latest = s;
                    latestNanos = System.nanoTime();
                    first.countDown();
                }, bad -> warn.accept("powermetrics: a sample did not parse: " + bad));
            } catch (IOException e) {
                warn.accept("powermetrics stopped: " + e.getMessage());
            }
        }, "kiln-powermetrics");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!first.await(Math.max(3000, interval.toMillis() * 3), TimeUnit.MILLISECONDS)) {
                warn.accept("powermetrics gave no sample yet (it needs root): its channels are added when one arrives");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String name() {
        return "powermetrics";
    }

    @Override
    public List<String> channels() {
        synchronized (channels) {
            return List.copyOf(channels);
        }
    }

    @Override
    public synchronized Map<String, Double> sample() {
        if (System.nanoTime() - latestNanos > staleNanos) {
            if (!warnedStale) {
                warnedStale = true;
                warn.accept("powermetrics has not sampled lately: its channels are empty until it does");
            }
            return Map.of();
        }
        warnedStale = false;
        return latest;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
