package dev.kiln.cli;

import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.Why;
import dev.kiln.bundle.ZipSource;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.report.ReportPdf;
import dev.kiln.report.UnitReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kiln report BUNDLE [--trust KEY|DIR] [--out FILE]}: the unit's acceptance report from its
 * sealed bundle alone, offline: the same document the acceptance service renders at
 * {@code /ui/units/{serial}/report.pdf}, with the bundle's one run.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a sealed bundle's acceptance report as a PDF: the unit and its inventory against its SKU, the run's suites, "
                + "temperatures and failures in plain words, and the bundle's digest and signer, so that anyone can check the report "
                + "against the bundle. The same bundle gives the same bytes.",
                "Exit 0 with the report written, 65 for a bundle that cannot be read (or, with --trust, does not verify), 73 when the "
                        + "report cannot be written."})
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The .kiln.zip to report on.")
    Path bundle;

    @Option(names = "--trust", paramLabel = "KEY|DIR", description = "Verify the bundle's signature against these keys first.")
    Path trust;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the PDF (default: SERIAL_RUNID.report.pdf here).")
    Path out;

    @Override
    public Integer call() throws IOException {
        BundleLimits limits = BundleLimits.defaults();
        ZipSource zip = BundleInput.read(bundle, limits);
        String keyId = null; // without --trust: the key the attestation names, read in the report's own pass
        if (trust != null) {
            BundleVerifier.Result r = BundleInput.verify(bundle, zip, BundleInput.trust(trust), limits);
            if (!r.valid()) {
                throw new KilnException(ExitCode.DATA, "bundle " + bundle + " does not verify: " + String.join("; ", r.problems()));
            }
            keyId = r.keyId();
        }
        UnitReport report;
        try {
            report = UnitReport.of(zip, sha256(bundle), keyId, null, null);
        } catch (IOException e) {
            throw new KilnException(ExitCode.DATA, "bundle " + bundle + " is not a readable bundle: " + Why.of(e));
        }
        byte[] pdf = ReportPdf.render(report);
        Path target = out != null ? out : Path.of(safe(report.serial()) + "_" + safe(report.latest().runId()) + ".report.pdf");
        try {
            Path dir = target.toAbsolutePath().getParent();
            AtomicFiles.write(target, pdf, dir);
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot write " + target + ": " + Why.of(e));
        }
        parent.out.printf("%s: acceptance report of %s, run %s (%s), %d page(s)%s%n", target, report.serial(), report.latest().runId(),
                report.latest().verdict(), pages(pdf), trust == null ? "; the bundle's signature was not checked (--trust KEY checks it)" : "");
        return 0;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static int pages(byte[] pdf) throws IOException {
        try (org.apache.pdfbox.pdmodel.PDDocument d = org.apache.pdfbox.Loader.loadPDF(pdf)) {
            return d.getNumberOfPages();
        }
    }
}
