package dev.kiln.acceptance;

import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The dashboard's benchmark (issue 16): with {@code n} runs (100,000 by default) indexed on
 * PostgreSQL, the units page (unfiltered, filtered) and the line page, median and p99 of the request
 * time on loopback (an upper bound of the server time; goal under 200 ms); and a run page with a
 * 24-hour trace (86,400 samples x 64 channels): cold (the trace read and drawn) and warm, with its
 * size (goal under 1 s and 1 MB). Anchors, in the same run: {@code /healthz} (the HTTP floor) and a
 * bare {@code SELECT COUNT(*)} over the runs.
 */
public final class DashboardBench {
    private DashboardBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String pg = args.length > 1 ? args[1] : System.getenv("KILN_TEST_PG_URL");
        if (pg == null) {
            System.err.println("dashboard bench: give a PostgreSQL JDBC URL (or set KILN_TEST_PG_URL)");
            System.exit(64);
        }
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("kiln.bench.dir",
                System.getProperty("java.io.tmpdir")))), "kiln-dashboard-bench");
        String schema = "kiln_bench_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        StationKey key = StationKey.generate();
        try (BundleIndex index = new BundleIndex(url);
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(work),
                     TrustStore.of(key.publicKey()), ServiceOptions.plain().withMaxBundleBytes(256L << 20))) {
            long t0 = System.nanoTime();
            fill(index, key, n);
            System.out.printf(Locale.ROOT, "indexed %d runs on PostgreSQL in %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("ANALYZE");
            }
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            double[] floor = times(http, base + "/healthz", 200);
            double[] count = new double[200];
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                for (int i = 0; i < count.length; i++) {
                    long a = System.nanoTime();
                    try (var r = s.executeQuery("SELECT COUNT(*) FROM bundles")) {
                        r.next();
                    }
                    count[i] = (System.nanoTime() - a) / 1e6;
                }
            }
            Arrays.sort(count);
            System.out.printf(Locale.ROOT, "anchor: /healthz median %.2f ms; SELECT COUNT(*) over %d runs median %.2f ms%n", med(floor), n, med(count));
            String from = LocalDate.now(ZoneOffset.UTC).minusDays(6).toString();
            for (String[] page : List.of(new String[] {"units", "/ui/units"}, new String[] {"units page 20", "/ui/units?page=20"},
                    new String[] {"units FAIL m4pro", "/ui/units?verdict=FAIL&sku=m4pro-24g"},
                    new String[] {"units serial search", "/ui/units?serial=0423"},
                    new String[] {"units last week", "/ui/units?from=" + from}, new String[] {"line (14 days)", "/ui/line"})) {
                times(http, base + page[1], 5); // warm-up
                double[] t = times(http, base + page[1], 50);
                System.out.printf(Locale.ROOT, "%-20s median %6.1f ms  p99 %6.1f ms  = %5.1f x COUNT(*)   goal < 200 ms%n", page[0], med(t),
                        t[(int) Math.ceil(t.length * 0.99) - 1], med(t) / med(count));
            }
            // a run of 24 hours: 86,400 samples x 64 channels, uploaded as a station would
            String runId = TestBundles.newRunId();
            TestBundles.Spec day = new TestBundles.Spec(runId, "C02DAY001", "PASS", "m4max-64g", "Mac16,5",
                    Instant.now().minusSeconds(90_000).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), 86_400, 64, List.of());
            byte[] csv = TestBundles.csv(day);
            byte[] bundle = TestBundles.rich(day, key, csv);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + runId))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bundle)).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE)
                    .header("Content-Digest", ServiceProcess.digest(bundle)).build(), HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 201) {
                throw new IllegalStateException("the 24-hour bundle was not stored: " + put.statusCode() + " " + put.body());
            }
            long a = System.nanoTime();
            HttpResponse<byte[]> cold = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/runs/" + runId)).build(), HttpResponse.BodyHandlers.ofByteArray());
            double coldMs = (System.nanoTime() - a) / 1e6;
            double[] warm = times(http, base + "/ui/runs/" + runId, 20);
            System.out.printf(Locale.ROOT, "run page, 24 h x 64 channels (%.1f MB of CSV, bundle %.1f MB): cold %.0f ms, warm median %.1f ms; "
                            + "HTML with its charts %.0f KB   goal < 1 s and < 1 MB%n", csv.length / 1e6, bundle.length / 1e6, coldMs, med(warm),
                    cold.body().length / 1e3);
        } finally {
            try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** {@code n} runs over 20 days, 40,000 units, 3 SKUs, 12 stations, a fifth failing with a symptom. */
    private static void fill(BundleIndex index, StationKey key, int n) throws Exception {
        SplittableRandom rnd = new SplittableRandom(16);
        String[] skus = {"m4max-64g", "m4pro-24g", "m2ultra-192g"};
        String[] verdicts = {"PASS", "PASS", "PASS", "FAIL", "INCOMPLETE"};
        String[] symptoms = {"memory-miscompare", "cpu-crc32c-miscompare", "gpu-fma-mismatch", "thermal-throttle", "ne-output-mismatch"};
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<Thread> threads = new ArrayList<>();
        int workers = 4;
        for (int w = 0; w < workers; w++) {
            final int from = w * n / workers;
            final int to = (w + 1) * n / workers;
            final SplittableRandom r = rnd.split();
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = from; i < to; i++) {
                        String serial = String.format("C02%06d", r.nextInt(40_000));
                        String verdict = verdicts[r.nextInt(verdicts.length)];
                        Instant at = today.minusDays(r.nextInt(20)).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(r.nextInt(86_000));
                        List<RunFacts.Failure> f = verdict.equals("FAIL") ? List.of(new RunFacts.Failure("memory", symptoms[r.nextInt(symptoms.length)],
                                "bit 3 flipped at 0x7f00", "address 0x7f00", false)) : List.of();
                        RunFacts facts = new RunFacts("burn-in", skus[r.nextInt(skus.length)], "Mac16,5", at.minusSeconds(3600).toString(),
                                at.toString(), 3600.0, f.size(), List.of(new RunFacts.Suite("cpu", "PASS", 1800.0, 100, 0, ""),
                                new RunFacts.Suite("memory", f.isEmpty() ? "PASS" : "FAIL", 1800.0, 40, f.size(), "")), f, 85.0, 90.0, List.of());
                        index.insertIfAbsent(new BundleIndex.Row(UUID.randomUUID().toString(), serial, verdict, "0".repeat(64), key.keyId(), 50_000,
                                at.toString()), facts, "rack" + r.nextInt(12));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static double[] times(HttpClient http, String url, int n) throws Exception {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long a = System.nanoTime();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            t[i] = (System.nanoTime() - a) / 1e6;
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode());
            }
        }
        Arrays.sort(t);
        return t;
    }

    private static double med(double[] sorted) {
        return sorted[sorted.length / 2];
    }
}
