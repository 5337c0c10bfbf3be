package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.bundle.HeartbeatEnvelope;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats and the floor page through real sockets (issue 31), one subclass per database: what a
 * station sends is stored and shown only when it is that station's, signed by its key, for a serial
 * it may publish, newer than what is stored and for a run not yet sealed; everything else is a 4xx
 * with its reason, counted, never shown.
 */
abstract class FloorContract {
    @TempDir
    Path dir;

    static final String READER = "reader-token-0123456789";
    static final String RACK_A = "rack-a-token-0123456789";
    static final String RACK_B = "rack-b-token-0123456789";
    static final String RETIRED = "retired-token-012345678";

    final StationKey a = StationKey.generate();
    final StationKey b = StationKey.generate();
    final StationKey retired = StationKey.generate();
    final StationKey stranger = StationKey.generate();
    final ObjectMapper json = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    BundleIndex index;
    AcceptanceServer server;

    /** A fresh, empty database for each test. */
    abstract String jdbcUrl() throws Exception;

    @BeforeEach
    void start() throws Exception {
        Path access = Files.writeString(dir.resolve("access.yaml"), """
                readers:
                  - name: floor-lead
                    token: %s
                stations:
                  - name: rack-a
                    token: %s
                    keys: [%s]
                    serials: "SN-A[0-9]+"
                  - name: rack-b
                    token: %s
                    keys: [%s]
                    serials: any
                  - name: retired
                    token: %s
                    keys: [%s]
                    serials: any
                    revoked: true
                """.formatted(READER, RACK_A, a.keyId(), RACK_B, b.keyId(), RETIRED, retired.keyId()));
        TrustStore trust = TrustStore.of(a.publicKey(), b.publicKey(), retired.publicKey());
        index = new BundleIndex(jdbcUrl());
        server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("data")), trust,
                ServiceOptions.plain().withAccess(Access.load(access, trust)));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        index.close();
    }

    /** A status as the agent sends it. */
    ObjectNode status(String runId, String serial, long seq) {
        ObjectNode s = json.createObjectNode();
        s.put("v", 1);
        s.put("runId", runId);
        s.put("serial", serial);
        s.put("profile", "soak");
        s.put("seq", seq);
        s.put("sentAt", Instant.now().toString());
        s.put("intervalSeconds", 15.0);
        s.put("state", "running");
        s.put("startedAt", Instant.now().minusSeconds(600).toString());
        s.put("elapsedSeconds", 600.0);
        s.put("plannedSeconds", 2400.0);
        s.put("stage", "together");
        s.putArray("suites").addObject().put("id", "together/cpu").put("phase", "all-at-once").put("elapsedSeconds", 300.0)
                .put("remainingSeconds", 900.0).put("units", 1234).put("unit", "iterations").put("failures", 0);
        s.put("work", 1234);
        s.put("failures", 0);
        s.put("hottestCelsius", 81.5);
        s.put("watts", 96.25);
        s.putObject("agent").put("samplerAlive", true).put("outboxDepth", 0);
        return s;
    }

    HttpResponse<String> beat(String token, String runId, byte[] envelope, String type) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/runs/" + runId + "/heartbeat"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(envelope)).header("Content-Type", type);
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> beat(String token, ObjectNode status, StationKey key) throws Exception {
        return beat(token, status.get("runId").asText(), HeartbeatEnvelope.seal(json.writeValueAsBytes(status), key), HeartbeatEnvelope.MEDIA_TYPE);
    }

    String floor() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/ui/floor"))
                .header("Authorization", "Bearer " + READER).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .header("Authorization", "Bearer " + READER).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aRunningUnitIsShownWithItsStateAndNothingItSaysIsMarkup() throws Exception {
        String run = TestBundles.newRunId();
        ObjectNode s = status(run, "SN-A1", 1);
        s.put("failures", 2);
        s.put("firstFailure", "together/cpu: <script>alert(1)</script> core 3 wrong");
        assertEquals(204, beat(RACK_A, s, a).statusCode());
        String page = floor();
        assertTrue(page.contains("<meta http-equiv=\"refresh\" content=\"15\">"), "reloads itself, no script");
        assertTrue(page.contains("Station rack-a") && page.contains("data-serial=\"SN-A1\""), page);
        assertTrue(page.contains("81.5 °C") && page.contains("96.3 W") && page.contains("together/cpu 15m 00s left"), page);
        assertTrue(page.contains("<progress max=\"100\" value=\"25\">"), "600 s of 2400: " + page);
        assertTrue(page.contains("class=\"num failing\"") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
        assertFalse(page.contains("<script>"), "nothing a heartbeat carries is rendered unescaped");
        assertTrue(page.contains("<span id=\"running-count\">1</span>") && page.contains("<span id=\"failing-count\">1</span>"), page);
        assertTrue(metrics().contains("kiln_floor_running_units{station=\"rack-a\"} 1.0"), metrics());
        assertTrue(metrics().contains("kiln_acceptance_heartbeats_total{outcome=\"stored\",station=\"rack-a\"} 1.0"), metrics());
    }

    @Test
    void aReplayedOrOutOfOrderHeartbeatIs409AndTheNewestStays() throws Exception {
        String run = TestBundles.newRunId();
        assertEquals(204, beat(RACK_A, status(run, "SN-A1", 2).put("hottestCelsius", 70.0), a).statusCode());
        HttpResponse<String> replay = beat(RACK_A, status(run, "SN-A1", 2).put("hottestCelsius", 99.0), a);
        assertEquals(409, replay.statusCode(), replay.body());
        assertTrue(replay.body().contains("replayed or out of order"), replay.body());
        assertEquals(409, beat(RACK_A, status(run, "SN-A1", 1).put("hottestCelsius", 99.0), a).statusCode());
        assertTrue(floor().contains("70.0 °C") && !floor().contains("99.0 °C"), "the newest kept");
        assertEquals(204, beat(RACK_A, status(run, "SN-A1", 3).put("hottestCelsius", 72.0), a).statusCode());
        assertTrue(floor().contains("72.0 °C"));
        assertTrue(metrics().contains("kiln_acceptance_heartbeats_total{outcome=\"stale\",station=\"rack-a\"} 2.0"), metrics());
    }

    @Test
    void forgedHeartbeatsAreRefusedAndNeverShown() throws Exception {
        String run = TestBundles.newRunId();
        // signed by a key no station has
        HttpResponse<String> stranger = beat(RACK_A, status(run, "SN-A1", 1), this.stranger);
        assertEquals(403, stranger.statusCode(), stranger.body());
        assertTrue(stranger.body().contains("not signed by a key of this station"), stranger.body());
        // signed by another station's key, sent with this station's token
        assertEquals(403, beat(RACK_A, status(run, "SN-A1", 1), b).statusCode());
        // a valid signature over other bytes: the payload changed after signing
        byte[] env = HeartbeatEnvelope.seal(json.writeValueAsBytes(status(run, "SN-A1", 1)), a);
        ObjectNode e = (ObjectNode) json.readTree(env);
        e.put("payload", java.util.Base64.getEncoder().encodeToString(json.writeValueAsBytes(status(run, "SN-A1", 1).put("failures", 0)
                .put("hottestCelsius", 20.0))));
        assertEquals(403, beat(RACK_A, run, json.writeValueAsBytes(e), HeartbeatEnvelope.MEDIA_TYPE).statusCode());
        // a serial the station may not publish
        HttpResponse<String> serial = beat(RACK_A, status(run, "C02OTHER", 1), a);
        assertEquals(403, serial.statusCode(), serial.body());
        assertTrue(serial.body().contains("may not publish serial C02OTHER"), serial.body());
        // a reader, a revoked station, no token
        assertEquals(403, beat(READER, status(run, "SN-A1", 1), a).statusCode());
        assertEquals(403, beat(RETIRED, status(run, "SN-A1", 1), retired).statusCode());
        assertEquals(401, beat(null, status(run, "SN-A1", 1), a).statusCode());
        String page = floor();
        assertFalse(page.contains("SN-A1") || page.contains("C02OTHER"), "nothing refused is shown: " + page);
        assertTrue(page.contains("id=\"no-floor\""), page);
        assertTrue(metrics().contains("kiln_acceptance_heartbeats_total{outcome=\"refused\",station=\"rack-a\"} 4.0"), metrics());
    }

    @Test
    void malformedHeartbeatsAreRefusedWithTheirReason() throws Exception {
        String run = TestBundles.newRunId();
        byte[] ok = HeartbeatEnvelope.seal(json.writeValueAsBytes(status(run, "SN-A1", 1)), a);
        assertEquals(415, beat(RACK_A, run, ok, "application/json").statusCode());
        byte[] huge = new byte[HeartbeatEnvelope.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertEquals(413, beat(RACK_A, run, huge, HeartbeatEnvelope.MEDIA_TYPE).statusCode());
        assertEquals(422, beat(RACK_A, run, "not json".getBytes(StandardCharsets.UTF_8), HeartbeatEnvelope.MEDIA_TYPE).statusCode());
        HttpResponse<String> other = beat(RACK_A, TestBundles.newRunId(), ok, HeartbeatEnvelope.MEDIA_TYPE);
        assertEquals(422, other.statusCode(), other.body());
        assertTrue(other.body().contains("the heartbeat is for run " + run), other.body());
        HttpResponse<String> future = beat(RACK_A, status(run, "SN-A1", 1).put("sentAt", "2031-01-01T00:00:00Z"), a);
        assertEquals(422, future.statusCode(), future.body());
        assertEquals(422, beat(RACK_A, status(run, "SN-A1", 0), a).statusCode(), "seq must be positive");
        assertEquals(422, beat(RACK_A, status(run, "SN-A1", 1).put("intervalSeconds", 0.001), a).statusCode());
        assertEquals(422, beat(RACK_A, status(run, "SN-A1", 1).put("v", 2), a).statusCode());
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/runs/" + run + "/heartbeat"))
                .header("Authorization", "Bearer " + RACK_A).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertTrue(floor().contains("id=\"no-floor\""));
    }

    @Test
    void aRunsHeartbeatsComeFromOneStation() throws Exception {
        String run = TestBundles.newRunId();
        assertEquals(204, beat(RACK_A, status(run, "SN-A1", 1), a).statusCode());
        HttpResponse<String> other = beat(RACK_B, status(run, "SN-A1", 5), b);
        assertEquals(403, other.statusCode(), other.body());
        assertTrue(floor().contains("Station rack-a") && !floor().contains("Station rack-b"));
    }

    @Test
    void aSealedRunShowsItsVerdictAndTakesNoMoreHeartbeats() throws Exception {
        String run = TestBundles.newRunId();
        assertEquals(204, beat(RACK_A, status(run, "SN-A7", 1), a).statusCode());
        byte[] bundle = TestBundles.bundle(run, "SN-A7", "FAIL", a);
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/bundles/" + run))
                .header("Authorization", "Bearer " + RACK_A).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE)
                .header("Content-Digest", IngestContract.digest(bundle)).PUT(HttpRequest.BodyPublishers.ofByteArray(bundle)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, up.statusCode(), up.body());
        HttpResponse<String> late = beat(RACK_A, status(run, "SN-A7", 2), a);
        assertEquals(409, late.statusCode(), late.body());
        assertTrue(late.body().contains("is sealed"), late.body());
        String page = floor();
        assertTrue(page.contains("<span class=\"verdict FAIL\">FAIL</span>") && page.contains("href=\"/ui/runs/" + run + "\""), page);
        assertTrue(page.contains("<span id=\"running-count\">0</span>"), page);
    }

    @Test
    void aUnitSilentForThreeIntervalsIsLostContactAtTheTop() throws Exception {
        String quiet = TestBundles.newRunId();
        String talking = TestBundles.newRunId();
        assertEquals(204, beat(RACK_B, status(quiet, "SN-QUIET", 1).put("intervalSeconds", 1.0), b).statusCode());
        long until = System.nanoTime() + 3_400_000_000L;
        for (int seq = 1; System.nanoTime() < until; seq++) {
            assertEquals(204, beat(RACK_B, status(talking, "SN-TALKING", seq).put("intervalSeconds", 1.0), b).statusCode());
            Thread.sleep(500);
        }
        String page = floor();
        int lost = page.indexOf("id=\"lost\"");
        assertTrue(lost > 0 && page.indexOf("SN-QUIET", lost) > lost && page.indexOf("SN-QUIET", lost) < page.indexOf("Station rack-b"),
                "the silent unit is in the lost-contact table, above the stations: " + page);
        assertTrue(page.indexOf("SN-TALKING") > page.indexOf("Station rack-b"), "the talking one is running under its station");
        assertTrue(page.contains("<span id=\"lost-count\">1</span>"), page);
        String m = metrics();
        assertTrue(m.contains("kiln_floor_lost_contact_units{station=\"rack-b\"} 1.0") && m.contains("kiln_floor_running_units{station=\"rack-b\"} 1.0"), m);
    }
}
