package dev.kiln.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleReader;
import dev.kiln.bundle.FailureLocation;
import dev.kiln.bundle.ZipSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one unit's acceptance report says: the unit and its inventory against its SKU, every run of it
 * (at the service: all it holds; offline: the bundle's one), and its latest run in full (suites, thermal
 * curves, failures in plain words with their locations), with the bundle's digest and signer so anyone
 * can check the report against the sealed bundle. Read from the bundle's own files only.
 *
 * @param serial   the unit
 * @param identity the inventory's facts (model, chip, OS, cores, memory), in order
 * @param sku      the SKU the inventory was checked against, or null
 * @param checks   the inventory checks against the SKU
 * @param runs     every run listed, newest first
 * @param latest   the run reported in full
 */
public record UnitReport(String serial, Map<String, String> identity, String sku, List<Check> checks, List<RunLine> runs, Run latest) {

    public record Check(String field, String expected, String actual, boolean ok) {
    }

    /** One run in the list: what the service's index (or the bundle) says of it. */
    public record RunLine(String runId, String verdict, String profile, String started, Double durationS, String station) {
    }

    public record Suite(String suite, String outcome, Double seconds, long iterations, long failures, String reason) {
    }

    public record Failure(String suite, String symptom, String message, String location) {
    }

    /** A channel drawn: its name, its peak, and its highest value in each of {@link #COLUMNS} columns of the run (NaN: none). */
    public record Series(String channel, double peak, double[] max) {
    }

    /**
     * The run reported in full.
     *
     * @param failuresBeyond failures the bundle holds past those listed
     * @param from           the time axis of the curves (the run's start), epoch ms
     * @param to             its end, epoch ms
     */
    public record Run(String runId, String verdict, String reason, String profile, String started, String ended, String seed,
                      String agentVersion, List<Suite> suites, List<Failure> failures, long failuresBeyond, List<Series> temperatures,
                      long from, long to, String sha256, String signerKeyId, long bundleBytes) {
    }

