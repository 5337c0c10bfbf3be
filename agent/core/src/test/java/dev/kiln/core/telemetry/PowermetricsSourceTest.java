package dev.kiln.core.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
