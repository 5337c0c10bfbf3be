package dev.kiln.core.thermal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code kiln judge} reads from a bundle, and what it refuses with one line rather than crash on. */
class RejudgeTest {
    private static final String CSV = "timestamp,a_celsius\n2026-11-29T00:00:00Z,40\n2026-11-29T00:00:01Z,41\n";
    private static final String WINDOW = "{\"name\":\"stage_window_seconds\",\"value\":1,\"unit\":\"seconds\",\"metadata\":{\"stage\":\"together\","
            + "\"baselineStart\":\"%s\",\"start\":\"2026-11-29T00:00:01Z\",\"end\":\"2026-11-29T00:00:02Z\",\"cooldownEnd\":\"2026-11-29T00:00:03Z\"}}";

    private static Map<String, byte[]> bundle(String baselineStart, String limits, String clusters) {
        Map<String, byte[]> f = new HashMap<>();
        f.put(BundleNames.TELEMETRY, CSV.getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.SUMMARY, ("{\"runId\":\"r1\",\"verdict\":\"PASS\",\"suites\":[{\"suiteId\":\"thermal\",\"measurements\":["
                + String.format(WINDOW, baselineStart) + "]}]}").getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.INVENTORY, ("{\"thermal\":{\"limits\":" + limits + ",\"cpuClusters\":" + clusters + "}}").getBytes(StandardCharsets.UTF_8));
        return f;
    }

    @Test
    void aBundlesTraceStageAndThresholdsAreReadBack() throws IOException {
        Rejudge r = Rejudge.of(bundle("2026-11-29T00:00:00Z", "{\"maxTemperatureCelsius\":90}", "{\"0\":\"performance\"}"));
        assertEquals(2, r.trace().size());
        assertEquals("together", r.stages().get(0).name());
        assertEquals(90.0, r.limits().maxTemperatureCelsius());
        assertEquals(Map.of(0, "performance"), r.cpuClusters());
        assertEquals("PASS", r.verdict());
    }

    @Test
    void hostileOrDamagedContentIsRefusedNamingWhatIsWrong() {
        assertTrue(assertThrows(IOException.class, () -> Rejudge.of(bundle("2026-11-29T00:00:05Z", "{}", "{}"))).getMessage()
                .contains("stage window is malformed"));
        assertTrue(assertThrows(IOException.class, () -> Rejudge.of(bundle("2026-11-29T00:00:00Z", "{\"equilibriumWindow\":\"soon\"}",
                "{}"))).getMessage().contains("thermal limits: equilibriumWindow"));
        assertTrue(assertThrows(IOException.class, () -> Rejudge.of(bundle("2026-11-29T00:00:00Z", "{}", "{\"x\":\"p\"}"))).getMessage()
                .contains("CPU clusters are malformed"));
        Map<String, byte[]> noTrace = bundle("2026-11-29T00:00:00Z", "{}", "{}");
        noTrace.remove(BundleNames.TELEMETRY);
        assertTrue(assertThrows(IOException.class, () -> Rejudge.of(noTrace)).getMessage().contains(BundleNames.TELEMETRY));
    }
}
