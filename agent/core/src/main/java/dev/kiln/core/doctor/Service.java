package dev.kiln.core.doctor;

import dev.kiln.bundle.Why;
import dev.kiln.core.upload.ServiceConfig;
import dev.kiln.core.upload.Tls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The configured acceptance service: reachable, and does it accept our credentials? A read of a run that cannot exist; it stores nothing. */
final class Service implements Capability {
    private static final String ID = "service";

    @Override
    public List<Check> check(Doctor.Context ctx) {
        return List.of(ctx.config() == null ? Check.missing(ID, "the configuration does not load: " + ctx.configProblem(), "kiln config check")
                : probe(ctx));
    }

    private static Check probe(Doctor.Context ctx) {
        ServiceConfig svc;
        try {
            svc = ctx.config().service(null);
        } catch (RuntimeException e) {
            return Check.missing(ID, "the service settings are not valid: " + e.getMessage(), "kiln config check");
        }
        if (svc == null) {
            return Check.degraded(ID, "no acceptance service configured: bundles stay in the outbox", "set service.url in the config file");
        }
        try {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER);
            javax.net.ssl.SSLContext tls = Tls.context(svc);
            if (tls != null) {
                b.sslContext(tls);
            }
            URI base = svc.url();
            String root = base.toString().endsWith("/") ? base.toString() : base + "/";
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(root + "v1/bundles/00000000-0000-7000-8000-000000000000"))
                    .timeout(Duration.ofSeconds(10)).GET();
            if (svc.token() != null) {
                r.header("Authorization", "Bearer " + svc.token());
            }
            HttpResponse<String> a = b.build().send(r.build(), HttpResponse.BodyHandlers.ofString());
            return switch (a.statusCode()) {
                // 404: a reader found no such run; 403: a station is known and may not read; either way our credential was accepted
                case 404, 403 -> Check.ok(ID, base + " answers and accepts our credentials (HTTP " + a.statusCode() + ")");
                case 401 -> Check.missing(ID, base + " refuses our credentials (401)", "set service.tokenFile to this station's token");
                default -> Check.degraded(ID, base + " answered " + a.statusCode() + " to a dry request", "check the URL");
            };
        } catch (IOException e) {
            return Check.missing(ID, svc.url() + " cannot be reached: " + Why.of(e), "check the URL, the network and the CA");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.missing(ID, "interrupted", "");
        } catch (RuntimeException e) {
            return Check.missing(ID, "cannot set up the connection: " + Why.of(e), "kiln config check");
        }
    }
}
