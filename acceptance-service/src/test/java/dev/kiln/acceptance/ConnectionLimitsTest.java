package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one client may hold of the service, through real sockets: slow clients are cut off and a
 * healthy client is still served; uploads beyond the ingest limit get 503 with Retry-After and are
 * stored when retried.
 */
class ConnectionLimitsTest {
    @TempDir
    Path dir;

    /** A client that opens a request and drips one byte of a header every 300 ms, never finishing it. */
    private static Socket slowClient(int port) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(15_000);
        OutputStream out = s.getOutputStream();
        out.write("GET /healthz HTTP/1.1\r\nHost: kiln\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    out.write('X');
                    out.flush();
                    Thread.sleep(300);
                }
            } catch (Exception e) {
                // the server closed it: what we want
            }
        });
        return s;
    }

    /** Whether the server closed the connection (end of stream, or a reset) within the socket's timeout. */
    private static boolean closedByServer(Socket s) {
        try (InputStream in = s.getInputStream()) {
            while (in.read() >= 0) {
                // a 408 or any answer first is fine; the connection must end
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException e) {
            return true; // reset
        }
    }

    @Test
    @Timeout(90)
    void slowClientsAreCutOffAndAHealthyClientIsServed() throws Exception {
        Path trust = Files.writeString(dir.resolve("station.pub"), Pem.encodePublic(StationKey.generate().publicKey()));
        try (ServiceProcess svc = ServiceProcess.start(List.of(), List.of("--port", "0", "--data", dir.resolve("data").toString(), "--trust",
                trust.toString(), "--max-connections", "8", "--max-request-time", "2s", "--idle-timeout", "2s"))) {
            assertTrue(svc.said.contains("limits: 8 connections, requests within 2s"), svc.said);
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                slow.add(slowClient(svc.port()));
            }
            long t0 = System.nanoTime();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
            int status = -1;
            while (status != 200 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create(svc.base + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (java.io.IOException e) {
                    Thread.sleep(200); // the slots are all held: try again
                }
            }
            assertEquals(200, status, "the healthy client was served while 8 slow clients held every connection slot");
            List<CompletableFuture<Boolean>> closed = slow.stream().map(s -> CompletableFuture.supplyAsync(() -> closedByServer(s))).toList();
            for (CompletableFuture<Boolean> c : closed) {
                assertTrue(c.get(30, TimeUnit.SECONDS), "every slow client was cut off by the server");
            }
            assertTrue(svc.process.isAlive());
        }
    }

    /** Starts an upload that sends {@code first} bytes of a {@code length}-byte body at once, then drips a byte every 200 ms. */
    private static Socket drippingUpload(int port, int length, int first) throws Exception {
        Socket hog = new Socket("127.0.0.1", port);
        hog.setSoTimeout(20_000);
        OutputStream out = hog.getOutputStream();
        out.write(("PUT /v1/bundles/" + TestBundles.newRunId() + " HTTP/1.1\r\nHost: kiln\r\nContent-Type: " + dev.kiln.bundle.BundleNames.MEDIA_TYPE
                + "\r\nContent-Digest: sha-256=:AAAA:\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[first]);
        out.flush();
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    out.write(0);
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                // cut off
            }
        });
        return hog;
    }

    @Test
    @Timeout(90)
    void slowUploadsDoNotHoldTheIngestsAndUploadsPastTheBodyBudgetGet503() throws Exception {
        StationKey key = StationKey.generate();
        Path trust = Files.writeString(dir.resolve("station.pub"), Pem.encodePublic(key.publicKey()));
        // one ingest at a time; bodies may hold 1 x 257 KiB of heap in all
        ServiceLimits limits = new ServiceLimits(100, Duration.ofSeconds(3), Duration.ofSeconds(30), 1, Duration.ofMillis(200));
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db"));
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("blobs")),
                     dev.kiln.bundle.TrustStore.load(trust), ServiceOptions.plain().withLimits(limits).withMaxBundleBytes(256 << 10))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // three uploads drip their bodies, a byte every 200 ms: with one ingest they once held it and
            // every other upload got 503; now they hold only the bytes they have sent
            List<Socket> drips = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                drips.add(drippingUpload(server.port(), 100_000, 10));
            }
            Thread.sleep(500);
            String runId = TestBundles.newRunId();
            byte[] good = TestBundles.bundle(runId, "SN-LIMIT", "PASS", key);
            HttpResponse<String> stored = ServiceProcess.put(http, base, runId, good);
            assertEquals(201, stored.statusCode(), "an upload is stored while slow ones drip: " + stored.body());
            // one upload that has sent 240 KB of a 250 KB body holds most of the budget: a 200 KB upload
            // beside it waits, then gets 503 with Retry-After
            drips.add(drippingUpload(server.port(), 250_000, 240_000));
            Thread.sleep(500);
            HttpResponse<String> busy = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + TestBundles.newRunId()))
                    .header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", "sha-256=:AAAA:")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[200_000])).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, busy.statusCode(), busy.body());
            assertEquals("2", busy.headers().firstValue("Retry-After").orElse(""), "a station is told when to retry");
            // the drips are cut off at the request-time limit (3 s) with 408; then uploads are stored again
            for (Socket hog : drips) {
                String answer = new String(hog.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 408", answer, "the dripping upload was cut off");
                hog.close();
            }
            String again = TestBundles.newRunId();
            HttpResponse<String> retried = ServiceProcess.put(http, base, again, TestBundles.bundle(again, "SN-LIMIT", "PASS", key));
            assertEquals(201, retried.statusCode(), retried.body());
        }
    }
}
