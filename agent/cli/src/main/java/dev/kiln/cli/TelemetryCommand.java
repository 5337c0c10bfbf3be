package dev.kiln.cli;

import dev.kiln.core.Durations;
import dev.kiln.core.KilnException;
import dev.kiln.core.state.Json;
import dev.kiln.core.telemetry.TelemetrySampler;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln telemetry}: print samples live, as the sampler records them during a run. */
@Command(name = "telemetry", mixinStandardHelpOptions = true, description = "Print telemetry samples live (every channel, unit in its name).")
final class TelemetryCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Option(names = "--json", description = "One JSON object per sample.")
    boolean json;

    @Option(names = "--count", defaultValue = "5", description = "Samples to print (0: until stopped). Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "D", description = "Time between samples. Default: ${DEFAULT-VALUE}.")
    String interval;

    @Option(names = "--sysfs-root", defaultValue = "/", paramLabel = "DIR", description = "Root of /sys (Linux), for captured trees.")
    Path sysfsRoot;

    @Override
    public Integer call() throws Exception {
        Duration every;
        try {
            every = Durations.parse(interval);
        } catch (IllegalArgumentException e) {
            throw KilnException.usage("--interval: " + e.getMessage());
        }
        Main.require(count >= 0, "--count must be >= 0");
        List<TelemetrySource> sources = dev.kiln.core.platform.PlatformProbe.current().telemetry(sysfsRoot, Clock.systemUTC(),
                w -> parent.err.println("kiln: telemetry: " + w));
        for (TelemetrySource s : sources) {
            s.sample(); // rates (CPU load, powercap watts) need a first reading
        }
        for (int i = 0; count == 0 || i < count; i++) {
            Thread.sleep(every);
            Map<String, Double> all = new LinkedHashMap<>();
            sources.forEach(s -> all.putAll(s.sample()));
            String now = Clock.systemUTC().instant().toString();
            if (json) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("timestamp", now);
                line.put("channels", all);
                parent.out.println(Json.MAPPER.writeValueAsString(line));
            } else {
                parent.out.println(now);
                all.forEach((k, v) -> parent.out.printf("  %-48s %s%n", k, v));
            }
            parent.out.flush();
        }
        return 0;
    }
}
