package dev.kiln.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.bundle.BundleNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What the dashboard indexes of one verified bundle: the run (profile, SKU, model, times), each
 * suite's outcome, each failure with its location in plain fields, and a telemetry summary. Read
 * from the bundle's own files (manifest, summary, inventory, telemetry), so an index can always be
 * rebuilt from the blobs. A file that is missing or does not parse leaves its facts empty and says so
 * in {@link #missing}; the rest still stands.
 */
record RunFacts(String profile, String sku, String model, String started, String ended, Double durationS, long failureCount,
                List<Suite> suites, List<Failure> failures, Double maxCelsius, Double maxWatts, List<String> missing) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The first text the index would be given that holds a NUL character (U+0000), named as a path
     * ({@code failures[3].message}), or null: PostgreSQL refuses NUL in text, so such a bundle could
     * be stored on SQLite and never on PostgreSQL — refused alike on every database instead.
     */
    String nulField() {
        java.util.Map<String, String> texts = new java.util.LinkedHashMap<>();
        texts.put("profile", profile);
        texts.put("sku", sku);
        texts.put("model", model);
        texts.put("started", started);
        texts.put("ended", ended);
        for (int i = 0; i < suites.size(); i++) {
            Suite s = suites.get(i);
            texts.put("suites[" + i + "].suiteId", s.id());
            texts.put("suites[" + i + "].outcome", s.outcome());
            texts.put("suites[" + i + "].reason", s.reason());
        }
        for (int i = 0; i < failures.size(); i++) {
            Failure f = failures.get(i);
            texts.put("failures[" + i + "].suite", f.suite());
            texts.put("failures[" + i + "].symptom", f.symptom());
            texts.put("failures[" + i + "].message", f.message());
            texts.put("failures[" + i + "].location", f.location());
        }
        for (var e : texts.entrySet()) {
            if (e.getValue() != null && e.getValue().indexOf('\u0000') >= 0) {
                return e.getKey();
            }
        }
        return null;
    }

    record Suite(String id, String outcome, Double durationS, long iterations, long failureCount, String reason) {
    }

    /**
     * Suites and failures one run gives the index at most: a summary with a million failures once
     * became a million rows (and the line page read every one). What is beyond is counted (the run's
     * failure count stays the suites' own) and said in the run's notes, never silently dropped.
     */
    static final int MAX_SUITES = 64;
    static final int MAX_FAILURES = 1_000;

    record Failure(String suite, String symptom, String message, String location, boolean degraded) {
    }

    /** Reads the facts of a bundle that has already been verified (so its sizes are within the limits). */
    static RunFacts of(byte[] zip) {
        return of(dev.kiln.bundle.ZipSource.of(zip));
    }

    /** {@link #of(byte[])} of a bundle in memory or read from its file as it inflates. */
    static RunFacts of(dev.kiln.bundle.ZipSource zip) {
        byte[] manifest = null;
        byte[] summary = null;
        byte[] inventory = null;
        Double maxC = null;
        Double maxW = null;
        List<String> missing = new ArrayList<>();
        boolean telemetry = false;
        try (ZipInputStream in = new ZipInputStream(zip.stream())) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                switch (e.getName()) {
                    case BundleNames.MANIFEST -> manifest = capped(in, e.getName(), missing);
                    case BundleNames.SUMMARY -> summary = capped(in, e.getName(), missing);
                    case BundleNames.INVENTORY -> inventory = capped(in, e.getName(), missing);
                    case BundleNames.TELEMETRY -> {
                        telemetry = true;
                        double[] m = maxima(in);
                        maxC = Double.isNaN(m[0]) ? null : m[0];
                        maxW = Double.isNaN(m[1]) ? null : m[1];
                    }
                    default -> { }
                }
            }
        } catch (IOException e) {
            missing.add("the bundle could not be read to its end: " + e.getMessage());
        }
        if (!telemetry) {
            missing.add(BundleNames.TELEMETRY);
        }
        JsonNode man = parse(manifest, BundleNames.MANIFEST, missing);
        JsonNode sum = parse(summary, BundleNames.SUMMARY, missing);
        JsonNode inv = parse(inventory, BundleNames.INVENTORY, missing);
        String started = text(man.path("started"));
        String ended = text(man.path("ended"));
        Double duration = null;
        try {
            if (started != null && ended != null) {
                duration = Duration.between(Instant.parse(started), Instant.parse(ended)).toMillis() / 1000.0;
            }
        } catch (RuntimeException e) {
            // times that do not parse leave the duration unknown
        }
        List<Suite> suites = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        long failureCount = 0;
        long suitesBeyond = 0;
        long failuresBeyond = 0;
        for (JsonNode s : sum.path("suites")) {
            String id = text(s.path("suiteId"));
            if (id == null) {
                continue;
            }
            if (suites.size() >= MAX_SUITES) {
                suitesBeyond++;
                failureCount += s.path("failureCount").asLong(0);
                continue;
            }
            Double d = null;
            try {
                d = Duration.between(Instant.parse(s.path("started").asText()), Instant.parse(s.path("ended").asText())).toMillis() / 1000.0;
            } catch (RuntimeException e) {
                // a suite never started (skipped) has no times
            }
            long count = s.path("failureCount").asLong(0);
            failureCount += count;
            suites.add(new Suite(id, s.path("outcome").asText("?"), d, s.path("iterations").asLong(0), count, text(s.path("reason"))));
            for (JsonNode f : s.path("failures")) {
                if (failures.size() >= MAX_FAILURES) {
                    failuresBeyond++;
                    continue;
                }
                failures.add(new Failure(id, f.path("symptom").asText("?"), f.path("message").asText(""), location(f.path("details")),
                        f.path("degraded").asBoolean(false)));
            }
        }
        if (suitesBeyond > 0) {
            missing.add(suitesBeyond + " suite(s) beyond the first " + MAX_SUITES + " are not indexed (their failures are in the count)");
        }
        if (failuresBeyond > 0) {
            missing.add(failuresBeyond + " failure(s) beyond the first " + MAX_FAILURES + " are counted, not listed");
        }
        String sku = text(inv.path("sku").path("name"));
        String model = text(man.path("unit").path("model"));
        String identifier = text(man.path("unit").path("identifier"));
        if ((model == null || model.equals("unknown")) && identifier != null && !identifier.equals("unknown")) {
            model = identifier;
        }
        return new RunFacts(text(man.path("profile")), sku, model, started, ended, duration, failureCount, suites, failures, maxC, maxW,
                missing);
    }

    /** A failure's location fields in plain words: "device GPU 0 · address 0x1f00 · bit 3". */
    static String location(JsonNode details) {
        String where = dev.kiln.bundle.FailureLocation.describe(k -> {
            JsonNode v = details.path(k);
            return v.isMissingNode() || v.isNull() ? null : v.asText();
        }, " · ");
        return where.isEmpty() ? null : where;
    }

    /**
     * The JSON files read of a bundle at most, each: a signed bundle may expand to the service's whole
     * expansion allowance (2 GiB), and a summary that large was read into memory at ingest and on every
     * run page. Larger ones are said, not read.
     */
    static final int MAX_JSON_BYTES = 32 << 20;

    /** The entry's bytes, or null (and a note) when it is over {@link #MAX_JSON_BYTES}: never more than that held. */
    static byte[] capped(java.io.InputStream in, String name, List<String> notes) throws IOException {
        byte[] b = in.readNBytes(MAX_JSON_BYTES + 1);
        if (b.length > MAX_JSON_BYTES) {
            notes.add(name + " is over " + (MAX_JSON_BYTES >> 20) + " MiB: not read");
            return null;
        }
        return b;
    }

    private static JsonNode parse(byte[] b, String name, List<String> missing) {
        if (b == null) {
            missing.add(name);
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            missing.add(name + " (does not parse)");
            return JSON.missingNode();
        }
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    /** The longest telemetry line read: 16 MiB (a header of a million channels is refused long before). */
    static final int MAX_LINE = 16 << 20;

    /**
     * The highest temperature and power in a telemetry CSV: {celsius, watts}, NaN when none. Read line
     * by line as it inflates with the charts' parsers (a month of 400 channels is a billion cells, in
     * the memory of one line); a damaged line or cell is skipped.
     */
    static double[] maxima(InputStream csv) throws IOException {
        double[] max = {Double.NaN, Double.NaN};
        int[][] kind = {new int[0]};
        Lines.each(csv, MAX_LINE, (b, at, stop) -> {
            if (stop - at >= 9 && new String(b, at, 9, StandardCharsets.US_ASCII).equals("timestamp")) {
                String[] names = new String(b, at, stop - at, StandardCharsets.UTF_8).split(",", -1);
                kind[0] = new int[names.length];
                for (int i = 1; i < names.length; i++) {
                    kind[0][i] = names[i].endsWith("_celsius") ? 1 : names[i].endsWith("_watts") ? 2 : 0;
                }
                return;
            }
            int[] k = kind[0];
            int cell = 0;
            int c = at;
            while (c <= stop && cell < k.length) {
                int e = c;
                while (e < stop && b[e] != ',') {
                    e++;
                }
                if (cell > 0 && k[cell] != 0 && e > c) {
                    double v = Charts.number(b, c, e);
                    int m = k[cell] - 1;
                    if (!(v <= max[m]) && Double.isFinite(v)) {
                        max[m] = v;
                    }
                }
                cell++;
                c = e + 1;
            }
        });
        return max;
    }
}
