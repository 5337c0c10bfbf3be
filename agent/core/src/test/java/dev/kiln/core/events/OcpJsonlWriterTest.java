package dev.kiln.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Availability;
import dev.kiln.api.Measurement;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.kit.KitHarness;
import dev.kiln.core.kit.OcpStreamValidator;
import dev.kiln.core.runner.RunOptions;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.SuiteRequest;
import dev.kiln.core.runner.TestSuites;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OcpJsonlWriterTest {
    @Test
    void aMixedRunIsAValidStreamWithEveryOutcome() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        OcpJsonlWriter w = new OcpJsonlWriter(new PrintStream(buf, true, StandardCharsets.UTF_8), Clock.systemUTC());
        RunOptions o = RunOptions.defaults(5).withHangTimeout(Duration.ofMillis(500));
        RunReport r = KitHarness.run(KitHarness.engine(), o, w,
                new SuiteRequest(TestSuites.measuring("good", new Measurement("rate_per_second", 12.5, "1/s", 1.0, null, Map.of())),
                        Duration.ofMillis(200), true, Map.of()),
                new SuiteRequest(TestSuites.failing("bad"), Duration.ofMillis(200), true, Map.of()),
                new SuiteRequest(TestSuites.unavailable("gone", Availability.unavailable(UnavailableCategory.NOT_SUPPORTED, "not here")),
                        Duration.ofMillis(200), false, Map.of()),
                new SuiteRequest(TestSuites.throwing("broken"), Duration.ofMillis(200), false, Map.of()));
        String out = buf.toString(StandardCharsets.UTF_8);
        List<String> problems = OcpStreamValidator.validate(out);
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + out);
        assertEquals(Map.of("good", "PASS", "bad", "FAIL", "gone", "SKIPPED", "broken", "ERROR"), OcpStreamValidator.outcomes(out));
        List<JsonNode> lines = OcpStreamValidator.parse(out);
        JsonNode end = lines.get(lines.size() - 1).get("testRunArtifact").get("testRunEnd");
        assertEquals("FAIL", end.get("result").asText());
        assertTrue(out.contains("\"verdict\":\"bad-defect\""), "the failure itself is a FAIL diagnosis");
        assertTrue(out.contains("GREATER_THAN_OR_EQUAL"), "limits become validators");
        assertTrue(out.contains("\"status\":\"SKIP\""));
        assertEquals(r.verdict().name(), "FAIL");
        assertFalse(out.contains("\r"));
    }

    @Test
    void validatorCatchesBrokenStreams() {
        assertFalse(OcpStreamValidator.validate("").isEmpty());
        String ok = "{\"schemaVersion\":{\"major\":2,\"minor\":0},\"sequenceNumber\":0,\"timestamp\":\"2026-01-01T00:00:00Z\"}\n"
                + "{\"testRunArtifact\":{\"testRunStart\":{\"name\":\"k\",\"version\":\"1\",\"commandLine\":\"k\",\"parameters\":{},"
                + "\"dutInfo\":{\"dutInfoId\":\"d\"}}},\"sequenceNumber\":1,\"timestamp\":\"2026-01-01T00:00:00Z\"}\n"
                + "{\"testRunArtifact\":{\"testRunEnd\":{\"status\":\"COMPLETE\",\"result\":\"PASS\"}},\"sequenceNumber\":2,\"timestamp\":\"2026-01-01T00:00:00Z\"}\n";
        assertEquals(List.of(), OcpStreamValidator.validate(ok));
        assertFalse(OcpStreamValidator.validate(ok.replace("\"sequenceNumber\":2", "\"sequenceNumber\":5")).isEmpty());
        assertFalse(OcpStreamValidator.validate(ok.replace("\"PASS\"", "\"GREAT\"")).isEmpty());
        assertFalse(OcpStreamValidator.validate(ok.replace("\"dutInfoId\":\"d\"", "\"x\":\"d\"")).isEmpty());
        assertFalse(OcpStreamValidator.validate(ok.replace("2026-01-01T00:00:00Z\"}\n{\"testRunArtifact\":{\"testRunEnd",
                "yesterday\"}\n{\"testRunArtifact\":{\"testRunEnd")).isEmpty());
    }
}
