package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads stream from the store: six at once of a 40 MiB bundle from a service with a 128 MiB heap.
 * Each was read whole into the heap (240 MiB for the six).
 */
class DownloadTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void bigBundlesDownloadAtOnceUnderASmallHeap() throws Exception {
        StationKey key = StationKey.generate();
        Path trust = Files.writeString(dir.resolve("station.pub"), Pem.encodePublic(key.publicKey()));
        String run = TestBundles.newRunId();
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put(BundleNames.INVENTORY, "{\"serial\":\"SN-BIG\"}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.EVENTS, "{}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.SUMMARY, "{\"verdict\":\"PASS\"}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.TELEMETRY, "timestamp\n".getBytes(StandardCharsets.UTF_8));
        byte[] noise = new byte[40 << 20];
        new java.util.SplittableRandom(7).nextBytes(noise); // incompressible: the bundle is as big as its log
        f.put(BundleNames.LOG, noise);
        byte[] bundle = BundleWriter.seal(new BundleIdentity(run, "SN-BIG", Map.of("serial", "SN-BIG"), "smoke", "0x1", "test", "PASS",
                "2026-11-26T00:00:00Z", "2026-11-26T00:01:00Z", false), f, key);
        assertTrue(bundle.length > 40 << 20);
        try (ServiceProcess svc = ServiceProcess.start(List.of("-Xmx128m"), List.of("--port", "0", "--data", dir.resolve("data").toString(),
                "--trust", trust.toString(), "--max-bundle-bytes", String.valueOf(64 << 20), "--max-ingests", "1"))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertEquals(201, ServiceProcess.put(http, svc.base, run, bundle).statusCode());
            String digest = AcceptanceServer.digestHex(bundle);
            List<Future<String>> downloads = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
                for (int i = 0; i < 6; i++) {
                    String path = i % 2 == 0 ? "/v1/bundles/" + run + "/bundle" : "/ui/runs/" + run + "/bundle";
                    downloads.add(pool.submit(() -> {
                        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(svc.base + path)).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        assertEquals(200, r.statusCode(), path);
                        return AcceptanceServer.digestHex(r.body());
                    }));
                }
                for (Future<String> d : downloads) {
                    assertEquals(digest, d.get(120, TimeUnit.SECONDS), "every byte, as stored");
                }
            }
            assertTrue(svc.process.isAlive(), "the service survived");
        }
    }
}