    /** Failures listed at most; the rest are counted. */
    public static final int MAX_FAILURES = 200;
    /** Temperature channels drawn at most (the hottest by peak). */
    public static final int MAX_SERIES = 8;
    /** Columns of a curve. */
    public static final int COLUMNS = 400;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The latest run as its bundle says it, and the unit's facts, from a verified bundle (read as a
     * stream: the telemetry is scanned once into the curves, never held).
     *
     * @param sha256  the bundle's digest (hex)
     * @param keyId   the key that signed it (verified), or null for the key the attestation names
     * @param runs    the unit's runs to list, newest first; null: the bundle's own run alone
     * @param station the station that delivered it, or null
     */
    public static UnitReport of(ZipSource bundle, String sha256, String keyId, List<RunLine> runs, String station) throws IOException {
        BundleReader.Scan scan;
        try {
            scan = BundleReader.scan(bundle, BundleLimits.defaults(), Set.of(BundleNames.MANIFEST, BundleNames.SUMMARY, BundleNames.INVENTORY,
                    BundleNames.ATTESTATION));
        } catch (BundleReader.RejectedException e) {
            throw new IOException("not a readable bundle: " + e.getMessage(), e);
        }
        JsonNode manifest = parse(scan.kept().get(BundleNames.MANIFEST));
        JsonNode summary = parse(scan.kept().get(BundleNames.SUMMARY));
        JsonNode inventory = parse(scan.kept().get(BundleNames.INVENTORY));
        if (keyId == null) { // the key the attestation names (not checked here: the caller says so)
            keyId = text(parse(scan.kept().get(BundleNames.ATTESTATION)).path("signatures").path(0), "keyid");
        }
        String runId = text(manifest, "runId");
        String serial = text(manifest, "serial");
        if (serial == null) {
            serial = text(manifest.path("unit"), "serial");
        }
        String started = text(manifest, "started");
        String ended = text(manifest, "ended");
        long from = millis(started, 0);
        long to = Math.max(from + 1, millis(ended, from + 1));

        Map<String, String> identity = new LinkedHashMap<>();
        JsonNode inv = inventory.path("inventory");
        for (String k : List.of("model", "identifier", "chip", "os", "physicalCores", "logicalCpus", "memoryBytes", "serial")) {
            String v = text(inv, k);
            if (v != null) {
                identity.put(k, k.equals("memoryBytes") ? bytes(v) : v);
            }
        }
        List<Check> checks = new ArrayList<>();
        for (JsonNode c : inventory.path("checks")) {
            checks.add(new Check(c.path("field").asText(""), c.path("expected").asText(""), c.path("actual").asText(""), c.path("ok").asBoolean(false)));
        }
        String sku = text(inventory.path("sku"), "name");

        List<Suite> suites = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        long beyond = 0;
        for (JsonNode s : summary.path("suites")) {
            String id = s.path("suiteId").asText("?");
            Double seconds = null;
            long a = millis(text(s, "started"), Long.MIN_VALUE);
            long b = millis(text(s, "ended"), Long.MIN_VALUE);
            if (a != Long.MIN_VALUE && b != Long.MIN_VALUE) {
                seconds = (b - a) / 1000.0;
            }
            suites.add(new Suite(id, s.path("outcome").asText("?"), seconds, s.path("iterations").asLong(0), s.path("failureCount").asLong(0),
                    s.path("reason").asText("")));
            for (JsonNode f : s.path("failures")) {
                if (failures.size() >= MAX_FAILURES) {
                    beyond++;
                    continue;
                }
                JsonNode d = f.path("details");
                String where = FailureLocation.describe(k -> {
                    JsonNode v = d.path(k);
                    return v.isMissingNode() || v.isNull() ? null : v.asText();
                }, " · ");
                failures.add(new Failure(id, f.path("symptom").asText("?"), f.path("message").asText(""), where.isEmpty() ? null : where));
            }
            beyond += Math.max(0, s.path("failureCount").asLong(0) - s.path("failures").size());
        }
        List<Series> temps;
        try (InputStream csv = BundleReader.open(bundle, scan, BundleNames.TELEMETRY)) {
            temps = csv == null ? List.of() : curves(csv, from, to);
        } catch (BundleReader.RejectedException e) {
            throw new IOException(e.getMessage(), e);
        }
        String verdict = text(manifest, "verdict") != null ? text(manifest, "verdict") : summary.path("verdict").asText("?");
        Run latest = new Run(runId, verdict, summary.path("reason").asText(""), text(manifest, "profile"), started, ended, text(manifest, "seed"),
                text(manifest, "agentVersion"), suites, failures, beyond, temps, from, to, sha256, keyId, bundle.size());
        List<RunLine> listed = runs != null ? runs : List.of(new RunLine(runId, verdict, text(manifest, "profile"), started,
                from > 0 && to > from + 1 ? (to - from) / 1000.0 : null, station));
        return new UnitReport(serial == null ? "?" : serial, identity, sku, checks, listed, latest);
    }

    private static JsonNode parse(byte[] b) {
        if (b == null) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static long millis(String iso, long otherwise) {
        try {
            return iso == null ? otherwise : Instant.parse(iso).toEpochMilli();
        } catch (RuntimeException e) {
            return otherwise;
        }
    }

    private static String bytes(String v) {
        try {
            return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(v) / (double) (1L << 30));
        } catch (NumberFormatException e) {
            return v;
        }
    }

    /**
     * The temperature channels of a telemetry CSV, each channel's highest value per column of the run,
     * read line by line; the {@link #MAX_SERIES} hottest kept. Lines that do not parse are skipped.
     */
    static List<Series> curves(InputStream csv, long from, long to) throws IOException {
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(csv, StandardCharsets.UTF_8), 1 << 16);
        String[] names = null;
        double[][] cols = null;
        double[] peaks = null;
        double span = Math.max(1, to - from);
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("timestamp")) {
                names = line.split(",", -1);
                cols = new double[names.length][];
                peaks = new double[names.length];
                for (int i = 1; i < names.length; i++) {
                    if (names[i].endsWith("_celsius")) {
                        cols[i] = new double[COLUMNS];
                        java.util.Arrays.fill(cols[i], Double.NaN);
                        peaks[i] = Double.NaN;
                    }
                }
                continue;
            }
            if (names == null || line.isEmpty()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != names.length) {
                continue;
            }
            long t;
            try {
                t = Instant.parse(cells[0]).toEpochMilli();
            } catch (RuntimeException e) {
                continue;
            }
            int x = (int) Math.max(0, Math.min(COLUMNS - 1, Math.round((t - from) / span * (COLUMNS - 1))));
            for (int i = 1; i < cells.length; i++) {
                if (cols[i] == null || cells[i].isEmpty()) {
                    continue;
                }
                double v;
                try {
                    v = Double.parseDouble(cells[i]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!Double.isFinite(v)) {
                    continue;
                }
                if (!(v <= cols[i][x])) {
                    cols[i][x] = v;
                }
                if (!(v <= peaks[i])) {
                    peaks[i] = v;
                }
            }
        }
        List<Series> out = new ArrayList<>();
        if (names == null) {
            return out;
        }
        for (int i = 1; i < names.length; i++) {
            if (cols[i] != null && !Double.isNaN(peaks[i])) {
                out.add(new Series(names[i], peaks[i], cols[i]));
            }
        }
        out.sort((a, b) -> a.peak() != b.peak() ? Double.compare(b.peak(), a.peak()) : a.channel().compareTo(b.channel()));
        return out.size() > MAX_SERIES ? List.copyOf(out.subList(0, MAX_SERIES)) : out;
    }

    /** A duration as the report writes it. */
    static String duration(Double seconds) {
        if (seconds == null) {
            return "—";
        }
        long t = Math.round(seconds);
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        return t >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", t / 3600, t % 3600 / 60) : String.format(Locale.ROOT, "%dm %02ds", t / 60, t % 60);
    }

    /** The run's length from its times, or null. */
    static Double length(String started, String ended) {
        try {
            return Duration.between(Instant.parse(started), Instant.parse(ended)).toMillis() / 1000.0;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
