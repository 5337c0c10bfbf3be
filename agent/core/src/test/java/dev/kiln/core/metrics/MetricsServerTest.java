package dev.kiln.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import io.micrometer.core.instrument.Gauge;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> send(int port, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesWhatIsBoundToItsRegistry() throws Exception {
        try (MetricsServer s = MetricsServer.start(0)) {
            Gauge.builder("test_channel_celsius", () -> 41.5).register(s.registry()); // as the telemetry sampler binds
            HttpResponse<String> r = send(s.port(), "GET", "/metrics");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"), r.headers().toString());
            assertEquals(41.5, Scrape.value(r.body(), "test_channel_celsius", java.util.Map.of()), r.body());
            assertEquals(404, send(s.port(), "GET", "/").statusCode());
            HttpResponse<String> post = send(s.port(), "POST", "/metrics");
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
            HttpResponse<String> head = send(s.port(), "HEAD", "/metrics");
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
        }
    }

    @Test
    void aPortInUseOrOutOfRangeIsAUsageError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            KilnException e = assertThrows(KilnException.class, () -> MetricsServer.start(taken.getLocalPort()));
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertTrue(e.getMessage().contains("--metrics-port " + taken.getLocalPort()), e.getMessage());
        }
        for (int bad : new int[] {-1, 65536}) {
            KilnException e = assertThrows(KilnException.class, () -> MetricsServer.start(bad));
            assertEquals(ExitCode.USAGE, e.exitCode());
        }
    }

    @Test
    void closingStopsServing() throws Exception {
        MetricsServer s = MetricsServer.start(0);
        int port = s.port();
        s.close();
        assertThrows(java.io.IOException.class, () -> send(port, "GET", "/metrics"));
    }
}
