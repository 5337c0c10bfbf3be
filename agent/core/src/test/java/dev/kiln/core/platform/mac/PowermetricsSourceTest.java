package dev.kiln.core.platform.mac;

import dev.kiln.core.telemetry.TelemetrySampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The child-process half of the powermetrics source, fed by a stand-in that replays real captures with NULs between them. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class PowermetricsSourceTest {
    @TempDir
    Path dir;

    @Test
    void learnsChannelsFromTheFirstSampleAndSurvivesABrokenOne() throws Exception {
        Path a = Files.write(dir.resolve("a.plist"), getClass().getResourceAsStream(
                "/fixtures/macos/powermetrics-m2ultra-mac14_14-macos14.4.plist").readAllBytes());
        String script = "cat " + a + "; printf '\\0'; printf '<plist><dict><key>proc'; printf '\\0'; "
                + "while true; do cat " + a + "; printf '\\0'; sleep 0.05; done";
        List<String> warnings = new ArrayList<>();
        try (PowermetricsSource s = new PowermetricsSource(List.of("bash", "-c", script), Duration.ofMillis(50), warnings::add)) {
            assertTrue(s.channels().contains("cluster_p3_freq_hertz"), s.channels().toString());
            Thread.sleep(200);
            Map<String, Double> m = s.sample();
            assertEquals(70.9246, m.get("gpu_power_watts"), 1e-3);
            assertTrue(warnings.stream().anyMatch(w -> w.contains("did not parse")), warnings.toString());
        }
    }

    @Test
    void aCommandThatGivesNothingLeavesNoChannels() throws Exception {
        List<String> warnings = new ArrayList<>();
        try (PowermetricsSource s = new PowermetricsSource(List.of("true"), Duration.ofMillis(10), warnings::add)) {
            assertEquals(List.of(), s.channels());
            assertEquals(Map.of(), s.sample());
            assertTrue(warnings.get(0).contains("no sample"), warnings.toString());
        }
    }

    @Test
    void channelsOfALateFirstSampleAreAddedAndTheTraceRestatesItsHeader() throws Exception {
        // the first sample arrives after the 3 s the source waits at start: its channels once stayed out for the whole run
        Path a = Files.write(dir.resolve("a.plist"), getClass().getResourceAsStream(
                "/fixtures/macos/powermetrics-m4max-mac16_5-macos26.2.plist").readAllBytes());
        String script = "sleep 3.5; while true; do cat " + a + "; printf '\\0'; sleep 0.05; done";
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try (PowermetricsSource s = new PowermetricsSource(List.of("bash", "-c", script), Duration.ofMillis(50), warnings::add);
             TelemetrySampler sampler = new TelemetrySampler(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8),
                     java.time.Clock.systemUTC(), Duration.ofMillis(50), List.of(s))) {
            assertEquals(List.of(), sampler.channels(), "nothing known at start");
            assertTrue(warnings.get(0).contains("added when one arrives"), warnings.toString());
            long until = System.nanoTime() + 10_000_000_000L;
            while (!sampler.channels().contains("gpu_power_watts") && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(s.channels().contains("gpu_power_watts"), s.channels().toString());
            Thread.sleep(300);
        }
        List<String> lines = buf.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals("timestamp", lines.get(0), "the header at start had no channels");
        assertTrue(lines.stream().skip(1).anyMatch(l -> l.startsWith("timestamp,") && l.contains("gpu_power_watts")), "restated: " + lines);
        dev.kiln.core.thermal.Trace trace = dev.kiln.core.thermal.Trace.parse(String.join("\n", lines) + "\n");
        assertEquals(0, trace.damagedLines(), lines.toString());
        double[] gpu = trace.column("gpu_power_watts");
        assertTrue(Double.isNaN(gpu[0]), "unknown before powermetrics answered");
        assertTrue(Double.isFinite(gpu[gpu.length - 1]), "known after");
    }

    @Test
    void theRealCommandIsLineBuffered() {
        List<String> cmd = PowermetricsSource.command(Duration.ofSeconds(1));
        assertEquals("/usr/bin/powermetrics", cmd.get(0));
        int b = cmd.indexOf("--buffer-size");
        assertTrue(b > 0 && cmd.get(b + 1).equals("1"), cmd.toString());
    }
}
