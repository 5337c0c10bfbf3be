package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zip bombs against the real service process, under a small heap: each is refused (422) while valid
 * bundles arriving at the same time are stored, and the service is still alive after. Before
 * verification streamed, a single 1 MB bomb inflated every entry into memory.
 */
class BombTest {
    @TempDir
    Path dir;

    /** A signed bundle's entries with {@code samples.csv} replaced by {@code expandedMiB} of zeros: about 1 KB per MiB. */
    static byte[] bomb(String runId, StationKey key, int expandedMiB) throws Exception {
        byte[] honest = TestBundles.bundle(runId, "SN-BOMB", "PASS", key);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(honest));
             ZipOutputStream z = new ZipOutputStream(out)) {
            z.setLevel(9);
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                z.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(BundleNames.TELEMETRY)) {
                    byte[] zeros = new byte[1 << 20];
                    for (int i = 0; i < expandedMiB; i++) {
                        z.write(zeros);
                    }
                } else {
                    z.write(in.readAllBytes());
                }
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    @Timeout(180)
    void bombsAreRefusedUnderASmallHeapWhileValidBundlesAreStored() throws Exception {
        StationKey key = StationKey.generate();
        Path trust = Files.writeString(dir.resolve("station.pub"), Pem.encodePublic(key.publicKey()));
        try (ServiceProcess svc = ServiceProcess.start(List.of("-Xmx96m"), List.of("--port", "0", "--data", dir.resolve("data").toString(),
                "--trust", trust.toString()))) {
            String base = svc.base;
            byte[] bombBytes = bomb(TestBundles.newRunId(), key, 1024); // 1 GiB of zeros in about a megabyte
            assertTrue(bombBytes.length < 2 << 20, "a small upload: " + bombBytes.length);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Future<Integer>> bombs = new ArrayList<>();
            List<Future<Integer>> valid = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                for (int i = 0; i < 8; i++) {
                    String runId = TestBundles.newRunId(); // the same bomb under another run id: refused before any id check
                    bombs.add(pool.submit(() -> put(http, base, runId, bombBytes)));
                    String ok = TestBundles.newRunId();
                    byte[] good = TestBundles.bundle(ok, "SN-" + i, "PASS", key);
                    valid.add(pool.submit(() -> put(http, base, ok, good)));
                }
                for (Future<Integer> f : bombs) {
                    assertEquals(422, f.get(120, TimeUnit.SECONDS), "a bomb is refused as a bad bundle");
                }
                for (Future<Integer> f : valid) {
                    assertEquals(201, f.get(120, TimeUnit.SECONDS), "valid bundles arriving meanwhile are stored");
                }
            }
            assertTrue(svc.process.isAlive(), "the service survived");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        }
    }

    private static int put(HttpClient http, String base, String runId, byte[] body) throws Exception {
        return ServiceProcess.put(http, base, runId, body).statusCode();
    }
}
