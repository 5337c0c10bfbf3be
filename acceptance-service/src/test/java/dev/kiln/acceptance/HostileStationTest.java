package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a station holding its own token and key can send to hurt the service, through sockets against
 * the real service process (issue 30).
 */
class HostileStationTest {
    @TempDir
    Path dir;

    /** A signed bundle whose attestation lists {@code extra} zero signatures after the real one, all naming the station's own key. */
    static byte[] flooded(byte[] zip, int extra, String keyId) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String zero = Base64.getEncoder().encodeToString(new byte[64]);
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip)); ZipOutputStream z = new ZipOutputStream(out)) {
            z.setLevel(9);
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] data = in.readAllBytes();
                if (e.getName().equals(BundleNames.ATTESTATION)) {
                    StringBuilder more = new StringBuilder();
                    for (int i = 0; i < extra; i++) {
                        more.append(",\n    {\"keyid\": \"").append(keyId).append("\", \"sig\": \"").append(zero).append("\"}");
                    }
                    String env = new String(data, StandardCharsets.UTF_8);
                    int end = env.lastIndexOf("\n  ]");
                    data = (env.substring(0, end) + more + env.substring(end)).getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(data);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /**
     * 20,000 zero signatures naming the station's own trusted key, in a zip of tens of kilobytes: each was
     * an Ed25519 verification over a fresh copy of the payload (about 1.5 ms each here: half a minute of
     * CPU a request, eight requests holding every ingest slot). Refused (422) with the reason, and an
     * honest bundle from the same station is stored right after.
     */
    @Test
    @Timeout(120)
    void aFloodOfSignaturesIsRefusedWithItsReason() throws Exception {
        StationKey key = StationKey.generate();
        Path trust = Files.writeString(dir.resolve("station.pub"), Pem.encodePublic(key.publicKey()));
        try (ServiceProcess svc = ServiceProcess.start(List.of(), List.of("--port", "0", "--data", dir.resolve("data").toString(),
                "--trust", trust.toString()))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String run = TestBundles.newRunId();
            byte[] flood = flooded(TestBundles.bundle(run, "SN-FLOOD", "PASS", key), 20_000, key.keyId());
            assertTrue(flood.length < 200_000, "a small upload: " + flood.length);
            HttpResponse<String> r = ServiceProcess.put(http, svc.base, run, flood);
            assertEquals(422, r.statusCode(), r.body());
            assertTrue(r.body().contains("the attestation carries 20001 signatures; at most 4 are read"), r.body());
            String ok = TestBundles.newRunId();
            assertEquals(201, ServiceProcess.put(http, svc.base, ok, TestBundles.bundle(ok, "SN-FLOOD", "PASS", key)).statusCode());
        }
    }
}
