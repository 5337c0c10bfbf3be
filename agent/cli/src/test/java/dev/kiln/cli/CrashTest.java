package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.kit.OcpStreamValidator;
import dev.kiln.core.state.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL the agent during a suite, between suites and while sealing; restart it; a valid bundle
 * of the dead run must appear with every suite that had finished, and pending/ must never hold a
 * half-written file.
 */
class CrashTest {
    @TempDir
    Path state;

    private Process start(Path out, Path err, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.kiln.cli.Main", "run", "--state-dir", state.toString(),
                "--profile", Cli.profile("selftest-all")));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    private static void waitFor(Path file, String text) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("'" + text + "' never appeared in " + file + ":\n" + Files.readString(file));
    }

    private void kill(Process p) throws Exception {
        p.destroyForcibly(); // SIGKILL: no hook, no clean-up, like a power cut for the process
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
        pendingHoldsOnlyValidBundles();
    }

    private List<Path> pending() throws IOException {
        try (Stream<Path> s = Files.list(state.resolve("outbox/pending"))) {
            return s.sorted().toList();
        }
    }

    private void pendingHoldsOnlyValidBundles() throws IOException {
        BundleVerifier v = verifier();
        for (Path p : pending()) {
            BundleVerifier.Result r = v.verify(Files.readAllBytes(p));
            assertTrue(r.valid(), p + ": " + r.problems());
        }
    }

    private BundleVerifier verifier() {
        return new BundleVerifier(TrustStore.load(state.resolve("keys/station.pub")), BundleLimits.defaults());
    }

    /** Restarts the agent (a short run) and returns the recovered bundle's verification. */
    private BundleVerifier.Result restartAndRecover() throws Exception {
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "300ms");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.err().contains("recovered run"), c.err());
        pendingHoldsOnlyValidBundles();
        BundleVerifier.Result recovered = null;
        for (Path p : pending()) {
            BundleVerifier.Result r = verifier().verify(Files.readAllBytes(p));
            if (r.predicate().get("recovered").asBoolean()) {
                recovered = r;
            }
        }
        assertTrue(recovered != null, "a recovered bundle in " + pending());
        String events = new String(recovered.files().get(BundleNames.EVENTS), StandardCharsets.UTF_8);
        assertEquals(List.of(), OcpStreamValidator.validate(events), events);
        return recovered;
    }

    private static List<String> outcomes(BundleVerifier.Result r) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode s : Json.MAPPER.readTree(r.files().get(BundleNames.SUMMARY)).get("suites")) {
            out.add(s.get("suiteId").asText() + "=" + s.get("outcome").asText());
        }
        return out;
    }

    @Test
    @Timeout(90)
    void killedDuringASuite() throws Exception {
        Path out = state.resolve("out.jsonl");
        Process p = start(out, state.resolve("err.txt"), "--suites", "selftest-pass,selftest-pass-again", "--duration", "8s",
                "--output", "jsonl");
        waitFor(out, "\"testStepStart\":{\"name\":\"selftest-pass-again\"}");
        Thread.sleep(300);
        kill(p);
        assertEquals(List.of(), pending(), "nothing sealed yet");
        BundleVerifier.Result r = restartAndRecover();
        assertEquals("INCOMPLETE", r.predicate().get("verdict").asText());
        assertEquals(List.of("selftest-pass=PASS", "selftest-pass-again=INTERRUPTED"), outcomes(r));
        assertEquals(Map.of("selftest-pass", "PASS", "selftest-pass-again", "INTERRUPTED"),
                OcpStreamValidator.outcomes(new String(r.files().get(BundleNames.EVENTS), StandardCharsets.UTF_8)));
    }

    @Test
    @Timeout(90)
    void killedBetweenSuites() throws Exception {
        Path err = state.resolve("err.txt");
        Process p = start(state.resolve("out.txt"), err, "--suites", "selftest-pass,selftest-pass-again", "--duration", "1s",
                "--pause-at", "SUITE_END");
        waitFor(err, "paused at suite-end");
        kill(p);
        BundleVerifier.Result r = restartAndRecover();
        assertEquals("INCOMPLETE", r.predicate().get("verdict").asText());
        assertEquals(List.of("selftest-pass=PASS"), outcomes(r));
    }

    @Test
    @Timeout(90)
    void killedWhileSealing() throws Exception {
        Path err = state.resolve("err.txt");
        Process p = start(state.resolve("out.txt"), err, "--suites", "selftest-pass,selftest-pass-again", "--duration", "1s",
                "--pause-at", "SEALING");
        waitFor(err, "paused at sealing");
        try (Stream<Path> staged = Files.list(state.resolve("outbox/tmp"))) {
            assertEquals(1, staged.count(), "the bundle is staged outside pending/");
        }
        kill(p);
        assertEquals(List.of(), pending());
        BundleVerifier.Result r = restartAndRecover();
        assertEquals("PASS", r.predicate().get("verdict").asText(), "the run had ended: its verdict stands");
        assertEquals(List.of("selftest-pass=PASS", "selftest-pass-again=PASS"), outcomes(r));
    }
}
