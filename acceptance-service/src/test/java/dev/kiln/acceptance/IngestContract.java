package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest protocol of DESIGN §6, against the real service on loopback; one subclass per database. */
abstract class IngestContract {
    @TempDir
    Path data;

    final StationKey station = StationKey.generate();
    final StationKey stranger = StationKey.generate();
    final ObjectMapper json = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    BundleIndex index;
    AcceptanceServer server;

    /** A fresh, empty database for each test. */
    abstract String jdbcUrl() throws Exception;

    ServiceOptions options() {
        return ServiceOptions.plain().withMaxBundleBytes(1 << 20);
    }

    @BeforeEach
    void start() throws Exception {
        index = new BundleIndex(jdbcUrl());
        server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(data),
                TrustStore.of(station.publicKey()), options());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        index.close();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static String digest(byte[] b) throws Exception {
        return "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(b)) + ":";
    }

    HttpResponse<String> put(String runId, byte[] body) throws Exception {
        return put(runId, body, dev.kiln.bundle.BundleNames.MEDIA_TYPE, digest(body));
    }

    HttpResponse<String> put(String runId, byte[] body, String type, String digest) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/v1/bundles/" + runId)).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", type);
        if (digest != null) {
            b.header("Content-Digest", digest);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void storesOnceAndAnswersTheSameReceiptAgain() throws Exception {
        String run = TestBundles.newRunId();
        byte[] b = TestBundles.bundle(run, "SN-1", "PASS", station);
        HttpResponse<String> first = put(run, b);
        assertEquals(201, first.statusCode(), first.body());
        JsonNode receipt = json.readTree(first.body());
        assertEquals(run, receipt.get("runId").asText());
        assertEquals(AcceptanceServer.digestHex(b), receipt.get("sha256").asText());
        assertTrue(receipt.get("accepted").asBoolean());
        assertEquals(station.keyId(), receipt.get("stationKey").asText());

        HttpResponse<String> again = put(run, b);
        assertEquals(200, again.statusCode());
        assertEquals(receipt, json.readTree(again.body()), "same id and digest: the same receipt");
        HttpResponse<String> got = get("/v1/bundles/" + run);
        assertEquals(200, got.statusCode());
        assertEquals(receipt, json.readTree(got.body()));
        assertEquals(1, index.count());
        assertTrue(Files.exists(data.resolve("blobs/" + receipt.get("sha256").asText().substring(0, 2) + "/"
                + receipt.get("sha256").asText() + ".kiln.zip")));

        byte[] other = TestBundles.bundle(run, "SN-1", "FAIL", station);
        HttpResponse<String> conflict = put(run, other);
        assertEquals(409, conflict.statusCode(), conflict.body());
        assertTrue(conflict.body().contains("already stored"), conflict.body());
        assertEquals(1, index.count());
        // the conflicting bundle's bytes were written before its row was refused; none are left behind
        String otherHex = AcceptanceServer.digestHex(other);
        assertFalse(Files.exists(data.resolve("blobs/" + otherHex.substring(0, 2) + "/" + otherHex + ".kiln.zip")),
                "a refused conflict leaves no blob");
        assertTrue(Files.exists(data.resolve("blobs/" + receipt.get("sha256").asText().substring(0, 2) + "/"
                + receipt.get("sha256").asText() + ".kiln.zip")), "the stored run's blob stays");

        // garbage, or a bundle signed by an untrusted key, PUT to a stored run id: refused as a bad
        // bundle, never a 409 that would tell it the stored digest
        HttpResponse<String> garbage = put(run, "not a bundle at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(422, garbage.statusCode(), garbage.body());
        assertTrue(!garbage.body().contains(receipt.get("sha256").asText()), garbage.body());
        HttpResponse<String> forged = put(run, TestBundles.bundle(run, "SN-1", "PASS", dev.kiln.bundle.StationKey.generate()));
        assertEquals(422, forged.statusCode(), forged.body());
        assertTrue(!forged.body().contains(receipt.get("sha256").asText()), forged.body());
    }

    @Test
    void aStoredBundleIsAnsweredAsStoredAfterItsKeyIsNoLongerTrusted() throws Exception {
        String run = TestBundles.newRunId();
        byte[] b = TestBundles.bundle(run, "SN-KEY", "PASS", station);
        HttpResponse<String> first = put(run, b);
        assertEquals(201, first.statusCode(), first.body());
        // the service restarted with the station's key gone from its trust store: the station, retrying a
        // delivery whose receipt it lost, must hear that the very bytes are stored (not quarantine them)
        server.close();
        server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(data), TrustStore.of(stranger.publicKey()),
                options());
        HttpResponse<String> again = put(run, b);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(json.readTree(first.body()), json.readTree(again.body()));
        String fresh = TestBundles.newRunId();
        HttpResponse<String> untrusted = put(fresh, TestBundles.bundle(fresh, "SN-KEY", "PASS", station));
        assertEquals(422, untrusted.statusCode(), untrusted.body());
        HttpResponse<String> changed = put(run, TestBundles.bundle(run, "SN-KEY", "FAIL", station));
        assertEquals(422, changed.statusCode(), "other bytes under an untrusted key: refused, never a 409 " + changed.body());
        assertEquals(1, index.count());
    }

    @Test
    void unknownRunIs404AndUnitsAreListed() throws Exception {
        assertEquals(404, get("/v1/bundles/" + TestBundles.newRunId()).statusCode());
        for (int i = 0; i < 3; i++) {
            String run = TestBundles.newRunId();
            assertEquals(201, put(run, TestBundles.bundle(run, "SN-LIST", i == 1 ? "FAIL" : "PASS", station)).statusCode());
        }
        String other = TestBundles.newRunId();
        put(other, TestBundles.bundle(other, "SN-OTHER", "PASS", station));
        JsonNode list = json.readTree(get("/v1/units/SN-LIST/bundles").body());
        assertEquals(3, list.size());
        assertEquals("FAIL", list.get(1).get("verdict").asText());
        assertEquals(0, json.readTree(get("/v1/units/NOPE/bundles").body()).size());
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("kiln_acceptance_bundles_total{outcome=\"stored\"} 4.0"), metrics);
    }

    @Test
    void badBundlesGet4xxWithAReasonAndAreNeverStored() throws Exception {
        String run = TestBundles.newRunId();
        byte[] good = TestBundles.bundle(run, "SN-2", "PASS", station);

        byte[] tampered = good.clone();
        tampered[tampered.length / 3] ^= 0x01;
        HttpResponse<String> t = put(run, tampered);
        assertTrue(t.statusCode() == 422, t.statusCode() + " " + t.body());
        assertFalse(json.readTree(t.body()).get("reasons").isEmpty());

        HttpResponse<String> untrusted = put(run, TestBundles.bundle(run, "SN-2", "PASS", stranger));
        assertEquals(422, untrusted.statusCode());
        assertTrue(untrusted.body().contains("untrusted key " + stranger.keyId()), untrusted.body());

        HttpResponse<String> garbage = put(run, "<html>not a bundle</html>".getBytes());
        assertEquals(422, garbage.statusCode());

        String otherRun = TestBundles.newRunId();
        HttpResponse<String> wrongId = put(otherRun, good);
        assertEquals(422, wrongId.statusCode());
        assertTrue(wrongId.body().contains("not " + otherRun), wrongId.body());

        assertEquals(415, put(run, good, "application/zip", digest(good)).statusCode());
        assertEquals(400, put(run, good, dev.kiln.bundle.BundleNames.MEDIA_TYPE, null).statusCode());
        HttpResponse<String> bad = put(run, good, dev.kiln.bundle.BundleNames.MEDIA_TYPE, digest(tampered));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("does not match"), bad.body());

        byte[] huge = new byte[(1 << 20) + 10];
        assertEquals(413, put(run, huge).statusCode());
        assertEquals(0, index.count(), "nothing bad was stored");
        assertEquals(404, get("/v1/bundles/" + run).statusCode());
        assertEquals(201, put(run, good).statusCode(), "the good one is still welcome");
    }

    @Test
    void eightClientsSendingTheSameBundleAtOnceStoreItOnce() throws Exception {
        String run = TestBundles.newRunId();
        byte[] b = TestBundles.bundle(run, "SN-3", "PASS", station);
        CyclicBarrier together = new CyclicBarrier(8);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await();
                        return put(run, b);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
        }
        Set<String> receipts = new HashSet<>();
        int created = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.join();
            assertTrue(r.statusCode() == 200 || r.statusCode() == 201, r.statusCode() + " " + r.body());
            created += r.statusCode() == 201 ? 1 : 0;
            receipts.add(json.readTree(r.body()).toString());
        }
        assertEquals(1, created, "exactly one request stored it");
        assertEquals(1, receipts.size(), "everyone got the same receipt");
        assertEquals(1, index.count());
        try (var blobs = Files.walk(data.resolve("blobs"))) {
            assertEquals(1, blobs.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void aDatabaseFailureIsAnsweredNotAnEmptyReply() throws Exception {
        index.close(); // every query now fails with an SQLException
        String run = TestBundles.newRunId();
        HttpResponse<String> r = put(run, TestBundles.bundle(run, "SN-DB", "PASS", station));
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("database unavailable"), "a documented reply, with its reason: " + r.body());
        assertEquals("5", r.headers().firstValue("Retry-After").orElse(""));
        index = new BundleIndex(jdbcUrl()); // for stop()
    }

    /** The blob store failing (a full or broken disk): 503 with Retry-After, and no row without its bytes; the retry stores it. */
    @Test
    void aBlobStoreFailureIsAnsweredAndIndexesNothing() throws Exception {
        String run = TestBundles.newRunId();
        byte[] b = TestBundles.bundle(run, "SN-BLOB", "PASS", station);
        String hex = AcceptanceServer.digestHex(b);
        Path shard = data.resolve("blobs").resolve(hex.substring(0, 2));
        Files.createDirectories(shard.getParent());
        Files.writeString(shard, "a file where the blob's directory should be"); // its directory cannot be made
        HttpResponse<String> r = put(run, b);
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("blob store unavailable"), r.body());
        assertEquals("5", r.headers().firstValue("Retry-After").orElse(""));
        assertEquals(0, index.count(), "a row never names a blob that is not there");
        assertEquals(404, get("/v1/bundles/" + run).statusCode());
        Files.delete(shard);
        assertEquals(201, put(run, b).statusCode(), "the station's retry stores it");
        assertTrue(Files.exists(shard.resolve(hex + ".kiln.zip")));
        assertEquals(1, index.count());
    }

    /** A blob store that fails on a read is answered on the dashboard (a note on the run page, 503 for the download), never a dropped connection. */
    @Test
    void aBlobStoreThatFailsOnReadIsAnsweredOnTheDashboard() throws Exception {
        String run = TestBundles.newRunId();
        byte[] b = TestBundles.bundle(run, "SN-LIES", "PASS", station);
        assertEquals(201, put(run, b).statusCode());
        String hex = AcceptanceServer.digestHex(b);
        Files.writeString(data.resolve("blobs").resolve(hex.substring(0, 2)).resolve(hex + ".kiln.zip"), "not the bytes"); // the store lies
        HttpResponse<String> page = get("/ui/runs/" + run);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("The blob store did not give the sealed bundle"), page.body());
        HttpResponse<String> download = get("/ui/runs/" + run + "/bundle");
        assertEquals(503, download.statusCode(), download.body());
        assertEquals("5", download.headers().firstValue("Retry-After").orElse(""));
    }

    /** A summary of 1,500 failures: the index keeps the first 1,000 and the page lists them, saying how many more there are. */
    @Test
    void aRunOfThousandsOfFailuresIsIndexedAndListedToABound() throws Exception {
        String run = TestBundles.newRunId();
        List<String[]> failures = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            failures.add(new String[] {"cpu", "cpu-fma-miscompare", "wrong result " + i, String.valueOf(i % 16)});
        }
        HttpResponse<String> r = put(run, TestBundles.rich(new TestBundles.Spec(run, "C02MANY", "FAIL", null, "Mac16,5",
                java.time.Instant.parse("2026-11-29T00:00:00Z"), 10, 4, failures), station));
        assertEquals(201, r.statusCode(), r.body());
        String page = get("/ui/runs/" + run).body();
        assertEquals(RunFacts.MAX_FAILURES, page.split("<li class=\"failure", -1).length - 1, "listed to the bound");
        assertTrue(page.contains("500 more failure(s) in the bundle are not listed here"), "and the rest said");
        String symptoms = get("/ui/line/symptoms.csv?days=30").body();
        assertTrue(symptoms.contains("cpu-fma-miscompare,1000,1"), symptoms);
    }

    /** Machines that lack a serial are never one unit: a FAIL of one never hides behind a PASS of another. */
    @Test
    void runsOfMachinesWithoutASerialAreNeverMergedIntoOneUnit() throws Exception {
        List<String> runs = new java.util.ArrayList<>();
        String[] placeholders = {"unknown", "To Be Filled By O.E.M.", "unknown"};
        for (int i = 0; i < placeholders.length; i++) {
            String run = TestBundles.newRunId();
            runs.add(run);
            assertEquals(201, put(run, TestBundles.bundle(run, placeholders[i], i == 0 ? "FAIL" : "PASS", station)).statusCode());
        }
        assertEquals(0, json.readTree(get("/v1/units/unknown/bundles").body()).size(), "no unit is called by a placeholder");
        for (int i = 0; i < runs.size(); i++) {
            JsonNode alone = json.readTree(get("/v1/units/no-serial:" + runs.get(i) + "/bundles").body());
            assertEquals(1, alone.size(), "each run of a machine without a serial is a unit of its own");
            assertEquals(i == 0 ? "FAIL" : "PASS", alone.get(0).get("verdict").asText());
        }
        String real = TestBundles.newRunId();
        assertEquals(201, put(real, TestBundles.bundle(real, "C02XK0REAL", "PASS", station)).statusCode());
        assertEquals(1, json.readTree(get("/v1/units/C02XK0REAL/bundles").body()).size(), "a real serial is filed as itself");
    }

    @Test
    void theRootLeadsToTheDashboard() throws Exception {
        HttpResponse<String> r = get("/");
        assertEquals(303, r.statusCode());
        assertEquals("/ui", r.headers().firstValue("Location").orElse(""));
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("ready\n", ready.body());
    }

    @Test
    void headIsAnsweredWhereGetIs() throws Exception {
        String run = TestBundles.newRunId();
        assertEquals(201, put(run, TestBundles.bundle(run, "SN-HEAD", "PASS", station)).statusCode());
        for (String path : new String[] {"/v1/bundles/" + run, "/v1/units/SN-HEAD/bundles", "/healthz"}) {
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(uri(path)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, h.statusCode(), path);
            assertEquals("", h.body(), "no body for HEAD: " + path);
        }
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(uri("/v1/bundles/" + TestBundles.newRunId()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
    }

    @Test
    void aNulCharacterIsAPermanentRefusalOnEveryDatabase() throws Exception {
        // PostgreSQL refuses NUL in text: once an error turned into 503 + Retry-After, a station retrying forever
        String run = TestBundles.newRunId();
        List<String[]> failures = new ArrayList<>();
        failures.add(new String[] {"cpu", "cpu-fma-miscompare", "expected 0x1 got \u0000 here", "3"});
        byte[] b = TestBundles.rich(new TestBundles.Spec(run, "C02NUL", "FAIL", null, "Mac16,5", java.time.Instant.parse("2026-11-29T00:00:00Z"),
                10, 4, failures), station);
        HttpResponse<String> r = put(run, b);
        assertEquals(422, r.statusCode(), r.body());
        assertTrue(r.body().contains("failures[0].message" + Admission.NUL_REFUSED), r.body());
        assertEquals(404, get("/v1/bundles/" + run).statusCode(), "nothing stored");
        try (var blobs = Files.walk(data.resolve("blobs"))) {
            assertEquals(0, blobs.filter(p -> p.getFileName().toString().endsWith(".kiln.zip")).count(), "no blob left behind");
        }
        String serialRun = TestBundles.newRunId();
        HttpResponse<String> s = put(serialRun, TestBundles.bundle(serialRun, "C02\u0000X", "PASS", station));
        assertEquals(422, s.statusCode(), s.body());
        assertTrue(s.body().contains("serial" + Admission.NUL_REFUSED), s.body());
    }

    /**
     * A station cannot rewrite history: a run counts for the day it was received, whatever its signed end
     * says (kept as a fact); an end after the receipt by more than a day is refused.
     */
    @Test
    void aRunCountsForTheDayItWasReceivedAndAFutureEndIsRefused() throws Exception {
        String old = TestBundles.newRunId(); // signed as ended 2026-11-26, delivered today
        assertEquals(201, put(old, TestBundles.bundle(old, "C02OLD", "PASS", station)).statusCode());
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        List<String> days = get("/ui/line/yield.csv?days=30").body().lines().skip(1).map(l -> l.split(",")[0]).toList();
        assertEquals(List.of(today), days, "counted for the day received, not the day the station signed");
        String future = TestBundles.newRunId();
        byte[] b = TestBundles.rich(new TestBundles.Spec(future, "C02FUT", "PASS", null, "Mac16,5",
                java.time.Instant.now().plus(java.time.Duration.ofDays(3000)), 10, 4, List.of()), station);
        HttpResponse<String> r = put(future, b);
        assertEquals(422, r.statusCode(), r.body());
        assertTrue(r.body().contains("is more than a day after the service received the bundle"), r.body());
        assertEquals(404, get("/v1/bundles/" + future).statusCode());
        assertEquals(null, Admission.absurdEnd("2026-12-07T10:00:00Z", java.time.Instant.parse("2026-12-07T09:00:00Z")), "an hour's skew");
        assertTrue(Admission.absurdEnd("yesterday", java.time.Instant.now()).contains("not an ISO-8601 instant"));
    }

    @Test
    void fieldLimitsAreCheckedBeforeAnyDatabaseAndAlikeOnEvery() throws Exception {
        String run = TestBundles.newRunId();
        HttpResponse<String> r = put(run, TestBundles.bundle(run, "S".repeat(200), "PASS", station));
        assertEquals(422, r.statusCode(), "a permanent refusal the station quarantines, not a 5xx it retries forever: " + r.body());
        assertTrue(r.body().contains("serial must be 1 to 128 characters, not 200"), r.body());
        String ok = TestBundles.newRunId();
        assertEquals(201, put(ok, TestBundles.bundle(ok, "S".repeat(128), "PASS", station)).statusCode());
    }
}
