package dev.kiln.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.ZipSource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

/** The report read back by a PDF reader: what it says against its bundle, fonts embedded, the same bytes twice. */
class ReportPdfTest {
    static final String RUN = "01a216ef-0000-7000-8000-00000000f00d";

    /** A sealed bundle as a run writes it: a FAIL with a located failure, an inventory checked against its SKU, a trace. */
    static byte[] bundle(StationKey key, String message) throws Exception {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put(BundleNames.SUMMARY, ("""
                {"verdict":"FAIL","reason":"memory FAIL","suites":[
                 {"suiteId":"cpu","outcome":"PASS","started":"2026-12-07T08:00:00Z","ended":"2026-12-07T08:10:00Z","iterations":4200,"failureCount":0,"failures":[]},
                 {"suiteId":"memory","outcome":"FAIL","started":"2026-12-07T08:10:00Z","ended":"2026-12-07T08:40:00Z","iterations":77,"failureCount":3,
                  "reason":"3 bit flips","failures":[{"symptom":"memory-bit-flip","message":%s,"details":{"address":"0x7f3a00","bit":5}}]},
                 {"suiteId":"gpu","outcome":"SKIPPED","iterations":0,"failureCount":0,"reason":"no GPU device of the default type","failures":[]}]}
                """).formatted(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(message)).getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.INVENTORY, """
                {"inventory":{"model":"Mac16,5","chip":"Apple M4 Max","os":"macOS 26.2","physicalCores":16,"memoryBytes":137438953472,"serial":"C02REPORT1"},
                 "sku":{"name":"m4max-128"},"checks":[{"field":"memoryBytes","expected":"137438953472","actual":"137438953472","ok":true},
                 {"field":"chip","expected":"Apple M4 Max","actual":"Apple M4 Pro","ok":false}]}
                """.getBytes(StandardCharsets.UTF_8));
        StringBuilder csv = new StringBuilder("timestamp,cpu_die_celsius,gpu_celsius,package_watts\n");
        Instant t0 = Instant.parse("2026-12-07T08:00:00Z");
        for (int s = 0; s < 2400; s += 5) {
            csv.append(t0.plusSeconds(s)).append(',').append(40 + s % 600 / 12.0).append(',').append(35 + s % 300 / 10.0).append(",90\n");
        }
        f.put(BundleNames.TELEMETRY, csv.toString().getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.EVENTS, "{}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.LOG, "started\n".getBytes(StandardCharsets.UTF_8));
        return BundleWriter.seal(new BundleIdentity(RUN, "C02REPORT1", Map.of("serial", "C02REPORT1"), "soak", "0x2a", "0.1.0", "FAIL",
                "2026-12-07T08:00:00Z", "2026-12-07T08:40:00Z", false), f, key);
    }

    static UnitReport report(byte[] zip, StationKey key) throws Exception {
        return UnitReport.of(ZipSource.of(zip), BundleWriter.sha256(zip), key.keyId(), null, "rack-12");
    }

    @Test
    void theReportSaysWhatTheBundleSaysInTextAReaderExtracts() throws Exception {
        StationKey key = StationKey.generate();
        byte[] zip = bundle(key, "bit 5 flipped at 0x7f3a00: wrote 0xff, read 0xdf");
        byte[] pdf = ReportPdf.render(report(zip, key));
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            String text = new PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
            for (String said : List.of("Acceptance report · C02REPORT1", "Apple M4 Max", "m4max-128", "MISMATCH", "Apple M4 Pro", RUN, "FAIL",
                    "memory FAIL", "soak", "replay with --seed 0x2a", "memory · memory-bit-flip", "bit 5 flipped at 0x7f3a00: wrote 0xff, read 0xdf",
                    "address 0x7f3a00", "2 more failure(s) are in the bundle", "no GPU device of the default type", "cpu_die_celsius: peak 89.6 °C", "2026-12-07 08:00", "gpu SKIPPED —",
                    BundleWriter.sha256(zip), key.keyId(), zip.length + " bytes", "rack-12", "page 1 of")) {
                assertTrue(text.contains(said), "'" + said + "' in " + text);
            }
            assertEquals("Acceptance report C02REPORT1", doc.getDocumentInformation().getTitle());
            for (PDPage page : doc.getPages()) {
                for (COSName name : page.getResources().getFontNames()) {
                    PDFont font = page.getResources().getFont(name);
                    assertTrue(font.isEmbedded(), font.getName() + " is embedded");
                }
            }
        }
        assertArrayEquals(pdf, ReportPdf.render(report(zip, key)), "the same bytes for the same bundle");
        // kept as test artifacts: the document and its pages as a PDF reader draws them
        java.nio.file.Path out = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target/report"));
        java.nio.file.Files.write(out.resolve("report.pdf"), pdf);
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            org.apache.pdfbox.rendering.PDFRenderer r = new org.apache.pdfbox.rendering.PDFRenderer(doc);
            for (int i = 0; i < doc.getNumberOfPages(); i++) {
                javax.imageio.ImageIO.write(r.renderImageWithDPI(i, 80), "png", out.resolve("page" + (i + 1) + ".png").toFile());
            }
        }
    }

    @Test
    void wordsNoFontShowsAndHostileTextAreShownAsTextNeverBreakTheReport() throws Exception {
        StationKey key = StationKey.generate();
        String hostile = "ctrl\u0000\u0007\ttab \uD83D\uDE00 emoji \u202Eevil " + "x".repeat(5000) + " <script>alert(1)</script>";
        byte[] pdf = ReportPdf.render(report(bundle(key, hostile), key));
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            String text = new PDFTextStripper().getText(doc);
            assertTrue(text.contains("<script>alert(1)</script>") || text.contains("…"), "shown as text");
            assertTrue(text.contains("ctrl"), text.substring(0, 200));
            assertTrue(doc.getNumberOfPages() >= 2, "a long word wraps onto lines and pages, never off the page");
        }
    }
}
