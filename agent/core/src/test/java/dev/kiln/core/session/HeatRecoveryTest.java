package dev.kiln.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.journal.Recovery;
import dev.kiln.core.journal.RunRecorder;
import dev.kiln.core.journal.Sealer;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that died mid-stage (a power loss, a unit that cooked to shutdown) is sealed at the next
 * start with the trace it left judged: FAIL when the trace shows a sensor past the run's critical
 * limit for the breach time, INCOMPLETE otherwise.
 */
class HeatRecoveryTest {
    @TempDir
    Path root;

    private final StationKey key = StationKey.generate();

    /** A run that started a stage member and died, leaving {@code csv} as its trace and {@code criticalCelsius} in its record. */
    private StateDir died(String runId, String csv, Double criticalCelsius) throws Exception {
        StateDir state = new StateDir(root.resolve(runId)).create();
        RunInfo info = new RunInfo(runId, "burn-in", 42, Instant.parse("2026-12-07T08:00:00Z"), "test", "kiln run",
                List.of(new PlannedSuite("together/cpu", Duration.ofHours(3), true, Map.of())), Map.of("serial", "SN1", "model", "m"));
        String inventory = criticalCelsius == null ? "{}"
                : "{\"thermal\":{\"limits\":{\"criticalCelsius\":" + criticalCelsius + ",\"breachSeconds\":3}}}";
        RunRecorder rec = new RunRecorder(state, info, inventory.getBytes(StandardCharsets.UTF_8), null, Clock.systemUTC(), Duration.ofHours(1));
        rec.listener().runStarted(info);
        rec.listener().suiteStarted(info.suites().get(0));
        rec.close();
        Files.writeString(state.run(runId).resolve(RunRecorder.TELEMETRY), csv);
        return state;
    }

    private static String trace(double... celsius) {
        StringBuilder b = new StringBuilder("timestamp,smc_Tp01_celsius,smc_F0Ac_rpm\n");
        for (int i = 0; i < celsius.length; i++) {
            b.append(Instant.parse("2026-12-07T08:00:00Z").plusSeconds(i)).append(',').append(celsius[i]).append(",4800\n");
        }
        b.append("2026-12-07T08:0"); // the line the power cut tore
        return b.toString();
    }

    private JsonNode recover(StateDir state) throws Exception {
        List<Path> sealed = new Recovery(state, new Sealer(state, key, () -> { }), Clock.systemUTC(), RunSession::heatFinding)
                .recoverAll(x -> { });
        assertEquals(1, sealed.size());
        BundleVerifier.Result r = new BundleVerifier(TrustStore.of(key.publicKey()), BundleLimits.defaults()).verify(Files.readAllBytes(sealed.get(0)));
        assertTrue(r.valid(), r.problems().toString());
        return Json.MAPPER.readTree(r.files().get(BundleNames.SUMMARY));
    }

    @Test
    void aTraceShowingTheCriticalLimitCrossedIsSealedFail() throws Exception {
        JsonNode s = recover(died("r1", trace(70, 90, 104, 108, 108.5, 109, 109.2), 105.0));
        assertEquals("FAIL", s.path("verdict").asText(), s.toPrettyString());
        JsonNode guard = null;
        for (JsonNode r : s.path("suites")) {
            if (r.path("suiteId").asText().equals("heat-guard")) {
                guard = r;
            }
        }
        assertTrue(guard != null && guard.path("outcome").asText().equals("FAIL"), s.toPrettyString());
        String said = guard.path("failures").get(0).path("message").asText();
        assertTrue(said.startsWith("smc_Tp01_celsius held above 105.0 °C"), guard.toString());
        assertTrue(said.endsWith("found in the trace of a run that stopped without ending (a trip, a crash or power lost), at the next start"),
                "recovery never claims the guard stopped the load: " + said);
    }

    @Test
    void aTraceUnderTheLimitOrNoTraceStaysIncomplete() throws Exception {
        // the run's own limit (105) is not crossed for 3 s; the default (110) is not either
        assertEquals("INCOMPLETE", recover(died("r2", trace(70, 90, 106, 104, 106, 104, 100), 105.0)).path("verdict").asText());
        // no limit recorded: the default 110 °C judges, and 109 °C is under it
        assertEquals("INCOMPLETE", recover(died("r3", trace(109, 109, 109, 109, 109), null)).path("verdict").asText());
        assertEquals("FAIL", recover(died("r4", trace(112, 112, 112, 112, 112, 112), null)).path("verdict").asText());
    }
}
