package dev.kiln.core.telemetry;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.Sensors;

/**
 * Samples what telemetry exists so far (OSHI's common part: CPU load, available memory, CPU
 * temperature where the OS reports one) at a fixed interval into the run's {@code telemetry.csv},
 * one row per sample, one column per channel with its unit in the name. The platform layer adds
 * sysfs and powermetrics channels. An unknown value is an empty cell, never a made-up number.
 */
public final class TelemetrySampler implements Closeable {
    public static final List<String> CHANNELS = List.of("cpu_load_ratio", "memory_available_bytes", "cpu_temperature_celsius");

    private final PrintStream out;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final CentralProcessor cpu;
    private final GlobalMemory memory;
    private final Sensors sensors;
    private long[] ticks;

    public TelemetrySampler(PrintStream out, Clock clock, Duration interval) {
        this.out = out;
        this.clock = clock;
        SystemInfo si = new SystemInfo();
        this.cpu = si.getHardware().getProcessor();
        this.memory = si.getHardware().getMemory();
        this.sensors = si.getHardware().getSensors();
        this.ticks = cpu.getSystemCpuLoadTicks();
        out.println("timestamp," + String.join(",", CHANNELS));
        out.flush();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-telemetry");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void sample() {
        double load = cpu.getSystemCpuLoadBetweenTicks(ticks);
        ticks = cpu.getSystemCpuLoadTicks();
        double temp = sensors.getCpuTemperature();
        out.println(clock.instant() + "," + num(load) + "," + memory.getAvailable() + "," + (temp > 0 ? num(temp) : ""));
        out.flush();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "";
    }

    @Override
    public synchronized void close() throws IOException {
        timer.shutdownNow();
        out.flush();
    }
}
