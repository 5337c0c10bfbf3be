package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control through real sockets: readers read and do not upload; stations upload and do not
 * read, each only what its own keys signed and for its serials; a revoked station uploads nothing
 * more and its stored bundles stay readable; no credential, or an unknown one, is refused before
 * anything is looked up.
 */
class AccessControlTest {
    @TempDir
    Path dir;

    private final StationKey rack12 = StationKey.generate();
    private final StationKey rack13 = StationKey.generate();
    private final StationKey retired = StationKey.generate();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static final String READER = "reader-token-0123456789";
    private static final String RACK12 = "rack12-token-0123456789";
    private static final String RACK13 = "rack13-token-0123456789";
    private static final String RETIRED = "retired-token-012345678";

    private Path accessFile() throws Exception {
        return Files.writeString(dir.resolve("access.yaml"), """
                readers:
                  - name: line-dashboard
                    tokenSha256: %s
                stations:
                  - name: rack12
                    token: %s
                    keys: [%s]
                    serials: "C02[A-Z0-9]{4}"
                  - name: rack13
                    token: %s
                    keys: [%s]
                    serials: any
                  - name: retired
                    token: %s
                    keys: [%s]
                    serials: any
                    revoked: %s
                """.formatted(Access.sha256(READER), RACK12, rack12.keyId(), RACK13, rack13.keyId(), RETIRED, retired.keyId(), "%s"));
    }

    private TrustStore trust() {
        return TrustStore.of(rack12.publicKey(), rack13.publicKey(), retired.publicKey());
    }

