package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.acceptance.ServiceOptions;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln upload --watch} (a rack's delivery daemon) and a technician's {@code kiln upload} on
 * one outbox, 300 bundles and one the service can never store: every storable bundle is sent once,
 * the unstorable one never holds up the rest and stays pending with its error in {@code kiln outbox}.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class ConcurrentDeliveryTest {
    private static final int BUNDLES = 300;

    @TempDir
    Path dir;

    /**
     * In front of the real service: counts every PUT per run, answers 500 to the one bundle it cannot
     * store (as a database that refuses its serial does), passes everything else through.
     */
    private static final class Front implements AutoCloseable {
        final HttpServer server;
        final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();
        private final HttpClient http = HttpClient.newHttpClient();

        Front(int target, String unstorable) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
            server.createContext("/", ex -> {
                try (ex) {
                    String path = ex.getRequestURI().getPath();
                    String runId = path.substring(path.lastIndexOf('/') + 1);
                    byte[] body;
                    try (InputStream in = ex.getRequestBody()) {
                        body = in.readAllBytes();
                    }
                    if (ex.getRequestMethod().equals("PUT")) {
                        puts.computeIfAbsent(runId, k -> new AtomicInteger()).incrementAndGet();
                    }
                    if (runId.equals(unstorable)) {
                        answer(ex, 500, "{\"error\":\"value too long for type character varying(128)\"}".getBytes());
                        return;
                    }
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + path));
                    ex.getRequestHeaders().forEach((k, v) -> {
                        if (k.equalsIgnoreCase("Content-Type") || k.equalsIgnoreCase("Content-Digest") || k.equalsIgnoreCase("Authorization")) {
                            v.forEach(x -> b.header(k, x));
                        }
                    });
                    b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
                    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                    answer(ex, r.statusCode(), r.body());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
        }

        private static void answer(HttpExchange ex, int status, byte[] body) throws IOException {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static long count(Path d, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }

    @Test
    @Timeout(240)
    void twoUploadersDeliverEveryStorableBundleOnceAndTheUnstorableOneWaitsVisibly() throws Exception {
        try (ServiceFixture svc = new ServiceFixture(dir, ServiceOptions.plain())) {
            List<String> storable = new ArrayList<>();
            for (int i = 0; i < BUNDLES; i++) {
                String id = ServiceFixture.runId();
                storable.add(id);
                svc.seal(id, "PASS");
            }
            String unstorableId = ServiceFixture.runId();
            Path unstorable = svc.seal(unstorableId, "PASS");
            // fast retries, so that the test sees several attempts at the unstorable bundle
            Path config = Files.writeString(dir.resolve("config.yaml"), "service:\n  retryBaseDelay: 100ms\n  retryMaxDelay: 1s\n");
            try (Front front = new Front(svc.server.port(), unstorableId)) {
                String state = svc.state.root().toString();
                Kiln watch = Kiln.start(dir, "upload", "--watch", "--state-dir", state, "--service", front.url(), "--config",
                        config.toString());
                Kiln manual = Kiln.start(dir, "upload", "--state-dir", state, "--service", front.url(), "--config", config.toString(),
                        "--for", "5s");
                manual.waitFor(120);
                long until = System.nanoTime() + 120_000_000_000L;
                while (count(svc.state.sent(), ".receipt.json") < BUNDLES && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                Thread.sleep(1500); // the unstorable one is tried again meanwhile
                watch.signal("TERM");
                watch.waitFor(60);

                assertEquals(0, watch.exit(), "the watch stops cleanly on SIGTERM\n" + watch);
                // the technician's upload: 0, or 69 when the one it could not deliver was the unstorable bundle
                assertTrue(manual.exit() == 0 || manual.exit() == 69, manual.toString());
                if (manual.exit() == 69) {
                    manual.out().lines().filter(l -> l.startsWith("PENDING")).forEach(l ->
                            assertTrue(l.contains(unstorableId), "only the unstorable bundle is left: " + l));
                }
                assertEquals(BUNDLES, count(svc.state.sent(), ".receipt.json"), "every storable bundle delivered");
                for (String id : storable) {
                    AtomicInteger n = front.puts.get(id);
                    assertEquals(1, n == null ? 0 : n.get(), "bundle " + id + " sent exactly once");
                }
                assertTrue(front.puts.get(unstorableId).get() >= 2, "the unstorable one was tried again and again");
                assertTrue(Files.exists(unstorable), "and it is still pending");
                assertEquals(1, count(svc.state.pending(), ".kiln.zip"));
                assertEquals(0, count(svc.state.quarantine(), ".kiln.zip"), "a retryable failure is not a refusal");
                assertTrue(watch.err().lines().noneMatch(l -> l.contains("Exception")), watch.err());
                assertTrue(manual.err().lines().noneMatch(l -> l.contains("Exception")), manual.err());
            }

            Kiln outbox = Kiln.run(dir, "outbox", "--json", "--state-dir", svc.state.root().toString());
            assertEquals(0, outbox.exit(), outbox.toString());
            Set<String> states = new HashSet<>();
            for (JsonNode e : Json.MAPPER.readTree(outbox.out())) {
                states.add(e.path("state").asText());
                if (e.path("state").asText().equals("pending")) {
                    assertTrue(e.path("name").asText().contains(unstorableId), e.toString());
                    assertTrue(e.path("attempts").asInt() >= 2, e.toString());
                    assertTrue(e.path("detail").asText().contains("500"), e.toString());
                }
            }
            assertEquals(Set.of("pending", "sent"), states);
            assertEquals(BUNDLES, new Outbox(svc.state, java.time.Clock.systemUTC()).list().stream()
                    .filter(e -> e.state().equals("sent")).count());
        }
    }
}
