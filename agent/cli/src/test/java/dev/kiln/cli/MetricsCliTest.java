package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.metrics.Scrape;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --metrics-port}: a rack scrapes the run while it is in flight. */
class MetricsCliTest {
    @TempDir
    Path state;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private long pending() throws Exception {
        Path p = state.resolve("outbox/pending");
        if (!Files.isDirectory(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.count();
        }
    }

    @Test
    @Timeout(60)
    void aRunInFlightCanBeScraped() throws Exception {
        int port = freePort();
        CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> Cli.run("run", "--state-dir", state.toString(), "--profile",
                Cli.profile("selftest-all"), "--suites", "selftest-pass,selftest-pass-again", "--duration", "8s", "--progress", "plain",
                "--no-upload", "--metrics-port", String.valueOf(port)));
        HttpClient http = HttpClient.newHttpClient();
        String seen = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !run.isDone()) {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Double passDone = Scrape.value(body, "kiln_suite_state", Map.of("suite", "selftest-pass", "state", "PASS"));
                Double againRunning = Scrape.value(body, "kiln_suite_state", Map.of("suite", "selftest-pass-again", "state", "running"));
                if (passDone != null && passDone == 1 && againRunning != null && againRunning == 1) {
                    seen = body;
                    break;
                }
            } catch (java.io.IOException notYet) {
                // the server starts once the command line is checked
            }
            Thread.sleep(100);
        }
        assertNotNull(seen, "never saw the first suite passed and the second running");
        assertEquals(1.0, Scrape.value(seen, "kiln_suite_progress_ratio", Map.of("suite", "selftest-pass")));
        double ratio = Scrape.value(seen, "kiln_suite_progress_ratio", Map.of("suite", "selftest-pass-again"));
        assertTrue(ratio >= 0 && ratio < 1, "in flight: " + ratio);
        assertEquals(0.0, Scrape.value(seen, "kiln_run_verdict", Map.of("verdict", "PASS")), "no verdict yet");
        assertNotNull(Scrape.value(seen, "kiln_outbox_bundles", Map.of("state", "pending")), seen);
        assertNotNull(Scrape.value(seen, "kiln_outbox_oldest_pending_age_seconds", Map.of()), seen);
        assertNotNull(Scrape.value(seen, "cpu_load_ratio", Map.of()), "telemetry channels are served too:\n" + seen);
        Cli c = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.err().contains("metrics at http://") && c.err().contains(":" + port + "/metrics"), c.err());
        assertEquals(1, pending());
    }

    @Test
    void aPortThatCannotBeUsedStopsTheRunBeforeItStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                    "--no-upload", "--metrics-port", String.valueOf(taken.getLocalPort()));
            assertEquals(64, c.code(), c.toString());
            assertEquals(1, c.err().strip().lines().filter(l -> l.contains("--metrics-port")).count(), c.err());
            assertEquals(0, pending(), "nothing ran, nothing sealed");
        }
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--suites", "selftest-pass", "--metrics-port", "http");
        assertEquals(64, c.code(), c.toString());
    }
}
