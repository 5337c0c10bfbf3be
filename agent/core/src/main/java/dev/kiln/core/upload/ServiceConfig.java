package dev.kiln.core.upload;

import dev.kiln.core.KilnException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where and how to deliver bundles.
 *
 * @param url            the acceptance service's base URL (http or https)
 * @param token          bearer token, or null
 * @param caFile         PEM certificates to trust for https instead of the JDK's, or null
 * @param clientCert     PEM client certificate chain for mTLS, or null
 * @param clientKey      PEM PKCS#8 private key of the client certificate, or null
 * @param timeout        one request's limit; past it the attempt is ambiguous and is checked with GET
 * @param retryBaseDelay first backoff step
 * @param retryMaxDelay  largest backoff step
 */
public record ServiceConfig(URI url, String token, Path caFile, Path clientCert, Path clientKey, Duration timeout,
                           Duration retryBaseDelay, Duration retryMaxDelay) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_BASE = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(60);

    /** Parses and checks a service URL; a bad one is a configuration error. */
    public static URI parseUrl(String text) {
        URI u;
        try {
            u = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw KilnException.config("service URL '" + text + "' is malformed: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw KilnException.config("service URL '" + text + "' must start with http:// or https://");
        }
        if (u.getHost() == null || u.getHost().isBlank()) {
            throw KilnException.config("service URL '" + text + "' has no host");
        }
        if (u.getQuery() != null || u.getFragment() != null) {
            throw KilnException.config("service URL '" + text + "' must not have a query or fragment");
        }
        String path = u.getPath() == null ? "" : u.getPath();
        return URI.create(scheme + "://" + u.getRawAuthority() + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
    }

    public ServiceConfig withTimeouts(Duration t, Duration base, Duration max) {
        return new ServiceConfig(url, token, caFile, clientCert, clientKey, t, base, max);
    }

    public URI bundle(String runId) {
        return URI.create(url + "/v1/bundles/" + runId);
    }
}
