package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas sharing a real PostgreSQL and a real S3 API server (S3Proxy), as a factory deploys
 * them behind a load balancer: many stations ingest through both at once, some bundles delivered to
 * both; every bundle is stored exactly once, each replica serves what the other stored, and killing
 * one mid-ingest loses nothing (the stations retry against the other).
 */
@EnabledIfEnvironmentVariable(named = "KILN_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class ReplicasTest {
    @TempDir
    Path dir;

    private static final String BUCKET = "kiln-bundles";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(5)).build();

    private int put(String base, String runId, byte[] body) throws Exception {
        return ServiceProcess.put(http, base, runId, body).statusCode();
    }

    /** A station's delivery: one replica, then the other on a failure (a dead replica, a 503). */
    private int deliver(List<String> replicas, int first, String runId, byte[] body) throws Exception {
        for (int attempt = 0; attempt < 6; attempt++) {
            String base = replicas.get((first + attempt) % replicas.size());
            try {
                int code = put(base, runId, body);
                if (code == 201 || code == 200) {
                    return code;
                }
            } catch (java.io.IOException e) {
                // the replica died under us: try the other
            }
            Thread.sleep(50);
        }
        return -1;
    }

    @Test
    @Timeout(240)
    void twoReplicasStoreEachBundleOnceServeEachOthersAndSurviveALostReplica() throws Exception {
        String url = PostgresIngestTest.freshSchema();
        StationKey[] stations = new StationKey[8];
        for (int i = 0; i < stations.length; i++) {
            stations[i] = StationKey.generate();
        }
        TrustStore trust = TrustStore.of(java.util.Arrays.stream(stations).map(StationKey::publicKey).toArray(java.security.PublicKey[]::new));
        try (S3Fixture s3 = new S3Fixture(dir.resolve("s3"), BUCKET);
             BundleIndex ia = new BundleIndex(url);
             BundleIndex ib = new BundleIndex(url);
             S3BlobStore sa = s3.store(BUCKET, "factory");
             S3BlobStore sb = s3.store(BUCKET, "factory");
             AcceptanceServer b = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), ib, sb, trust, ServiceOptions.plain())) {
            AcceptanceServer a = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), ia, sa, trust, ServiceOptions.plain());
            List<String> replicas = List.of("http://127.0.0.1:" + a.port(), "http://127.0.0.1:" + b.port());
            Map<String, byte[]> sent = new ConcurrentHashMap<>();
            Map<String, Integer> storedBy = new ConcurrentHashMap<>();
            SplittableRandom rnd = new SplittableRandom(42);
            List<Object[]> work = new ArrayList<>();
            for (int s = 0; s < stations.length; s++) {
                for (int k = 0; k < 30; k++) {
                    String run = TestBundles.newRunId();
                    byte[] bytes = TestBundles.bundle(run, "SN-" + s + "-" + k, "PASS", stations[s]);
                    sent.put(run, bytes);
                    work.add(new Object[] {run, bytes, rnd.nextInt(2), rnd.nextInt(5) == 0});
                }
            }
            AtomicInteger done = new AtomicInteger();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                List<Future<?>> fs = new ArrayList<>();
                for (Object[] w : work) {
                    fs.add(pool.submit(() -> {
                        String run = (String) w[0];
                        int first = (int) w[2];
                        int code = deliver(replicas, first, run, (byte[]) w[1]);
                        assertTrue(code == 201 || code == 200, run + " delivered: " + code);
                        storedBy.put(run, first);
                        if ((boolean) w[3]) { // delivered twice, to the other replica too: a retry after a lost answer
                            int again = deliver(replicas, 1 - first, run, (byte[]) w[1]);
                            assertTrue(again == 200 || again == 201, run + " again: " + again);
                        }
                        if (done.incrementAndGet() == work.size() / 2) {
                            a.close(); // replica a dies mid-ingest; stations carry on against b
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get(180, TimeUnit.SECONDS);
                }
            } finally {
                a.close();
            }
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SELECT count(*), count(DISTINCT sha256) FROM bundles")) {
                r.next();
                assertEquals(sent.size(), r.getInt(1), "every bundle indexed exactly once");
                assertEquals(sent.size(), r.getInt(2));
            }
            assertEquals(sent.size(), s3.objects(BUCKET), "every bundle's bytes stored exactly once");
            // the surviving replica serves every bundle, those the dead one stored included
            for (Map.Entry<String, byte[]> e : sent.entrySet()) {
                HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(replicas.get(1) + "/v1/bundles/" + e.getKey() + "/bundle"))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, got.statusCode(), e.getKey());
                assertArrayEquals(e.getValue(), got.body(), e.getKey());
            }
        }
    }
}
