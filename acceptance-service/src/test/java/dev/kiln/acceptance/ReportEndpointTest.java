package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /ui/units/{serial}/report.pdf} through a socket: the unit's runs and its latest in full, read back by a PDF reader. */
class ReportEndpointTest {
    @TempDir
    Path dir;

    @Test
    void aUnitsReportListsItsRunsAndTheLatestInFullTheSameBytesTwice() throws Exception {
        StationKey key = StationKey.generate();
        String first = TestBundles.newRunId();
        String second = TestBundles.newRunId();
        HttpClient http = HttpClient.newHttpClient();
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db"));
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("data")),
                     TrustStore.of(key.publicKey()), ServiceOptions.plain())) {
            String base = "http://127.0.0.1:" + server.port();
            for (byte[] b : List.of(
                    TestBundles.rich(new TestBundles.Spec(first, "C02REPORT", "PASS", "m4max-128", "Mac16,5", Instant.parse("2026-12-06T08:00:00Z"),
                            600, 4, List.of()), key),
                    TestBundles.rich(new TestBundles.Spec(second, "C02REPORT", "FAIL", "m4max-128", "Mac16,5", Instant.parse("2026-12-07T08:00:00Z"),
                            600, 4, List.<String[]>of(new String[] {"memory", "memory-bit-flip", "bit 5 flipped at 0x7f3a00", "1"})), key))) {
                String run = b == null ? null : dev.kiln.bundle.BundleReader.read(b, dev.kiln.bundle.BundleLimits.defaults()).get("manifest.json") == null
                        ? null : new com.fasterxml.jackson.databind.ObjectMapper().readTree(dev.kiln.bundle.BundleReader.read(b,
                                dev.kiln.bundle.BundleLimits.defaults()).get("manifest.json")).path("runId").asText();
                HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + run)).header("Content-Type",
                        dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", IngestContract.digest(b)).PUT(HttpRequest.BodyPublishers.ofByteArray(b))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, put.statusCode(), put.body());
                Thread.sleep(20); // received one after the other: the second is the latest
            }
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/units/C02REPORT/report.pdf")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertEquals("application/pdf", r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(r.headers().firstValue("Content-Disposition").orElse("").contains("C02REPORT.report.pdf"));
            try (PDDocument doc = Loader.loadPDF(r.body())) {
                String text = new PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
                assertTrue(text.contains("Acceptance report · C02REPORT") && text.contains(first) && text.contains(second), text);
                assertTrue(text.contains("Latest run · FAIL") && text.contains("bit 5 flipped at 0x7f3a00"), text);
                assertTrue(text.contains(index.find(second).orElseThrow().sha256()), "the latest bundle's digest: " + text);
            }
            assertArrayEquals(r.body(), http.send(HttpRequest.newBuilder(URI.create(base + "/ui/units/C02REPORT/report.pdf")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body(), "the same bytes for the same runs");
            String unitPage = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/units/C02REPORT")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(unitPage.contains("href=\"/ui/units/C02REPORT/report.pdf\""), unitPage);
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/ui/units/NOPE/report.pdf")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }
}
