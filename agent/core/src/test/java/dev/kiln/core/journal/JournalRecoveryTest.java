package dev.kiln.core.journal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.kit.OcpStreamValidator;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run recorded as it goes, cut short at various points, then recovered by the next start. */
class JournalRecoveryTest {
    @TempDir
    Path root;

    private final StationKey key = StationKey.generate();
    private final Clock clock = Clock.systemUTC();

    private RunInfo info(String runId) {
        return new RunInfo(runId, "test", 42, Instant.parse("2026-11-26T08:00:00Z"), "test", "kiln run",
                List.of(new PlannedSuite("a", Duration.ofSeconds(1), true, Map.of()),
                        new PlannedSuite("b", Duration.ofSeconds(1), true, Map.of()),
                        new PlannedSuite("c", Duration.ofSeconds(1), true, Map.of())),
                Map.of("serial", "SN1", "model", "m"));
    }

    private static SuiteResult pass(String id) {
        return new SuiteResult(id, true, Outcome.PASS, null, "", Instant.now(), Instant.now(), 10, 10, List.of(), List.of(), 0,
                "0x1", "none", Map.of(), "");
    }

    /** Records {@code finished} suites, then starts {@code inFlight} (if any), then stops dead. */
    private StateDir crashAfter(String runId, List<String> finished, String inFlight, boolean ended) throws Exception {
        return crashWith(runId, finished, inFlight == null ? List.of() : List.of(inFlight), ended);
    }

    /** The same with several suites in flight at once (a stage of suites together). */
    private StateDir crashWith(String runId, List<String> finished, List<String> inFlight, boolean ended) throws Exception {
        StateDir state = new StateDir(root).create();
        RunRecorder rec = new RunRecorder(state, info(runId), "{}".getBytes(StandardCharsets.UTF_8), null, clock, Duration.ofHours(1));
        var l = rec.listener();
        l.runStarted(info(runId));
        List<SuiteResult> results = new ArrayList<>();
        for (String id : finished) {
            l.suiteStarted(info(runId).suites().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow());
            SuiteResult r = pass(id);
            results.add(r);
            l.suiteEnded(r);
        }
        for (String id : inFlight) {
            l.suiteStarted(info(runId).suites().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow());
        }
        if (ended) {
            l.runEnded(new RunReport(info(runId), Instant.now(), results, Verdict.PASS));
        }
        rec.close();
        return state;
    }

    private BundleVerifier.Result recoverOne(StateDir state) throws Exception {
        List<String> notices = new ArrayList<>();
        List<Path> sealed = new Recovery(state, new Sealer(state, key, () -> { }), clock).recoverAll(notices::add);
        assertEquals(1, sealed.size(), notices.toString());
        assertFalse(Files.exists(state.runs().resolve(sealed.get(0).getFileName().toString().replaceAll(".*_(.*)\\.kiln\\.zip", "$1"))));
        BundleVerifier.Result r = new BundleVerifier(TrustStore.of(key.publicKey()), BundleLimits.defaults())
                .verify(Files.readAllBytes(sealed.get(0)));
        assertTrue(r.valid(), r.problems().toString());
        assertTrue(r.predicate().get("recovered").asBoolean());
        String events = new String(r.files().get(BundleNames.EVENTS), StandardCharsets.UTF_8);
        assertEquals(List.of(), OcpStreamValidator.validate(events), events);
        return r;
    }

    private static JsonNode summary(BundleVerifier.Result r) throws Exception {
        return Json.MAPPER.readTree(r.files().get(BundleNames.SUMMARY));
    }

    @Test
    void crashDuringASuite() throws Exception {
        StateDir state = crashAfter("r1", List.of("a"), "b", false);
        BundleVerifier.Result r = recoverOne(state);
        assertEquals("INCOMPLETE", r.predicate().get("verdict").asText());
        JsonNode s = summary(r);
        assertEquals("PASS", s.get("suites").get(0).get("outcome").asText());
        assertEquals("INTERRUPTED", s.get("suites").get(1).get("outcome").asText());
        assertEquals(2, s.get("suites").size());
        assertEquals(Map.of("a", "PASS", "b", "INTERRUPTED"),
                OcpStreamValidator.outcomes(new String(r.files().get(BundleNames.EVENTS), StandardCharsets.UTF_8)));
    }

