package dev.kiln.acceptance;

import javax.net.ssl.SSLContext;

/**
 * How the service runs: start from {@link #plain()} and say what differs.
 *
 * @param maxBundleBytes bodies larger than this are refused with 413
 * @param token          bearer token clients must present, or null for none
 * @param tls            TLS context (https), or null for plain http
 * @param needClientCert require a client certificate (mTLS)
 * @param limits         what one client may hold of the service
 * @param access         who may do what (the access file), or null: the token's rule, or anyone
 * @param sessionKey     the key that signs dashboard sessions, or null: a random one
 * @param behindTlsProxy plain http behind a proxy that terminates TLS: session cookies are still {@code Secure}
 */
public record ServiceOptions(long maxBundleBytes, String token, SSLContext tls, boolean needClientCert, ServiceLimits limits, Access access,
                             byte[] sessionKey, boolean behindTlsProxy) {

    /** Plain http, no token, 64 MiB bundles, the default limits, anyone may upload and read. */
    public static ServiceOptions plain() {
        return new ServiceOptions(64L << 20, null, null, false, ServiceLimits.DEFAULTS, null, null, false);
    }

    public ServiceOptions withMaxBundleBytes(long n) {
        return new ServiceOptions(n, token, tls, needClientCert, limits, access, sessionKey, behindTlsProxy);
    }

    /** One bearer token for every client (null: none). */
    public ServiceOptions withToken(String t) {
        return new ServiceOptions(maxBundleBytes, t, tls, needClientCert, limits, access, sessionKey, behindTlsProxy);
    }

    /** HTTPS with this context; {@code clientCert}: every client must present a certificate (mTLS). */
    public ServiceOptions withTls(SSLContext context, boolean clientCert) {
        return new ServiceOptions(maxBundleBytes, token, context, clientCert, limits, access, sessionKey, behindTlsProxy);
    }

    public ServiceOptions withLimits(ServiceLimits l) {
        return new ServiceOptions(maxBundleBytes, token, tls, needClientCert, l, access, sessionKey, behindTlsProxy);
    }

    public ServiceOptions withAccess(Access a) {
        return new ServiceOptions(maxBundleBytes, token, tls, needClientCert, limits, a, sessionKey, behindTlsProxy);
    }

    /** The key that signs dashboard sessions: replicas behind one balancer share it (--session-key-file); null: a random one. */
    public ServiceOptions withSessionKey(byte[] key) {
        return new ServiceOptions(maxBundleBytes, token, tls, needClientCert, limits, access, key, behindTlsProxy);
    }

    /** Plain http behind a proxy that terminates TLS (--behind-tls-proxy): session cookies stay {@code Secure}. */
    public ServiceOptions withBehindTlsProxy() {
        return new ServiceOptions(maxBundleBytes, token, tls, needClientCert, limits, access, sessionKey, true);
    }

    /** Who may do what: the access file's rules, one shared token, or anyone. */
    Access rules() {
        return access != null ? access : token != null ? Access.shared(token) : Access.open();
    }
}
