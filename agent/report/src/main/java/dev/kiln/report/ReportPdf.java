package dev.kiln.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * The acceptance report as a PDF (PDFBox): A4, DejaVu Sans embedded (subset), text that a PDF
 * reader extracts as written. The same report gives the same bytes: the document id comes from the
 * bundle's digest and the dates from the run, never from the clock.
 */
public final class ReportPdf {
    private static final float MARGIN = 50;
    private static final float WIDTH = PDRectangle.A4.getWidth() - 2 * MARGIN;
    private static final float[] GREEN = {26 / 255f, 127 / 255f, 55 / 255f};
    private static final float[] RED = {207 / 255f, 34 / 255f, 46 / 255f};
    private static final float[] AMBER = {191 / 255f, 135 / 255f, 0};
    private static final float[] GREY = {0.34f, 0.38f, 0.42f};
    private static final float[][] PALETTE = {{0.035f, 0.41f, 0.85f}, {0.81f, 0.13f, 0.18f}, {0.1f, 0.5f, 0.22f}, {0.75f, 0.53f, 0f},
        {0.51f, 0.31f, 0.87f}, {0.0f, 0.55f, 0.55f}, {0.6f, 0.3f, 0.1f}, {0.4f, 0.4f, 0.4f}};

    private final PDDocument doc;
    private final PDType0Font regular;
    private final PDType0Font bold;
    private final Map<Integer, Boolean> shown = new HashMap<>();
    private PDPageContentStream out;
    private float y;

    private ReportPdf(PDDocument doc) throws IOException {
        this.doc = doc;
        this.regular = font(doc, "fonts/DejaVuSans.ttf");
        this.bold = font(doc, "fonts/DejaVuSans-Bold.ttf");
    }

