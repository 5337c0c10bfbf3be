package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.acceptance.ServiceOptions;
import dev.kiln.bundle.TlsMaterial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** Delivery over https with a client certificate (mTLS) and a bearer token, certificates made by openssl here. */
@Timeout(60)
@EnabledIf("dev.kiln.cli.BundleCommandsTest#toolsPresent")
class TlsDeliveryTest {
    @TempDir
    Path root;

    private void pki(Path dir) throws Exception {
        String script = String.join("\n",
                "set -e",
                "ec='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'",
                "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=kiln-test-ca 2>/dev/null",
                "openssl req $ec -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null",
                "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext",
                "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null",
                "openssl req $ec -keyout client.key -out client.csr -subj /CN=station-1 2>/dev/null",
                "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null",
                "openssl req -x509 $ec -keyout rogue.key -out rogue.pem -days 2 -subj /CN=rogue 2>/dev/null");
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    /** Under TLS every answer carries HSTS, so a browser that once reached the dashboard over https keeps to it. */
    @Test
    void httpsAnswersCarryStrictTransportSecurity() throws Exception {
        Path pki = Files.createDirectories(root.resolve("pki-hsts"));
        pki(pki);
        ServiceOptions tls = ServiceOptions.plain().withTls(
                TlsMaterial.context(null, pki.resolve("server.pem"), pki.resolve("server.key")), false);
        try (ServiceFixture svc = new ServiceFixture(Files.createDirectories(root.resolve("hsts")), tls)) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            try (var in = Files.newInputStream(pki.resolve("ca.pem"))) {
                trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newBuilder().sslContext(ctx).build().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + svc.server.port() + "/healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("max-age=31536000", r.headers().firstValue("Strict-Transport-Security").orElse(""));
        }
    }

    @Test
    void mutualTlsWithATokenDelivers() throws Exception {
        Path pki = Files.createDirectories(root.resolve("pki"));
        pki(pki);
        ServiceOptions tls = ServiceOptions.plain().withToken("t0ken").withTls(
                TlsMaterial.context(pki.resolve("ca.pem"), pki.resolve("server.pem"), pki.resolve("server.key")), true);
        try (ServiceFixture svc = new ServiceFixture(root, tls)) {
            Files.writeString(root.resolve("token"), "t0ken\n");
            String url = "https://127.0.0.1:" + svc.server.port();
            Path good = Files.writeString(root.resolve("good.yaml"), "service:\n  url: " + url + "\n  tokenFile: " + root.resolve("token")
                    + "\n  caFile: " + pki.resolve("ca.pem") + "\n  clientCert: " + pki.resolve("client.pem") + "\n  clientKey: "
                    + pki.resolve("client.key") + "\n");
            Path rogue = Files.writeString(root.resolve("rogue.yaml"), "service:\n  url: " + url + "\n  tokenFile: " + root.resolve("token")
                    + "\n  caFile: " + pki.resolve("ca.pem") + "\n  clientCert: " + pki.resolve("rogue.pem") + "\n  clientKey: "
                    + pki.resolve("rogue.key") + "\n");
            svc.seal(ServiceFixture.runId(), "PASS");

            Cli refused = Cli.run("upload", "--state-dir", svc.state.root().toString(), "--config", rogue.toString(), "--for", "2s");
            // Usually 78 (a certificate problem is configuration); TLS 1.3 can also surface the refusal
            // as a bare connection close, which is retried until --for and left pending (69).
            assertTrue(refused.code() == 78 || refused.code() == 69, refused.toString());
            assertTrue(refused.out().contains("TLS") || refused.code() == 69, refused.out());
            assertEquals(0, svc.index.count(), "nothing stored through a rogue certificate");
            try (Stream<Path> s = Files.list(svc.state.pending())) {
                assertEquals(1, s.count(), "still pending");
            }

            Cli ok = Cli.run("upload", "--state-dir", svc.state.root().toString(), "--config", good.toString());
            assertEquals(0, ok.code(), ok.toString());
            assertEquals(1, svc.index.count());
        }
    }
}
