package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TlsMaterial;
import dev.kiln.bundle.TrustStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With mTLS a token may be bound to the client certificates of its station (or reader): a token copied
 * off a station is refused from another machine, even one holding a certificate of the same CA.
 * Certificates made by openssl here.
 */
class MtlsBindingTest {
    @TempDir
    Path dir;

    private static final String TOKEN = "rack-token-0123456789abcdef";

    private void pki() throws Exception {
        String script = String.join("\n", "set -e", "ec='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'",
                "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=kiln-test-ca 2>/dev/null",
                "openssl req $ec -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null",
                "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext",
                "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null",
                "for c in one two; do openssl req $ec -keyout $c.key -out $c.csr -subj /CN=station-$c 2>/dev/null;"
                        + " openssl x509 -req -in $c.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $c.pem -days 2 2>/dev/null; done");
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    private static boolean openssl() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    @Timeout(60)
    void aTokenBoundToOneCertificateIsRefusedWithAnother() throws Exception {
        assumeTrue(openssl(), "no openssl here");
        pki();
        StationKey key = StationKey.generate();
        byte[] der;
        try (var in = Files.newInputStream(dir.resolve("one.pem"))) {
            der = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
        }
        String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        TrustStore trust = TrustStore.of(key.publicKey());
        Path f = Files.writeString(dir.resolve("access.yaml"), """
                stations:
                  - name: rack12
                    token: %s
                    keys: [%s]
                    serials: any
                    certificateSha256: %s
                """.formatted(TOKEN, key.keyId(), fingerprint));
        ServiceOptions options = ServiceOptions.plain().withTls(TlsMaterial.context(dir.resolve("ca.pem"),
                dir.resolve("server.pem"), dir.resolve("server.key")), true).withAccess(Access.load(f, trust));
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db"));
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("data")),
                     trust, options)) {
            for (String client : new String[] {"two", "one"}) {
                HttpClient http = HttpClient.newBuilder().sslContext(TlsMaterial.context(dir.resolve("ca.pem"), dir.resolve(client + ".pem"),
                        dir.resolve(client + ".key"))).build();
                String run = TestBundles.newRunId();
                byte[] b = TestBundles.bundle(run, "SN-MTLS", "PASS", key);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v1/bundles/" + run))
                        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE)
                        .header("Content-Digest", ServiceProcess.digest(b)).PUT(HttpRequest.BodyPublishers.ofByteArray(b)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (client.equals("two")) {
                    assertEquals(403, r.statusCode(), r.body());
                    assertTrue(r.body().contains("the client certificate presented is not one rack12's token is bound to"), r.body());
                } else {
                    assertEquals(201, r.statusCode(), "the station's own certificate: " + r.body());
                }
            }
            assertEquals(1, index.count());
        }
        // a fingerprint that is not one is refused at start
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "stations: [{name: s, token: " + TOKEN + ", keys: [" + key.keyId()
                + "], serials: any, certificateSha256: nope}]");
        Access.Invalid e = org.junit.jupiter.api.Assertions.assertThrows(Access.Invalid.class, () -> Access.load(bad, trust));
        assertTrue(e.getMessage().contains("stations[0].certificateSha256: 64 hex digits"), e.getMessage());
    }
}
