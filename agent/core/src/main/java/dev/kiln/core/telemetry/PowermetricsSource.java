package dev.kiln.core.telemetry;

import dev.kiln.core.platform.mac.Powermetrics;
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
 * the first sample, since cluster names differ per chip. Tested here with a stand-in command that
 * replays real captures; on a Mac it is unverified until a rack runs it.
 */
public final class PowermetricsSource implements TelemetrySource, AutoCloseable {
    private final Process process;
    private final List<String> channels = new ArrayList<>();
    private final Consumer<String> warn;
    private volatile Map<String, Double> latest = Map.of();
    private volatile long latestNanos;
    private final long staleNanos;
    private boolean warnedStale;

    /** The real thing: {@code powermetrics} at the given interval. */
    public static PowermetricsSource start(Duration interval, Consumer<String> warn) throws IOException {
        return new PowermetricsSource(List.of(dev.kiln.core.platform.ChildProcess.POWERMETRICS, "--samplers", "cpu_power,gpu_power,ane_power,thermal", "-f", "plist",
                "-i", Long.toString(interval.toMillis())), interval, warn);
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
            if (first.await(Math.max(3000, interval.toMillis() * 3), TimeUnit.MILLISECONDS)) {
                channels.addAll(latest.keySet());
            } else {
                warn.accept("powermetrics gave no sample (it needs root): its channels are left out");
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
        return List.copyOf(channels);
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
