package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln report}: a real run's sealed bundle to a PDF, offline; bad input with its exit code. */
class ReportCliTest {
    @TempDir
    Path dir;

    @Test
    void aRunsBundleBecomesItsReportTheSameBytesTwice() throws Exception {
        Path state = dir.resolve("station");
        Cli run = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass,selftest-fail",
                "--duration", "600ms", "--no-upload", "--serial", "C02REPORTCLI");
        assertEquals(1, run.code(), run.toString());
        Path bundle;
        try (Stream<Path> s = Files.list(state.resolve("outbox/pending"))) {
            bundle = s.filter(p -> p.toString().endsWith(".kiln.zip")).findFirst().orElseThrow();
        }
        Path pub = state.resolve("keys/station.pub");
        Path pdf = dir.resolve("unit.pdf");
        Cli c = Cli.run("report", bundle.toString(), "--trust", pub.toString(), "--out", pdf.toString());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("acceptance report of C02REPORTCLI") && c.out().contains("(FAIL)"), c.out());
        byte[] first = Files.readAllBytes(pdf);
        try (PDDocument doc = Loader.loadPDF(first)) {
            String text = new PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
            assertTrue(text.contains("Acceptance report · C02REPORTCLI") && text.contains("selftest-fail") && text.contains("Latest run · FAIL"), text);
        }
        assertEquals(0, Cli.run("report", bundle.toString(), "--out", pdf.toString()).code());
        assertArrayEquals(first, Files.readAllBytes(pdf), "the same bundle, the same bytes");

        // bad input: a damaged bundle, another station's key, a place that cannot be written
        Path damaged = Files.write(dir.resolve("damaged.kiln.zip"), java.util.Arrays.copyOf(Files.readAllBytes(bundle), 300));
        Cli bad = Cli.run("report", damaged.toString(), "--out", dir.resolve("x.pdf").toString());
        assertEquals(65, bad.code(), bad.toString());
        assertEquals(1, bad.err().strip().lines().count(), "one line: " + bad.err());
        Cli keys = Cli.run("keys", "--state-dir", dir.resolve("other").toString(), "init");
        assertEquals(0, keys.code(), keys.toString());
        assertEquals(65, Cli.run("report", bundle.toString(), "--trust", dir.resolve("other/keys/station.pub").toString(), "--out",
                dir.resolve("y.pdf").toString()).code());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(73, Cli.run("report", bundle.toString(), "--out", file.resolve("z.pdf").toString()).code());
    }
}
