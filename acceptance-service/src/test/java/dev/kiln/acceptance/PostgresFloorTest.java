package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.HeartbeatEnvelope;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Heartbeats and the floor on a real PostgreSQL server (a schema of its own per test), and across two replicas. */
@EnabledIfEnvironmentVariable(named = "KILN_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresFloorTest extends FloorContract {
    private String url;

    @Override
    String jdbcUrl() throws Exception {
        url = PostgresIngestTest.freshSchema();
        return url;
    }

    /** Two replicas on one database: a heartbeat to either is the floor of both; a replay to the other is still a replay. */
    @Test
    void twoReplicasShowOneFloor() throws Exception {
        java.nio.file.Path access = dir.resolve("access.yaml");
        TrustStore trust = TrustStore.of(a.publicKey(), b.publicKey(), retired.publicKey());
        try (BundleIndex second = new BundleIndex(url);
             AcceptanceServer other = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), second,
                     BlobStore.directory(dir.resolve("data")), trust, ServiceOptions.plain().withAccess(Access.load(access, trust)))) {
            String run = TestBundles.newRunId();
            assertEquals(204, beat(RACK_A, status(run, "SN-A3", 1).put("hottestCelsius", 71.0), a).statusCode());
            byte[] two = HeartbeatEnvelope.seal(json.writeValueAsBytes(status(run, "SN-A3", 2).put("hottestCelsius", 73.0)), a);
            HttpResponse<String> viaOther = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port() + "/v1/runs/" + run
                    + "/heartbeat")).header("Authorization", "Bearer " + RACK_A).header("Content-Type", HeartbeatEnvelope.MEDIA_TYPE)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(two)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, viaOther.statusCode(), viaOther.body());
            assertEquals(409, beat(RACK_A, run, two, HeartbeatEnvelope.MEDIA_TYPE).statusCode(), "replayed to the first replica");
            String floorOther = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port() + "/ui/floor"))
                    .header("Authorization", "Bearer " + READER).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(floorOther.contains("SN-A3") && floorOther.contains("73.0 °C"), floorOther);
            assertTrue(floor().contains("73.0 °C"), "the first replica shows what the second stored");
        }
    }
}