    private static PDType0Font font(PDDocument doc, String name) throws IOException {
        try (InputStream in = ReportPdf.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the report's font " + name + " is missing from the build");
            }
            return PDType0Font.load(doc, in, true);
        }
    }

    /** The report's bytes. */
    public static byte[] render(UnitReport r) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            ReportPdf p = new ReportPdf(doc);
            p.write(r);
            PDDocumentInformation info = doc.getDocumentInformation();
            info.setTitle("Acceptance report " + r.serial());
            info.setSubject("Unit " + r.serial() + ", run " + r.latest().runId() + ", bundle sha256 " + r.latest().sha256());
            info.setCreator("Kiln");
            info.setProducer("Kiln acceptance report");
            Calendar when = Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);
            when.setTimeInMillis(r.latest().to() > 1 ? r.latest().to() : 0); // the run's end: the same bytes for the same bundle
            info.setCreationDate(when);
            doc.setDocumentId(Long.parseUnsignedLong(r.latest().sha256().substring(0, 15), 16));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            doc.save(bytes);
            return bytes.toByteArray();
        }
    }

    private void write(UnitReport r) throws IOException {
        newPage();
        UnitReport.Run run = r.latest();
        text(bold, 18, "Acceptance report · " + r.serial(), null);
        text(regular, 9, "From the sealed bundle of run " + run.runId() + " (sha256 " + run.sha256() + "), signed by station key "
                + run.signerKeyId() + ". All it says of that run is what the signed bundle says; the list of runs is the acceptance "
                + "service's (or, offline, this bundle's own).", GREY);
        gap(8);

        heading("Unit");
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"serial", r.serial()});
        r.identity().forEach((k, v) -> {
            if (!k.equals("serial")) {
                facts.add(new String[] {k, v});
            }
        });
        if (r.sku() != null) {
            facts.add(new String[] {"SKU", r.sku()});
        }
        table(new float[] {0.25f, 0.75f}, null, facts, null);
        if (!r.checks().isEmpty()) {
            gap(4);
            text(bold, 10, "Inventory against the SKU", null);
            List<String[]> rows = new ArrayList<>();
            List<float[]> colours = new ArrayList<>();
            for (UnitReport.Check c : r.checks()) {
                rows.add(new String[] {c.field(), c.expected(), c.actual(), c.ok() ? "as expected" : "MISMATCH"});
                colours.add(c.ok() ? null : RED);
            }
            table(new float[] {0.25f, 0.3f, 0.3f, 0.15f}, new String[] {"field", "expected", "found", ""}, rows, colours, 9, 3);
        }

        heading("Runs");
        List<String[]> runs = new ArrayList<>();
        List<float[]> runColours = new ArrayList<>();
        for (UnitReport.RunLine l : r.runs()) {
            runs.add(new String[] {l.runId(), l.verdict(), dash(l.profile()), when(l.started()), UnitReport.duration(l.durationS()), dash(l.station())});
            runColours.add(colour(l.verdict()));
        }
        table(new float[] {0.40f, 0.09f, 0.09f, 0.18f, 0.1f, 0.14f}, new String[] {"run", "verdict", "profile", "started (UTC)", "time", "station"},
                runs, runColours, 8, 1);

        heading("Latest run · " + run.verdict());
        text(bold, 14, run.verdict(), colour(run.verdict()));
        if (!run.reason().isBlank()) {
            text(regular, 10, run.reason(), null);
        }
        table(new float[] {0.25f, 0.75f}, null, List.of(new String[] {"run", run.runId()}, new String[] {"profile", dash(run.profile())},
                new String[] {"started", dash(run.started())}, new String[] {"ended", dash(run.ended())},
                new String[] {"time", UnitReport.duration(UnitReport.length(run.started(), run.ended()))},
                new String[] {"seed", dash(run.seed()) + " (replay with --seed " + dash(run.seed()) + ")"},
                new String[] {"agent", dash(run.agentVersion())}), null);
        gap(4);
        text(bold, 10, "Suites and checks", null);
        List<String[]> suites = new ArrayList<>();
        List<float[]> suiteColours = new ArrayList<>();
        for (UnitReport.Suite s : run.suites()) {
            suites.add(new String[] {s.suite(), s.outcome(), UnitReport.duration(s.seconds()), Long.toString(s.iterations()), Long.toString(s.failures()),
                s.reason()});
            suiteColours.add(colour(s.outcome()));
        }
        table(new float[] {0.18f, 0.13f, 0.1f, 0.12f, 0.1f, 0.37f}, new String[] {"suite", "outcome", "time", "iterations", "failures", "why"},
                suites, suiteColours);

        need(run.temperatures().isEmpty() ? 60 : 260 + 11 * run.temperatures().size()); // the heading with its chart
        heading("Temperatures");
        if (run.temperatures().isEmpty()) {
            text(regular, 10, "The bundle's telemetry holds no temperature.", GREY);
        } else {
            chart(run);
        }

        heading("Failures");
        if (run.failures().isEmpty()) {
            text(regular, 10, "None.", null);
        }
        for (UnitReport.Failure f : run.failures()) {
            need(40);
            text(bold, 10, f.suite() + " · " + f.symptom(), RED);
            text(regular, 10, f.message(), null);
            if (f.location() != null) {
                text(regular, 9, "where: " + f.location(), GREY);
            }
            gap(3);
        }
        if (run.failuresBeyond() > 0) {
            text(regular, 9, run.failuresBeyond() + " more failure(s) are in the bundle (the first " + run.failures().size() + " are listed).", GREY);
        }

        heading("Checking this report against the sealed bundle");
        table(new float[] {0.25f, 0.75f}, null, List.of(new String[] {"bundle sha256", run.sha256()},
                new String[] {"bundle size", run.bundleBytes() + " bytes"}, new String[] {"signer key id", dash(run.signerKeyId())}), null);
        text(regular, 9, "sha256sum of the bundle file must print the digest above, and kiln verify BUNDLE --trust STATION.pub must say VALID"
                + " and name the key above (or verify the signature with openssl: docs/verify-with-openssl.sh).", GREY);
        out.close();
        footers(r.serial());
    }

    // ---- layout ----

    private void newPage() throws IOException {
        if (out != null) {
            out.close();
        }
        PDPage page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        out = new PDPageContentStream(doc, page);
        y = PDRectangle.A4.getHeight() - MARGIN;
    }

    private void need(float height) throws IOException {
        if (y - height < MARGIN + 20) {
            newPage();
        }
    }

    private void gap(float h) {
        y -= h;
    }

    private void heading(String s) throws IOException {
        need(60);
        gap(10);
        text(bold, 13, s, null);
        out.setStrokingColor(0.82f, 0.84f, 0.87f);
        out.setLineWidth(0.6f);
        out.moveTo(MARGIN, y - 4);
        out.lineTo(MARGIN + WIDTH, y - 4);
        out.stroke();
        gap(8);
    }

    /** A paragraph, wrapped to the page's width. */
    private void text(PDType0Font f, float size, String s, float[] colour) throws IOException {
        for (String line : wrap(f, size, s, WIDTH)) {
            need(size * 1.35f);
            y -= size * 1.35f;
            show(f, size, MARGIN, y, line, colour);
        }
    }

    private void show(PDType0Font f, float size, float x, float atY, String s, float[] colour) throws IOException {
        out.beginText();
        out.setFont(f, size);
        float[] c = colour == null ? new float[] {0.12f, 0.14f, 0.16f} : colour;
        out.setNonStrokingColor(c[0], c[1], c[2]);
        out.newLineAtOffset(x, atY);
        out.showText(s);
        out.endText();
    }

    /** Rows of cells in columns of the given shares of the width; each cell wrapped; a header row in bold. */
    private void table(float[] shares, String[] header, List<String[]> rows, List<float[]> colours) throws IOException {
        table(shares, header, rows, colours, 9, 1);
    }

    /** The table, its {@code coloured} column (a verdict, an outcome, a check) in its row's colour. */
    private void table(float[] shares, String[] header, List<String[]> rows, List<float[]> colours, float size, int coloured) throws IOException {
        if (header != null) {
            row(shares, header, bold, size, null, coloured);
        }
        for (int i = 0; i < rows.size(); i++) {
            float[] c = colours == null ? null : colours.get(i);
            row(shares, rows.get(i), regular, size, c, coloured);
        }
    }

    private void row(float[] shares, String[] cells, PDType0Font f, float size, float[] colour, int coloured) throws IOException {
        List<List<String>> wrapped = new ArrayList<>();
        int lines = 1;
        for (int i = 0; i < cells.length; i++) {
            List<String> w = wrap(f, size, cells[i] == null ? "" : cells[i], shares[i] * WIDTH - 6);
            if (w.size() > 6) { // a cell holds six lines at most: the rest is in the bundle
                w = new ArrayList<>(w.subList(0, 6));
                w.set(5, w.get(5) + " …");
            }
            wrapped.add(w);
            lines = Math.max(lines, w.size());
        }
        float h = lines * size * 1.3f + 3;
        need(h);
        float x = MARGIN;
        for (int i = 0; i < cells.length; i++) {
            float ly = y - size * 1.3f;
            for (String l : wrapped.get(i)) {
                show(f, size, x, ly, l, i == coloured ? colour : null);
                ly -= size * 1.3f;
            }
            x += shares[i] * WIDTH;
        }
        y -= h;
        out.setStrokingColor(0.9f, 0.91f, 0.93f);
        out.setLineWidth(0.4f);
        out.moveTo(MARGIN, y + 1);
        out.lineTo(MARGIN + WIDTH, y + 1);
        out.stroke();
    }

    /** The hottest channels' highest value per column of the run, over its whole length, with a legend. */
    private void chart(UnitReport.Run run) throws IOException {
        float h = 170;
        need(h + 30 + 12 * run.temperatures().size());
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (UnitReport.Series s : run.temperatures()) {
            for (double v : s.max()) {
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        lo = Math.floor(lo / 10) * 10;
        hi = Math.max(lo + 10, Math.ceil(hi / 10) * 10);
        float left = MARGIN + 30;
        float w = WIDTH - 30;
        float bottom = y - h;
        out.setStrokingColor(0.82f, 0.84f, 0.87f);
        out.setLineWidth(0.5f);
        out.addRect(left, bottom, w, h);
        out.stroke();
        for (double t = lo; t <= hi + 1e-9; t += (hi - lo) / 4) {
            float ty = (float) (bottom + (t - lo) / (hi - lo) * h);
            show(regular, 7, MARGIN, ty - 2, String.format(Locale.ROOT, "%.0f °C", t), GREY);
        }
        for (int k = 0; k < run.temperatures().size(); k++) {
            UnitReport.Series s = run.temperatures().get(k);
            float[] c = PALETTE[k % PALETTE.length];
            out.setStrokingColor(c[0], c[1], c[2]);
            out.setLineWidth(0.9f);
            boolean pen = false;
            for (int x = 0; x < s.max().length; x++) {
                double v = s.max()[x];
                if (Double.isNaN(v)) {
                    pen = false;
                    continue;
                }
                float px = left + w * x / (s.max().length - 1);
                float py = (float) (bottom + (v - lo) / (hi - lo) * h);
                if (pen) {
                    out.lineTo(px, py);
                } else {
                    out.moveTo(px, py);
                    pen = true;
                }
            }
            out.stroke();
        }
        y = bottom - 12;
        show(regular, 7, left, y, dash(run.started()), GREY);
        String end = dash(run.ended());
        show(regular, 7, left + w - width(regular, 7, end), y, end, GREY);
        for (int k = 0; k < run.temperatures().size(); k++) {
            UnitReport.Series s = run.temperatures().get(k);
            y -= 11;
            float[] c = PALETTE[k % PALETTE.length];
            out.setNonStrokingColor(c[0], c[1], c[2]);
            out.addRect(left, y + 1, 10, 5);
            out.fill();
            show(regular, 8, left + 14, y, s.channel() + ": peak " + String.format(Locale.ROOT, "%.1f °C", s.peak()), null);
        }
        gap(6);
    }

    private void footers(String serial) throws IOException {
        int n = doc.getNumberOfPages();
        for (int i = 0; i < n; i++) {
            try (PDPageContentStream s = new PDPageContentStream(doc, doc.getPage(i), PDPageContentStream.AppendMode.APPEND, true, true)) {
                out = s;
                String text = "Kiln acceptance report · " + clean(regular, serial) + " · page " + (i + 1) + " of " + n;
                show(regular, 8, MARGIN, MARGIN - 20, text, GREY);
            }
        }
    }

    // ---- text ----

    private float width(PDType0Font f, float size, String s) throws IOException {
        return f.getStringWidth(s) / 1000 * size;
    }

    /** Every character the font cannot show (and every control character) as a visible stand-in. */
    private String clean(PDType0Font f, String s) throws IOException {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isISOControl(cp) || Character.isWhitespace(cp)) {
                b.append(' ');
                continue;
            }
            Boolean ok = shown.get(cp);
            if (ok == null) {
                String one = new String(Character.toChars(cp));
                try {
                    regular.encode(one); // throws for a character the font has no glyph for
                    bold.encode(one);
                    ok = true;
                } catch (IllegalArgumentException e) {
                    ok = false;
                }
                shown.put(cp, ok);
            }
            if (ok) {
                b.appendCodePoint(cp);
            } else {
                b.append('?');
            }
        }
        return b.toString();
    }

    /** Lines of at most {@code max} points: broken at spaces, a word longer than a line broken anywhere. */
    private List<String> wrap(PDType0Font f, float size, String text, float max) throws IOException {
        String raw = text == null ? "" : text;
        String s = clean(f, raw.length() > 2000 ? raw.substring(0, 2000) + " …" : raw); // the rest is in the bundle
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : s.split(" ", -1)) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (width(f, size, candidate) <= max) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (!line.isEmpty()) {
                lines.add(line.toString());
                line.setLength(0);
            }
            String rest = word;
            while (width(f, size, rest) > max && rest.length() > 1) {
                int cut = rest.length() - 1;
                while (cut > 1 && width(f, size, rest.substring(0, cut)) > max) {
                    cut--;
                }
                lines.add(rest.substring(0, cut));
                rest = rest.substring(cut);
            }
            line.append(rest);
        }
        if (!line.isEmpty() || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** An ISO-8601 instant to the minute, as a table shows it ({@code 2026-12-07 08:00}); as given when it is not one. */
    private static String when(String iso) {
        try {
            return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(java.time.ZoneOffset.UTC)
                    .format(java.time.Instant.parse(iso));
        } catch (RuntimeException e) {
            return dash(iso);
        }
    }

    private static String dash(String s) {
        return s == null || s.isBlank() ? "—" : s;
    }

    private static float[] colour(String verdict) {
        return switch (verdict == null ? "" : verdict) {
            case "PASS" -> GREEN;
            case "FAIL", "HUNG" -> RED;
            case "INCOMPLETE", "ERROR", "INTERRUPTED" -> AMBER;
            default -> GREY;
        };
    }
}