    @Test
    void crashWithSeveralSuitesInFlightInterruptsEachOfThem() throws Exception {
        BundleVerifier.Result r = recoverOne(crashWith("r8", List.of("a"), List.of("b", "c"), false));
        assertEquals("INCOMPLETE", r.predicate().get("verdict").asText());
        assertEquals(Map.of("a", "PASS", "b", "INTERRUPTED", "c", "INTERRUPTED"),
                OcpStreamValidator.outcomes(new String(r.files().get(BundleNames.EVENTS), StandardCharsets.UTF_8)));
        assertEquals(3, summary(r).get("suites").size());
    }

    @Test
    void crashBetweenSuites() throws Exception {
        BundleVerifier.Result r = recoverOne(crashAfter("r2", List.of("a", "b"), null, false));
        assertEquals("INCOMPLETE", r.predicate().get("verdict").asText(), "c never ran: not a pass");
        assertEquals(2, summary(r).get("suites").size());
    }

    @Test
    void crashAfterTheRunEndedButBeforeSealingKeepsTheVerdict() throws Exception {
        BundleVerifier.Result r = recoverOne(crashAfter("r3", List.of("a", "b", "c"), null, true));
        assertEquals("PASS", r.predicate().get("verdict").asText());
    }

    @Test
    void aTornLastLineIsIgnored() throws Exception {
        StateDir state = crashAfter("r4", List.of("a"), "b", false);
        Files.writeString(state.run("r4").resolve(Journal.FILE), "{\"type\":\"suite-end\",\"resu", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(state.run("r4").resolve(RunRecorder.EVENTS), "{\"testStepArtifact\":{\"tes", java.nio.file.StandardOpenOption.APPEND);
        BundleVerifier.Result r = recoverOne(state);
        assertEquals("INCOMPLETE", r.predicate().get("verdict").asText());
    }

    @Test
    void aRunAlreadySealedIsOnlyCleanedUpAndStagingIsEmptied() throws Exception {
        StateDir state = crashAfter("r5", List.of("a"), null, false);
        Files.writeString(state.pending().resolve("SN1_r5.kiln.zip"), "sealed before the crash");
        Files.writeString(state.tmp().resolve("SN1_r6.kiln.zip.tmp"), "half");
        List<Path> sealed = new Recovery(state, new Sealer(state, key, () -> { }), clock).recoverAll(x -> { });
        assertEquals(List.of(), sealed);
        assertFalse(Files.exists(state.run("r5")));
        assertFalse(Files.exists(state.tmp().resolve("SN1_r6.kiln.zip.tmp")));
    }

    @Test
    void aRunThatDiedBeforeItsFirstLineIsKeptInQuarantineNotDeleted() throws Exception {
        StateDir state = new StateDir(root).create();
        Files.createDirectories(state.run("r7"));
        List<String> notices = new ArrayList<>();
        assertEquals(List.of(), new Recovery(state, new Sealer(state, key, () -> { }), clock).recoverAll(notices::add));
        assertFalse(Files.exists(state.run("r7")));
        assertTrue(Files.isDirectory(root.resolve("quarantine/runs/r7")), "the evidence is kept");
        assertTrue(Files.readString(root.resolve("quarantine/runs/r7.reason")).contains("no journal file"));
        assertTrue(notices.get(0).contains("kept as evidence"), notices.toString());
    }

    @Test
    void sealingThatFailsKeepsTheJournal() throws Exception {
        StateDir state = crashAfter("r8", List.of("a", "b", "c"), null, true);
        Files.delete(state.pending());
        Files.writeString(state.pending(), "not a directory"); // the rename into pending/ fails
        RunReport report = new RunReport(info("r8"), Instant.now(), List.of(pass("a")), Verdict.PASS);
        assertThrowsIo(() -> new Sealer(state, key, () -> { }).seal(report, false));
        assertTrue(Files.exists(state.run("r8").resolve(Journal.FILE)), "journal intact for a later seal");
        Files.delete(state.pending());
        Files.createDirectories(state.pending());
        assertEquals("PASS", recoverOne(state).predicate().get("verdict").asText());
    }

    private static void assertThrowsIo(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, e);
    }
}
