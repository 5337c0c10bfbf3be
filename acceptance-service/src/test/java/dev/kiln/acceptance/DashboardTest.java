package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard through real sockets, without a browser (the browser test is in the CLI module, on
 * bundles of real runs): access, what each page says, escaping of hostile input, 404s, a bundle
 * with damaged or missing telemetry, the filters and CSV against a few thousand runs.
 */
class DashboardTest {
    @TempDir
    Path dir;

    private static final String READER = "reader-token-0123456789";
    private static final String RACK = "rack-token-0123456789ab";
    private final StationKey key = StationKey.generate();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();

    private AcceptanceServer start(BundleIndex index) throws Exception {
        return replica(index, READER, null);
    }

    /** Eight page views at once of a run not drawn yet: its telemetry is inflated and drawn once, and every page has the charts. */
    @Test
    @Timeout(120)
    void concurrentViewsOfARunDrawItsChartsOnce() throws Exception {
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("coalesce.db")); AcceptanceServer server = start(index)) {
            String base = "http://127.0.0.1:" + server.port();
            String run = TestBundles.newRunId();
            byte[] b = TestBundles.rich(new TestBundles.Spec(run, "C02DRAW", "PASS", null, "Mac16,5", Instant.parse("2026-11-29T00:00:00Z"),
                    40_000, 48, List.of()), key);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + run)).header("Authorization",
                    "Bearer " + RACK).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", ServiceProcess.digest(b))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(b)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, put.statusCode(), put.body());
            long before = Dashboard.DRAWS.get();
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(8);
            List<java.util.concurrent.Future<String>> pages = new ArrayList<>();
            try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
                for (int i = 0; i < 8; i++) {
                    pages.add(pool.submit(() -> {
                        together.await();
                        return get(base, "/ui/runs/" + run, "Authorization", "Bearer " + READER).body();
                    }));
                }
                for (java.util.concurrent.Future<String> p : pages) {
                    String page = p.get(90, java.util.concurrent.TimeUnit.SECONDS);
                    assertTrue(page.contains("<svg"), "every view has the charts");
                }
            }
            assertEquals(1, Dashboard.DRAWS.get() - before, "drawn once for the eight");
        }
    }

    /** Behind a proxy that terminates TLS (--behind-tls-proxy) the session cookie stays Secure; plain http without it, not. */
    @Test
    void behindATlsProxyTheSessionCookieIsSecure() throws Exception {
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("proxy.db"))) {
            for (boolean proxied : new boolean[] {false, true}) {
                AcceptanceServer plain = replica(index, READER, null);
                AcceptanceServer server = plain;
                if (proxied) {
                    plain.close();
                    TrustStore trust = TrustStore.of(key.publicKey());
                    Path f = Files.writeString(dir.resolve("access-proxy.yaml"), "readers:\n  - name: quality\n    token: " + READER + "\n");
                    server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("blobs")), trust,
                            ServiceOptions.plain().withAccess(Access.load(f, trust)).withBehindTlsProxy());
                }
                try (AcceptanceServer s = server) {
                    String cookie = postLogin("http://127.0.0.1:" + s.port(), "token=" + READER).headers().firstValue("Set-Cookie").orElseThrow();
                    assertEquals(proxied, cookie.contains("; Secure"), cookie);
                }
            }
        }
    }

    private HttpResponse<String> get(String base, String path, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (header != null) {
            b.header(header, value);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> read(String base, String path) throws Exception {
        return get(base, path, "Authorization", "Bearer " + READER);
    }

    private void upload(String base, String runId, byte[] bundle) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + runId))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bundle)).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE)
                .header("Content-Digest", ServiceProcess.digest(bundle)).header("Authorization", "Bearer " + RACK).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
    }

    private static int count(String html, String needle) {
        int n = 0;
        for (int i = html.indexOf(needle); i >= 0; i = html.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    @Timeout(120)
    void pagesSayWhatHappenedToWhoeverMayReadAndNothingToAnyoneElse() throws Exception {
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db")); AcceptanceServer server = start(index)) {
            String base = "http://127.0.0.1:" + server.port();
            Instant t0 = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
            String pass = TestBundles.newRunId();
            byte[] passBundle = TestBundles.rich(new TestBundles.Spec(pass, "C02PASS1", "PASS", "m4max-64g", "Mac16,5", t0, 600, 8, List.of()), key);
            upload(base, pass, passBundle);
            String fail = TestBundles.newRunId();
            String hostile = "crc32c gave a wrong result on cpu 3 <script>alert('x')</script>";
            upload(base, fail, TestBundles.rich(new TestBundles.Spec(fail, "C02FAIL1", "FAIL", "m4max-64g", "Mac16,5", t0.plusSeconds(900), 300, 8,
                    List.<String[]>of(new String[] {"cpu", "cpu-crc32c-miscompare", hostile, "3"})), key));
            String incomplete = TestBundles.newRunId();
            upload(base, incomplete, TestBundles.rich(new TestBundles.Spec(incomplete, "C02INC01", "INCOMPLETE", null, "Mac16,5",
                    t0.plusSeconds(1500), 60, 4, List.of()), key));
            String damaged = TestBundles.newRunId();
            TestBundles.Spec ds = new TestBundles.Spec(damaged, "C02DMG01", "PASS", null, "Mac16,5", t0.plusSeconds(1800), 120, 4, List.of());
            byte[] torn = new String(TestBundles.csv(ds), StandardCharsets.UTF_8).replace("\n2", "\ngarbage,1,2\n2").getBytes(StandardCharsets.UTF_8);
            upload(base, damaged, TestBundles.rich(ds, key, torn));
            String odd = TestBundles.newRunId();
            upload(base, odd, TestBundles.rich(new TestBundles.Spec(odd, "C02/50%+x", "PASS", null, "Mac16,5", t0.plusSeconds(1900), 60, 4,
                    List.of()), key));
            String empty = TestBundles.newRunId();
            upload(base, empty, TestBundles.rich(new TestBundles.Spec(empty, "C02NOTEL", "PASS", null, "Mac16,5", t0.plusSeconds(2000), 60, 4,
                    List.of()), key, null));

            // no credential: the pages send a person to log in, the CSV answers 401; a station's token reads nothing
            HttpResponse<String> anon = get(base, "/ui/units?verdict=FAIL", null, null);
            assertEquals(303, anon.statusCode());
            assertEquals("/ui/login?next=%2Fui%2Funits%3Fverdict%3DFAIL", anon.headers().firstValue("Location").orElse(""));
            assertEquals(401, get(base, "/ui/units.csv", null, null).statusCode());
            assertEquals(403, get(base, "/ui/units", "Authorization", "Bearer " + RACK).statusCode());
            assertEquals(401, get(base, "/ui/line/yield.csv", "Authorization", "Bearer nope").statusCode());

            // log in: a reader's token gives a session cookie; a station's or a wrong token does not; a forged cookie is refused
            // a login posted from another site's page is refused; from the dashboard's own origin it goes on
            HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/login")).header("Content-Type",
                    "application/x-www-form-urlencoded").header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString(
                    "token=" + READER)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, foreign.statusCode(), foreign.body());
            assertTrue(foreign.headers().firstValue("Set-Cookie").isEmpty(), "no session from another origin");
            HttpResponse<String> same = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/login")).header("Content-Type",
                    "application/x-www-form-urlencoded").header("Origin", base).POST(HttpRequest.BodyPublishers.ofString(
                    "token=" + READER)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, same.statusCode(), same.body());
            HttpResponse<String> bad = postLogin(base, "token=" + RACK + "&next=/ui/line");
            assertEquals(401, bad.statusCode());
            assertTrue(bad.body().contains("Station tokens upload"), bad.body());
            HttpResponse<String> login = postLogin(base, "token=" + READER + "&next=https://evil.example/");
            assertEquals(303, login.statusCode());
            assertEquals("/ui/units", login.headers().firstValue("Location").orElse(""), "never sent elsewhere after a login");
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            String session = cookie.substring(0, cookie.indexOf(';'));
            assertEquals(200, get(base, "/ui/units", "Cookie", session).statusCode());
            String forged = session.substring(0, session.indexOf('=') + 1) + java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("quality|" + (Instant.now().getEpochSecond() + 9999)).getBytes(StandardCharsets.UTF_8)) + ".AAAA";
            assertEquals(303, get(base, "/ui/units", "Cookie", forged).statusCode(), "a cookie not signed by the service");

            // units: latest first, each verdict coloured by class, filters
            String units = read(base, "/ui/units").body();
            assertEquals(6, count(units, "<tr><td class=\"serial\">"), units);
            assertTrue(units.indexOf("C02NOTEL") < units.indexOf("C02PASS1"), "newest first");
            assertTrue(units.contains("<span class=\"verdict FAIL\">FAIL</span>"), units);
            String fails = read(base, "/ui/units?verdict=FAIL").body();
            assertEquals(1, count(fails, "<tr><td class=\"serial\">"));
            assertTrue(fails.contains("C02FAIL1"));
            assertEquals(2, count(read(base, "/ui/units?sku=m4max-64g").body(), "<tr><td class=\"serial\">"));
            assertEquals(1, count(read(base, "/ui/units?serial=INC").body(), "<tr><td class=\"serial\">"));

            // markup and SQL typed into a filter: shown as text, queried as a parameter
            String evil = read(base, "/ui/units?serial=" + Dashboard.enc("<b>x</b>' OR '1'='1")).body();
            assertTrue(evil.contains("id=\"no-units\""), "no unit matches the literal text");
            assertTrue(evil.contains("&lt;b&gt;x&lt;/b&gt;") && !evil.contains("<b>x</b>"), "escaped in the form");
            assertEquals(1, count(read(base, "/ui/units?serial=%25").body(), "<tr><td class=\"serial\">"),
                    "% is a character, not a wildcard: only the serial that holds one");
            assertEquals(0, count(read(base, "/ui/units?serial=_").body(), "<tr><td class=\"serial\">"), "_ neither: no serial holds one");

            // a unit's history; a run: the failure in plain words, escaped; the charts
            String unit = read(base, "/ui/units/C02FAIL1").body();
            assertTrue(unit.contains("/ui/runs/" + fail + "/bundle") && unit.contains("rack7") && unit.contains(key.keyId().substring(0, 16)), unit);
            String run = read(base, "/ui/runs/" + fail).body();
            assertTrue(run.contains("crc32c gave a wrong result on cpu 3 &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                    || run.contains("crc32c gave a wrong result on cpu 3 &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"), run);
            assertFalse(run.contains("<script>"), "nothing a bundle says runs in the page");
            assertTrue(run.contains("cpu 3 · phase each-core"), "the location in plain fields: " + run);
            assertTrue(run.contains("<span class=\"verdict big FAIL\" id=\"verdict\">FAIL</span>"));
            assertEquals(4, count(run, "<figure class=\"chart\""), "temperatures, clocks, power, fans");
            assertEquals(8, count(run, "<g class=\"series\""), "8 channels drawn, each once");
            assertTrue(run.contains("data-stage=\"cpu\"") && run.contains("data-stage=\"memory\""), "the stages marked");
            String again = read(base, "/ui/runs/" + fail).body(); // the charts from the cache, the telemetry not read again
            assertEquals(8, count(again, "<g class=\"series\""));
            assertFalse(again.contains("has no telemetry"), "a cached trace is not a missing one");
            String incRun = read(base, "/ui/runs/" + incomplete).body();
            assertTrue(incRun.contains("on a stand-in: OpenCL cpu device &#39;pocl&#39;, not a GPU; no OpenCL device")
                    || incRun.contains("on a stand-in: OpenCL cpu device &#x27;pocl&#x27;, not a GPU; no OpenCL device"), "a stand-in is said: " + incRun);
            String passRun = read(base, "/ui/runs/" + pass).body();
            assertTrue(passRun.contains("Against SKU <strong id=\"sku\">m4max-64g</strong>"), passRun);
            byte[] downloaded = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/runs/" + pass + "/bundle")).header("Cookie", session).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
            assertTrue(java.util.Arrays.equals(passBundle, downloaded), "the sealed bundle as the station sent it");

            // damaged and missing telemetry: the rest of the run, and what is missing said
            String dmg = read(base, "/ui/runs/" + damaged).body();
            assertTrue(dmg.contains("damaged line(s), skipped"), dmg);
            assertEquals(4, count(dmg, "<g class=\"series\""));
            String none = read(base, "/ui/runs/" + empty).body();
            assertTrue(none.contains("no readable samples") || none.contains("has no telemetry"), none);
            assertTrue(none.contains("id=\"suites\""), "the rest of the run is shown");

            // a serial with '/', '%' and '+' in it: its link leads to its own page
            HttpResponse<String> oddUnit = read(base, "/ui/units/" + Dashboard.enc("C02/50%+x"));
            assertEquals(200, oddUnit.statusCode(), oddUnit.body());
            assertTrue(oddUnit.body().contains("C02/50%+x"), oddUnit.body());
            assertTrue(read(base, "/ui/units").body().contains("href=\"/ui/units/" + Dashboard.enc("C02/50%+x") + "\""));

            // unknown unit and run: 404 pages
            HttpResponse<String> nf = read(base, "/ui/units/NOPE-" + Dashboard.enc("<i>"));
            assertEquals(404, nf.statusCode());
            assertTrue(nf.body().contains("NOPE-&lt;i&gt;"), nf.body());
            assertEquals(404, read(base, "/ui/runs/" + TestBundles.newRunId()).statusCode());
            assertEquals(404, read(base, "/ui/runs/..%2F..%2Fetc").statusCode());

            // the line: today's yield and the week's symptoms
            String line = read(base, "/ui/line").body();
            assertTrue(line.contains("cpu-crc32c-miscompare"), line);
            String yield = read(base, "/ui/line/yield.csv").body();
            assertTrue(yield.startsWith("day,runs,passed,failed,yield\n"), yield);
        }
    }

    @Test
    @Timeout(120)
    void filtersAndCsvAgreeWithTheRunsOverAFewThousand() throws Exception {
        filtersAndCsv("jdbc:sqlite:" + dir.resolve("index.db"));
    }

    @Test
    @Timeout(180)
    void filtersAndCsvAgreeWithTheRunsOverAFewThousandOnPostgresql() throws Exception {
        Postgres.inSchema(this::filtersAndCsv);
    }

    /** A replica: readers' token given, the session key shared with the other replicas (null: its own). */
    private AcceptanceServer replica(BundleIndex index, String readerToken, byte[] sessionKey) throws Exception {
        TrustStore trust = TrustStore.of(key.publicKey());
        Path f = Files.writeString(dir.resolve("access-" + System.nanoTime() + ".yaml"), """
                readers:
                  - name: quality
                    token: %s
                stations:
                  - name: rack7
                    token: %s
                    keys: [%s]
                    serials: any
                """.formatted(readerToken, RACK, key.keyId()));
        return new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("blobs")), trust,
                sessionKey == null ? ServiceOptions.plain().withAccess(Access.load(f, trust))
                        : ServiceOptions.plain().withAccess(Access.load(f, trust)).withSessionKey(sessionKey));
    }

    /** The login form posted with {@code form} (url-encoded). */
    private HttpResponse<String> postLogin(String base, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/ui/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A session cookie ("kiln_session=...") from logging in with {@code token}. */
    private String login(String base, String token) throws Exception {
        HttpResponse<String> login = postLogin(base, "token=" + token);
        assertEquals(303, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    /**
     * A session ends when its reader logs out, on every replica sharing the database, and a copy of
     * the cookie kept from before is refused too; a session opened with a token that has since been
     * changed is refused, while other sessions go on.
     */
    @Test
    @Timeout(120)
    void aSessionEndsAtLogoutOnEveryReplicaAndWhenItsTokenChanges() throws Exception {
        sessions("jdbc:sqlite:" + dir.resolve("index.db"));
    }

    @Test
    @Timeout(120)
    void aSessionEndsAtLogoutOnEveryReplicaAndWhenItsTokenChangesOnPostgresql() throws Exception {
        Postgres.inSchema(this::sessions);
    }

    private void sessions(String url) throws Exception {
        byte[] shared = new byte[32];
        new java.security.SecureRandom().nextBytes(shared);
        String kept;
        try (BundleIndex ia = new BundleIndex(url); BundleIndex ib = new BundleIndex(url);
             AcceptanceServer a = replica(ia, READER, shared); AcceptanceServer b = replica(ib, READER, shared)) {
            String baseA = "http://127.0.0.1:" + a.port();
            String baseB = "http://127.0.0.1:" + b.port();
            String first = login(baseA, READER);
            String second = login(baseB, READER);
            assertEquals(200, get(baseB, "/ui/units", "Cookie", first).statusCode(), "a session holds on every replica");
            assertEquals(200, get(baseA, "/ui/units", "Cookie", second).statusCode());
            HttpResponse<String> out = http.send(HttpRequest.newBuilder(URI.create(baseA + "/ui/logout")).header("Cookie", first)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, out.statusCode());
            assertTrue(out.headers().firstValue("Set-Cookie").orElse("").contains("Max-Age=0"));
            for (String base : List.of(baseA, baseB)) {
                HttpResponse<String> after = get(base, "/ui/units", "Cookie", first);
                assertEquals(303, after.statusCode(), "the logged-out cookie, kept and replayed at " + base);
                assertTrue(after.headers().firstValue("Location").orElse("").startsWith("/ui/login"));
                assertEquals(401, get(base, "/ui/units.csv", "Cookie", first).statusCode());
            }
            assertEquals(200, get(baseB, "/ui/units", "Cookie", second).statusCode(), "another session of the same reader goes on");
            kept = second;
        }
        // the reader's token changed (the access file rewritten, the service restarted): sessions opened with the old one end
        try (BundleIndex ia = new BundleIndex(url); AcceptanceServer a = replica(ia, "a-new-reader-token-98765", shared)) {
            String base = "http://127.0.0.1:" + a.port();
            assertEquals(303, get(base, "/ui/units", "Cookie", kept).statusCode(), "a session opened with the old token");
            assertEquals(200, get(base, "/ui/units", "Cookie", login(base, "a-new-reader-token-98765")).statusCode(), "one opened with the new");
            assertEquals(401, postLogin(base, "token=" + READER).statusCode(), "the old token opens nothing");
        }
    }

    private void filtersAndCsv(String url) throws Exception {
        try (BundleIndex index = new BundleIndex(url); AcceptanceServer server = start(index)) {
            server.dashboardForTests().csvChunk(150); // units.csv streams in keyset chunks: here several, each unit once
            String base = "http://127.0.0.1:" + server.port();
            java.util.Random rnd = new java.util.Random(42);
            String[] skus = {"m4max-64g", "m4pro-24g", "m2ultra-192g"};
            String[] stations = {"rack1", "rack2", "rack3", "rack4"};
            String[] verdicts = {"PASS", "PASS", "PASS", "PASS", "FAIL", "INCOMPLETE"};
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            Map<String, String[]> latest = new java.util.HashMap<>(); // serial -> {verdict, sku, station, receivedAt}
            int runs = 3000;
            for (int i = 0; i < runs; i++) {
                String serial = String.format("C02%05d", rnd.nextInt(1200));
                String verdict = verdicts[rnd.nextInt(verdicts.length)];
                String sku = skus[rnd.nextInt(skus.length)];
                String station = stations[rnd.nextInt(stations.length)];
                Instant at = today.minusDays(rnd.nextInt(20)).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(rnd.nextInt(86_000));
                String runId = TestBundles.newRunId();
                List<RunFacts.Failure> f = verdict.equals("FAIL") ? List.of(new RunFacts.Failure("memory", "memory-miscompare",
                        "bit 3 flipped at 0x7f00", "address 0x7f00", false)) : List.of();
                RunFacts facts = new RunFacts("standard", sku, "Mac16,5", at.minusSeconds(600).toString(), at.toString(), 600.0, f.size(),
                        List.of(new RunFacts.Suite("memory", verdict.equals("FAIL") ? "FAIL" : "PASS", 500.0, 10, f.size(), "")), f, 80.0, 60.0,
                        List.of());
                index.insertIfAbsent(new BundleIndex.Row(runId, serial, verdict, "0".repeat(64), key.keyId(), 1000, at.toString()), facts, station);
                String[] prev = latest.get(serial);
                if (prev == null || at.toString().compareTo(prev[3]) >= 0) {
                    latest.put(serial, new String[] {verdict, sku, station, at.toString()});
                }
            }
            // every filter combination below against what the inserted runs say
            String from = today.minusDays(6).toString();
            for (String verdict : List.of("", "FAIL", "PASS")) {
                for (String sku : List.of("", "m4pro-24g")) {
                    for (String range : List.of("", from)) {
                        long expected = latest.values().stream().filter(v -> verdict.isEmpty() || v[0].equals(verdict))
                                .filter(v -> sku.isEmpty() || v[1].equals(sku)).filter(v -> range.isEmpty() || v[3].compareTo(range) >= 0).count();
                        String q = "verdict=" + verdict + "&sku=" + sku + "&from=" + range;
                        String page = read(base, "/ui/units?" + q).body();
                        Matcher m = Pattern.compile("<span id=\"unit-count\">(\\d+)</span>").matcher(page);
                        assertTrue(m.find(), page);
                        assertEquals(expected, Long.parseLong(m.group(1)), q);
                        assertEquals(Math.min(expected, Dashboard.PAGE_SIZE), count(page, "<tr><td class=\"serial\">"), q);
                        HttpResponse<String> csv = read(base, "/ui/units.csv?" + q);
                        assertEquals(200, csv.statusCode());
                        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
                        List<String> lines = csv.body().lines().toList();
                        assertEquals("serial,verdict,latest_run,received_at,sku,station,model,runs", lines.get(0));
                        assertEquals(expected, lines.size() - 1, "CSV rows: " + q);
                    }
                }
            }
            // paging walks every unit exactly once
            List<String> seen = new ArrayList<>();
            for (int p = 1; ; p++) {
                String page = read(base, "/ui/units?page=" + p).body();
                Matcher m = Pattern.compile("<td class=\"serial\"><a href=\"[^\"]+\">([^<]+)</a>").matcher(page);
                int before = seen.size();
                while (m.find()) {
                    seen.add(m.group(1));
                }
                if (seen.size() == before || !page.contains("id=\"next\"")) {
                    break;
                }
            }
            assertEquals(latest.size(), seen.size());
            assertEquals(latest.size(), new java.util.HashSet<>(seen).size());
            // page numbers that once overflowed the OFFSET (2147483647 × 50 as an int is negative: the database refused, a 503)
            for (String bad : List.of("2147483647", "0", "-3", String.valueOf(Dashboard.MAX_PAGE + 1))) {
                HttpResponse<String> r = read(base, "/ui/units?page=" + bad);
                assertEquals(400, r.statusCode(), bad + ": " + r.body());
                assertTrue(r.body().contains("page must be a number from 1 to " + Dashboard.MAX_PAGE), r.body());
            }
            HttpResponse<String> far = read(base, "/ui/units?page=" + Dashboard.MAX_PAGE);
            assertEquals(200, far.statusCode(), "the last page allowed is an empty page, not an error");
            // the line's yield CSV adds up to the runs of the window
            long inWindow = 0;
            List<String> yield = read(base, "/ui/line/yield.csv?days=20").body().lines().skip(1).toList();
            for (String l : yield) {
                inWindow += Long.parseLong(l.split(",")[1]);
            }
            assertEquals(runs, inWindow);
            String stationsCsv = read(base, "/ui/line/stations.csv?days=20").body();
            assertEquals(5, stationsCsv.lines().count(), stationsCsv);
            // every unit in the CSV, each once, across chunks
            List<String> all = read(base, "/ui/units.csv").body().lines().skip(1).map(l -> l.split(",")[0]).toList();
            assertEquals(latest.size(), all.size());
            assertEquals(latest.keySet(), new java.util.HashSet<>(all));
            assertEquals(all.stream().sorted().toList(), all, "in serial order, the export's keyset");
        }
    }

    @Test
    void csvCellsThatStartAFormulaAreDefused() {
        assertEquals("'=HYPERLINK(\"x\"),\"a,b\",plain\n".replace("'=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
                Dashboard.Csv.row("=HYPERLINK(\"x\")", "a,b", "plain"));
        // whatever the separator: a leading ';' is defused, and a cell holding ';' is quoted (a ';'-separated locale splits it otherwise)
        assertEquals("\"';=1+1\",\"a;b\",'+1,'-2,'@x,'\tt\n", Dashboard.Csv.row(";=1+1", "a;b", "+1", "-2", "@x", "\tt"));
    }

    @Test
    @Timeout(120)
    void reindexRebuildsThePagesFromTheBundlesAlone() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        String url = "jdbc:sqlite:" + data.resolve("index.db");
        String fail = TestBundles.newRunId();
        String pass = TestBundles.newRunId();
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        TrustStore trust = TrustStore.of(key.publicKey());
        try (BundleIndex index = new BundleIndex(url); AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index,
                BlobStore.directory(data), trust, ServiceOptions.plain())) {
            String base = "http://127.0.0.1:" + server.port();
            for (String[] r : List.of(new String[] {pass, "C02RE001", "PASS"}, new String[] {fail, "C02RE002", "FAIL"})) {
                byte[] b = TestBundles.rich(new TestBundles.Spec(r[0], r[1], r[2], "m4pro-24g", "Mac16,7", t0, 120, 4, r[2].equals("FAIL")
                        ? List.<String[]>of(new String[] {"memory", "memory-miscompare", "bit 5 flipped at 0x7f3a00", "0x7f3a00"}) : List.of()), key);
                assertEquals(201, http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + r[0])).PUT(HttpRequest.BodyPublishers.ofByteArray(b))
                        .header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", ServiceProcess.digest(b)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
        }
        // the index as an older service left it: rows without the dashboard's facts
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE bundles SET sku = NULL, station = NULL, day = NULL, indexed = 0");
            st.executeUpdate("DELETE FROM units");
            st.executeUpdate("DELETE FROM run_suites");
            st.executeUpdate("DELETE FROM run_failures");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int rc = Main.run(new java.io.PrintStream(out, true), new java.io.PrintStream(err, true), "reindex", "--data", data.toString());
        assertEquals(0, rc, err.toString());
        assertEquals("reindexed 2 run(s) from their bundles\n", out.toString());
        try (BundleIndex index = new BundleIndex(url); AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index,
                BlobStore.directory(data), trust, ServiceOptions.plain())) {
            String base = "http://127.0.0.1:" + server.port();
            String units = get(base, "/ui/units?sku=m4pro-24g", null, null).body();
            assertEquals(2, count(units, "<tr><td class=\"serial\">"), units);
            assertTrue(units.contains("C02RE002") && units.contains("verdict FAIL"));
            assertTrue(get(base, "/ui/line", null, null).body().contains("memory-miscompare"));
            assertEquals(1, index.units(new BundleIndex.UnitFilter(null, "FAIL", null, null, null, null), 0, 10).total());
        }
        // a blob gone from the store: named, counted, exit 65; the rest reindexed
        try (var walk = Files.walk(data)) {
            Path one = walk.filter(p -> p.toString().endsWith(".kiln.zip")).findFirst().orElseThrow();
            Files.delete(one);
        }
        err.reset();
        out.reset();
        assertEquals(65, Main.run(new java.io.PrintStream(out, true), new java.io.PrintStream(err, true), "reindex", "--data", data.toString()));
        assertTrue(err.toString().contains("is not in the store"), err.toString());
        assertTrue(out.toString().contains("reindexed 1 run(s)") && out.toString().contains("1 bundle(s) missing"), out.toString());
    }
}