    private HttpResponse<String> put(String base, String token, String runId, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + runId)).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", ServiceProcess.digest(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String token, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private AcceptanceServer start(BundleIndex index, boolean retiredRevoked) throws Exception {
        Path f = accessFile();
        Files.writeString(f, Files.readString(f).replace("revoked: %s", "revoked: " + retiredRevoked));
        return new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("blobs")), trust(),
                ServiceOptions.plain().withAccess(Access.load(f, trust())));
    }

    @Test
    @Timeout(60)
    void eachPrincipalDoesWhatItMayAndNothingElse() throws Exception {
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db"))) {
            String retiredRun = TestBundles.newRunId();
            try (AcceptanceServer server = start(index, false)) {
                String base = "http://127.0.0.1:" + server.port();
                assertEquals(201, put(base, RETIRED, retiredRun, TestBundles.bundle(retiredRun, "SN-OLD", "PASS", retired)).statusCode());
            }
            try (AcceptanceServer server = start(index, true)) {
                String base = "http://127.0.0.1:" + server.port();
                assertEquals("ok\nreads: token\n", get(base, null, "/healthz").body());
                // the line's counts are a reader's: /metrics asks for a reader's token when readers are configured
                assertEquals(401, get(base, null, "/metrics").statusCode());
                assertEquals(403, get(base, RACK12, "/metrics").statusCode());
                HttpResponse<String> metrics = get(base, READER, "/metrics");
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.body().contains("kiln_acceptance_ingest_seconds"), metrics.body());

                String run = TestBundles.newRunId();
                byte[] mine = TestBundles.bundle(run, "C02AB12", "PASS", rack12);
                assertEquals(201, put(base, RACK12, run, mine).statusCode(), "a station uploads what its key signed, for its serials");

                HttpResponse<String> readerPut = put(base, READER, TestBundles.newRunId(), mine);
                assertEquals(403, readerPut.statusCode());
                assertTrue(readerPut.body().contains("reader line-dashboard may not upload"), readerPut.body());

                String other = TestBundles.newRunId();
                HttpResponse<String> foreignKey = put(base, RACK13, other, TestBundles.bundle(other, "C02AB13", "PASS", rack12));
                assertEquals(403, foreignKey.statusCode(), "rack13 publishing what rack12's key signed");
                assertTrue(foreignKey.body().contains("which is not station rack13's"), foreignKey.body());

                String serialRun = TestBundles.newRunId();
                HttpResponse<String> serial = put(base, RACK12, serialRun, TestBundles.bundle(serialRun, "XYZ999", "PASS", rack12));
                assertEquals(403, serial.statusCode());
                assertTrue(serial.body().contains("may not publish serial XYZ999"), serial.body());

                String late = TestBundles.newRunId();
                HttpResponse<String> revoked = put(base, RETIRED, late, TestBundles.bundle(late, "SN-NEW", "PASS", retired));
                assertEquals(403, revoked.statusCode());
                assertTrue(revoked.body().contains("station retired is revoked"), revoked.body());

                assertEquals(200, get(base, READER, "/v1/bundles/" + retiredRun).statusCode(), "what a revoked station uploaded stays readable");
                assertEquals(200, get(base, READER, "/v1/units/C02AB12/bundles").statusCode());
                HttpResponse<String> stationRead = get(base, RACK12, "/v1/units/C02AB12/bundles");
                assertEquals(403, stationRead.statusCode(), "stations upload, readers read");
                assertEquals(401, get(base, null, "/v1/units/C02AB12/bundles").statusCode());
                assertEquals(401, get(base, "not-a-known-token-at-all", "/v1/bundles/" + run).statusCode());
                // refused before any lookup: an unknown caller cannot tell a stored run from a missing one
                assertEquals(401, get(base, null, "/v1/bundles/" + TestBundles.newRunId()).statusCode());
                assertEquals(401, put(base, null, run, mine).statusCode());
            }
        }
    }

    @Test
    void openReadsSayThemselves() throws Exception {
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("open.db"));
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("b")),
                     trust(), ServiceOptions.plain())) {
            assertEquals("ok\nreads: open\n", get("http://127.0.0.1:" + server.port(), null, "/healthz").body());
        }
    }

    /** Listening beyond loopback with no access file says so at start; a bad access file is 78 naming the field. */
    @Test
    @Timeout(60)
    void anOpenServiceOnTheNetworkWarnsAndBadAccessFilesAreRefused() throws Exception {
        Path trustFile = Files.writeString(dir.resolve("rack12.pub"), Pem.encodePublic(rack12.publicKey()));
        try (ServiceProcess svc = ServiceProcess.start(List.of(), List.of("--port", "0", "--bind", "0.0.0.0", "--data",
                dir.resolve("data").toString(), "--trust", trustFile.toString()))) {
            assertTrue(svc.said.contains("warning: listening on 0.0.0.0 with no --access: anyone who can reach it may read"), svc.said);
            assertTrue(svc.said.contains("warning: listening on 0.0.0.0 over plain http: tokens, session cookies and results cross the network"),
                    svc.said);
        }
        // a station allowed any serial on purpose is said loudly at start (the revoked one is not: it publishes nothing)
        Path all = Files.createDirectories(dir.resolve("trusted"));
        Files.writeString(all.resolve("rack12.pub"), Pem.encodePublic(rack12.publicKey()));
        Files.writeString(all.resolve("rack13.pub"), Pem.encodePublic(rack13.publicKey()));
        Files.writeString(all.resolve("retired.pub"), Pem.encodePublic(retired.publicKey()));
        Path access = accessFile();
        Files.writeString(access, Files.readString(access).replace("revoked: %s", "revoked: true"));
        try (ServiceProcess svc = ServiceProcess.start(List.of(), List.of("--port", "0", "--data", dir.resolve("data2").toString(),
                "--trust", all.toString(), "--access", access.toString()))) {
            assertTrue(svc.said.contains("warning: station rack13 has serials: any: it may publish any unit's runs"), svc.said);
            assertTrue(!svc.said.contains("station rack12 has") && !svc.said.contains("station retired has"), svc.said);
        }
        String[][] bad = {
                {"readers: [{name: a, token: short}]", "readers[0].token: at least 16 characters"},
                {"stations: [{name: s, token: 0123456789abcdefgh, keys: [deadbeef], serials: any}]", "stations[0].keys[0]: no key deadbeef in --trust"},
                {"stations: [{name: s, token: 0123456789abcdefgh, keys: [" + rack12.keyId() + "]}]",
                        "stations[0].serials: required: a regular expression the whole serial must match, or any"},
                {"stations: [{name: s, token: 0123456789abcdefgh, keys: [" + rack12.keyId() + "], serials: \"C02[\"}]",
                        "stations[0].serials: not a regular expression"},
                {"readers: [{name: a, token: 0123456789abcdefgh}, {name: b, token: 0123456789abcdefgh}]", "the same token as a"},
                {"readers: []\nstations: []", "every request would be refused"},
                {"readerz: []", "unknown field 'readerz'"}};
        for (String[] b : bad) {
            Path f = Files.writeString(dir.resolve("bad.yaml"), b[0]);
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code = Main.run(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err), "--port", "0",
                    "--data", dir.resolve("d").toString(), "--trust", trustFile.toString(), "--access", f.toString());
            assertEquals(78, code, b[0] + ": " + err);
            assertTrue(err.toString().contains(b[1]) && err.toString().strip().lines().count() == 1, b[0] + ": " + err);
        }
    }
}
