package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.Content;
import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long run's bundle, larger than the service's whole heap, is received, verified, stored, indexed
 * and shown: the body is spooled to disk as it arrives and every reader streams it (it was read whole
 * into the heap, and the service took at most 64 MiB by default).
 */
class MonthBundleTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aBundleLargerThanTheHeapIsIngestedIndexedAndShown() throws Exception {
        // 12 days of 24 channels at 1 Hz: about 180 MB of CSV that deflates like samples do (about 2.5 times)
        Path csv = dir.resolve("samples.csv");
        int channels = 24;
        long rows = 12L * 86_400;
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        double hottest = 97.25; // one sample, late in the run: the index's peak must be it
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.US_ASCII)) {
            w.write("timestamp");
            for (int c = 0; c < channels; c++) {
                w.write(c % 3 == 2 ? ",pkg" + c + "_watts" : ",die" + c + "_celsius");
            }
            w.write('\n');
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
            StringBuilder line = new StringBuilder(256);
            for (long r = 0; r < rows; r++) {
                line.setLength(0);
                line.append(t0.plusSeconds(r));
                for (int c = 0; c < channels; c++) {
                    double v = r == rows - 1000 && c == 4 ? hottest : 40 + rnd.nextInt(0, 4000) / 100.0;
                    line.append(',').append(v);
                }
                w.append(line).append('\n');
            }
        }
        StationKey key = StationKey.generate();
        Path trust = Files.writeString(dir.resolve("station.pub"), Pem.encodePublic(key.publicKey()));
        String run = TestBundles.newRunId();
        Map<String, Content> files = new TreeMap<>();
        files.put(BundleNames.INVENTORY, Content.of("{\"serial\":\"SN-MONTH\"}\n".getBytes(StandardCharsets.UTF_8)));
        files.put(BundleNames.EVENTS, Content.of("{}\n".getBytes(StandardCharsets.UTF_8)));
        files.put(BundleNames.SUMMARY, Content.of("{\"verdict\":\"PASS\"}\n".getBytes(StandardCharsets.UTF_8)));
        files.put(BundleNames.LOG, Content.of("started\n".getBytes(StandardCharsets.UTF_8)));
        files.put(BundleNames.TELEMETRY, Content.of(csv));
        Path bundle = dir.resolve(run + ".kiln.zip");
        try (OutputStream out = Files.newOutputStream(bundle)) {
            BundleWriter.seal(new BundleIdentity(run, "SN-MONTH", Map.of("serial", "SN-MONTH"), "soak", "0x1", "test", "PASS",
                    "2026-11-01T00:00:00Z", "2026-11-13T00:00:00Z", false), files, key, out);
        }
        Files.delete(csv);
        long size = Files.size(bundle);
        int heapMiB = 64;
        assertTrue(size > (heapMiB + 8L) << 20, "the bundle (" + size + " bytes) is larger than the service's heap");
        Path data = dir.resolve("data");
        Files.createDirectories(dir.resolve("tmp"));
        try (ServiceProcess svc = ServiceProcess.start(List.of("-Xmx" + heapMiB + "m", "-Djava.io.tmpdir=" + dir.resolve("tmp")),
                List.of("--port", "0", "--data", data.toString(), "--trust", trust.toString(), "--max-ingests", "2"))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String digest = sha256(bundle);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(svc.base + "/v1/bundles/" + run))
                    .PUT(HttpRequest.BodyPublishers.ofFile(bundle)).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE)
                    .header("Content-Digest", "sha-256=:" + java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(digest)) + ":")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, put.statusCode(), put.body());
            assertTrue(put.body().contains(digest), put.body());
            // the peak read from the telemetry as it inflated, into the index
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("index.db"));
                 var q = c.prepareStatement("SELECT max_celsius, size_bytes FROM bundles WHERE run_id = ?")) {
                q.setString(1, run);
                try (var rs = q.executeQuery()) {
                    assertTrue(rs.next(), "indexed");
                    assertEquals(hottest, rs.getDouble(1), "the one hottest sample of " + rows * channels + " cells");
                    assertEquals(size, rs.getLong(2));
                }
            }
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(svc.base + "/ui/runs/" + run)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.body().contains("SN-MONTH"), page.body());
            // its charts drawn from the stored file, the telemetry inflated as it was read (once held whole: 180 MB)
            assertTrue(page.body().contains("<svg") && page.body().contains("die4_celsius") && page.body().contains("pkg2_watts"), page.body());
            assertTrue(!page.body().contains("could not be read") && !page.body().contains("damaged line"), page.body());
            assertTrue(svc.process.isAlive(), "the service survived");
            try (var spooled = Files.list(dir.resolve("tmp").resolve("kiln-acceptance-uploads"))) {
                for (Path d : spooled.toList()) {
                    try (var left = Files.list(d)) {
                        assertEquals(List.of(), left.toList(), "no upload left in the spool");
                    }
                }
            }
        }
        Path stored = data.resolve("blobs").resolve(sha256(bundle).substring(0, 2)).resolve(sha256(bundle) + ".kiln.zip");
        assertEquals(size, Files.size(stored), "stored whole");
    }

    private static String sha256(Path file) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
