package dev.kiln.core.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Failure;
import dev.kiln.bundle.StationKey;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.state.Json;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a heartbeat says of a run: its plan, the suites in flight, failures, heat and the agent's health. */
class HeartbeatsTest {
    private final Instant t0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void theStatusSaysWhereTheRunIsAndHowItGoes() throws Exception {
        Clock clock = Clock.fixed(t0.plusSeconds(600), ZoneOffset.UTC);
        List<String> said = new ArrayList<>();
        ServiceConfig svc = new ServiceConfig(URI.create("http://127.0.0.1:9"), "t", null, null, null, Duration.ofSeconds(1),
                Duration.ofMillis(100), Duration.ofSeconds(1));
        List<Progress> flying = List.of(new Progress("together/cpu", "all-at-once", 2, Duration.ofSeconds(300), Duration.ofSeconds(900), 40, 40, 0),
                new Progress("together/memory", "verify", 2, Duration.ofSeconds(300), Duration.ofSeconds(900), 7, 1L << 30, 1, "B"));
        try (Heartbeats h = new Heartbeats(svc, StationKey.generate(), Duration.ofMinutes(10), () -> flying, () -> 2, clock, said::add)) {
            RunInfo info = new RunInfo("01a2-run", "soak", 1, t0, "0.1", "kiln run", List.of(
                    new PlannedSuite("cpu", Duration.ofMinutes(10), true, Map.of()),
                    new PlannedSuite("together/cpu", Duration.ofMinutes(20), true, Map.of()),
                    new PlannedSuite("together/memory", Duration.ofMinutes(20), true, Map.of())), Map.of("serial", "C02TEST"));
            h.runStarted(info);
            h.failure("together/memory", new Failure("memory-bit-flip", "bit 3 flipped at 0x7f00", Map.of(), false));
            h.failure("together/memory", new Failure("memory-bit-flip", "a second one", Map.of(), false));
            h.sample(t0.plusSeconds(598), Map.of("cpu_die_max_celsius", 81.5, "gpu_celsius", 70.0, "package_watts", 96.0, "gpu_watts", 30.0,
                    "fan0_rpm", 2400.0));
            JsonNode s = Json.MAPPER.readTree(h.status(null));
            assertEquals(1, s.get("v").asInt());
            assertEquals("01a2-run", s.get("runId").asText());
            assertEquals("C02TEST", s.get("serial").asText());
            assertEquals("running", s.get("state").asText());
            assertEquals(1, s.get("seq").asLong());
            assertEquals(600.0, s.get("elapsedSeconds").asDouble());
            assertEquals(1800.0, s.get("plannedSeconds").asDouble(), "10 min alone, then a 20-min stage whose members run at once");
            assertEquals("together", s.get("stage").asText());
            assertEquals(2, s.get("suites").size());
            assertEquals(900.0, s.get("suites").get(1).get("remainingSeconds").asDouble());
            assertEquals(2, s.get("failures").asLong());
            assertEquals("together/memory: bit 3 flipped at 0x7f00", s.get("firstFailure").asText(), "the first one's words");
            assertEquals(81.5, s.get("hottestCelsius").asDouble());
            assertEquals("package_watts", s.get("wattsChannel").asText());
            assertTrue(s.get("agent").get("samplerAlive").asBoolean());
            assertEquals(2, s.get("agent").get("outboxDepth").asInt());
            JsonNode last = Json.MAPPER.readTree(h.status("FAIL"));
            assertEquals("ended", last.get("state").asText());
            assertEquals("FAIL", last.get("verdict").asText());
            assertEquals(2, last.get("seq").asLong(), "every status a higher seq");
            assertEquals(0, last.get("suites").size());
            h.sample(t0.plusSeconds(500), Map.of());
            JsonNode stale = Json.MAPPER.readTree(h.status(null));
            assertFalse(stale.get("agent").get("samplerAlive").asBoolean(), "no sample for 100 s: the sampler is not alive");
            assertFalse(stale.has("hottestCelsius"));
        }
        assertTrue(said.isEmpty(), "nothing sent yet, nothing said: " + said);
    }
}
