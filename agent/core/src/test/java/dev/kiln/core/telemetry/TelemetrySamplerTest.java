package dev.kiln.core.telemetry;

import dev.kiln.core.platform.linux.LinuxSysfsSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler over a fixture sysfs tree whose values change between samples. */
class TelemetrySamplerTest {
    @TempDir
    Path root;

    @Test
    void rowsFollowTheTreeAndUnknownsAreEmptyCells() throws Exception {
        Path temp = root.resolve("sys/class/thermal/thermal_zone0/temp");
        Files.createDirectories(temp.getParent());
        Files.writeString(root.resolve("sys/class/thermal/thermal_zone0/type"), "cpu");
        Files.writeString(temp, "40000");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TelemetrySampler s = new TelemetrySampler(new PrintStream(buf, true, StandardCharsets.UTF_8), Clock.systemUTC(),
                Duration.ofMillis(40), List.of(new LinuxSysfsSource(root, Clock.systemUTC(), warnings::add)))) {
            assertEquals(List.of("thermal_zone0_cpu_celsius"), s.channels());
            var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            s.bind(registry);
            waitRows(buf, 2);
            assertEquals(40.0, registry.get("thermal_zone0_cpu_celsius").gauge().value(), "mirrored to a gauge");
            Files.writeString(temp, "91000");
            int before = rows(buf).size();
            waitRows(buf, before + 2);
            Files.writeString(temp, "garbage");
            before = rows(buf).size();
            waitRows(buf, before + 2);
        }
        List<String> rows = rows(buf);
        assertEquals("timestamp,thermal_zone0_cpu_celsius", rows.get(0));
        assertTrue(rows.stream().anyMatch(r -> r.endsWith(",40")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.endsWith(",91")), rows.toString());
        assertTrue(rows.get(rows.size() - 1).endsWith(","), "garbage is an empty cell: " + rows.get(rows.size() - 1));
        assertEquals(1, warnings.size(), "one warning for the channel, not one per sample: " + warnings);
    }

    static List<String> rows(ByteArrayOutputStream buf) {
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    static void waitRows(ByteArrayOutputStream buf, int n) throws InterruptedException {
        long until = System.nanoTime() + 5_000_000_000L;
        while (rows(buf).size() < n + 1 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
    }

    @Test
    void thisMachinesSourcesSample() throws Exception {
        List<TelemetrySource> sources = dev.kiln.core.platform.PlatformProbe.current().telemetry(Path.of("/"), Clock.systemUTC(), w -> { });
        var m = sources.get(0).sample();
        assertTrue(m.get("memory_available_bytes") > 0);
    }
}
