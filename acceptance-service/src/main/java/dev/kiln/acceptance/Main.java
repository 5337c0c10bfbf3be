package dev.kiln.acceptance;

import dev.kiln.bundle.TlsMaterial;
import dev.kiln.bundle.TrustStore;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln-acceptance}: runs the reference acceptance service until stopped. */
@Command(name = "kiln-acceptance", mixinStandardHelpOptions = true, version = "kiln-acceptance 0.1.0",
        description = "Reference acceptance service: verifies Kiln bundles against trusted station keys and stores each once.")
public final class Main extends StoreOptions implements Callable<Integer> {
    @Option(names = "--port", required = true, description = "TCP port (0: any free port, printed at start).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String bind;


    @Option(names = "--trust", required = true, description = "Trusted station public keys: a .pub file or a directory of them.")
    Path trust;


    @Option(names = "--max-bundle-bytes", defaultValue = "4293918720", description = "Larger bodies get 413. Default: ${DEFAULT-VALUE} "
            + "(the largest bundle an agent seals: a month of telemetry), spooled to disk as it arrives, never held in the heap.")
    long maxBundleBytes;

    @Option(names = "--max-connections", defaultValue = "1000", description = "Open connections at most. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-request-time", defaultValue = "120s", description = "A request, headers and body, must arrive within this "
            + "(e.g. 90s, 2m); slower clients are cut off. Default: ${DEFAULT-VALUE}.")
    String maxRequestTime;

    @Option(names = "--idle-timeout", defaultValue = "30s", description = "Idle keep-alive connections are closed after this. Default: ${DEFAULT-VALUE}.")
    String idleTimeout;

    @Option(names = "--max-ingests", defaultValue = "8", description = "Uploads verified and stored at once; bodies being received hold "
            + "at most this x --max-bundle-bytes of spool (java.io.tmpdir/kiln-acceptance-uploads), counted as bytes arrive; others wait --ingest-wait, then get 503 with Retry-After. "
            + "Default: ${DEFAULT-VALUE}.")
    int maxIngests;

    @Option(names = "--ingest-wait", defaultValue = "2s", description = "How long an upload waits for a free ingest. Default: ${DEFAULT-VALUE}.")
    String ingestWait;

    @Option(names = "--access", description = "Who may do what: readers (read) and stations (upload; their keys, serials, "
            + "revocation), a YAML file (docs/upload-protocol.md). Without it and without --token-file, anyone may.")
    Path accessFile;

    @Option(names = "--behind-tls-proxy", description = "Plain http behind a proxy that terminates TLS: dashboard session cookies are "
            + "still marked Secure, so a browser never sends them over plain http.")
    boolean behindTlsProxy;

    @Option(names = "--session-key-file", description = "At least 32 random bytes that sign dashboard sessions: replicas behind one "
            + "balancer share it. Without it each process makes its own (sessions then hold on one replica only).")
    Path sessionKeyFile;

    @Option(names = "--token-file", description = "File holding the bearer token clients must present.")
    Path tokenFile;

    @Option(names = "--tls-cert", description = "PEM certificate chain: serve https.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM PKCS#8 key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--client-ca", description = "PEM CA certificates: require client certificates signed by them (mTLS).")
    Path clientCa;

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    private ServiceLimits limits;
    private BlobStore blobs;

    private Access access;
    private byte[] sessionKey;

    /** "90s", "2m", "500ms", "1h": a duration, or an IllegalArgumentException naming the flag. */
    static java.time.Duration duration(String flag, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + ": '" + text + "' is not a duration (e.g. 500ms, 90s, 2m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            default -> java.time.Duration.ofHours(n);
        };
    }

    /** The server, or null (with the reason said) when the address cannot be listened on. */
    private ServiceOptions behind(ServiceOptions o) {
        return behindTlsProxy ? o.withBehindTlsProxy() : o;
    }

    private AcceptanceServer listen(BundleIndex index, TrustStore keys, String token, javax.net.ssl.SSLContext tls) throws Exception {
        try {
            return new AcceptanceServer(new InetSocketAddress(bind, port), index, blobs, keys,
                    behind(ServiceOptions.plain().withMaxBundleBytes(maxBundleBytes).withToken(token).withTls(tls, clientCa != null)
                            .withLimits(limits).withAccess(access).withSessionKey(sessionKey)));
        } catch (java.net.BindException e) {
            err.println("kiln-acceptance: cannot listen on " + bind + ":" + port + ": " + dev.kiln.bundle.Why.of(e));
            return null;
        }
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command; every error is one line on stderr and an exit code (64 usage, 78 configuration, 70 internal). */
    static int run(PrintStream out, PrintStream err, String... args) {
        boolean reindex = args.length > 0 && args[0].equals("reindex");
        CommandLine cmd = new CommandLine(reindex ? new Reindex(out, err) : new Main(out, err));
        if (reindex) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("kiln-acceptance: " + ex.getMessage().replace('\n', ' ').strip());
            return 64;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("kiln-acceptance: " + dev.kiln.bundle.Why.of(ex));
            return ex instanceof java.sql.SQLException ? 78 : 70;
        });
        return cmd.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        TrustStore keys;
        String token = null;
        javax.net.ssl.SSLContext tls = null;
        if (port < 0 || port > 65535) {
            err.println("kiln-acceptance: --port " + port + ": not a TCP port (0-65535)");
            return 64;
        }
        if (maxBundleBytes <= 0) {
            err.println("kiln-acceptance: --max-bundle-bytes must be more than 0 (stations would quarantine every bundle)");
            return 64;
        }
        try {
            limits = new ServiceLimits(maxConnections, duration("--max-request-time", maxRequestTime),
                    duration("--idle-timeout", idleTimeout), maxIngests, duration("--ingest-wait", ingestWait));
        } catch (IllegalArgumentException e) {
            err.println("kiln-acceptance: " + e.getMessage());
            return 64;
        }
        if (limits.check() != null) {
            err.println("kiln-acceptance: " + limits.check());
            return 64;
        }
        if (Files.exists(data) && !Files.isDirectory(data)) {
            err.println("kiln-acceptance: --data " + data + " is not a directory");
            return 78;
        }
        try {
            keys = TrustStore.load(trust);
            if (tokenFile != null) {
                token = Files.readString(tokenFile).strip();
                if (token.isEmpty()) {
                    throw new IllegalArgumentException("--token-file " + tokenFile + " is empty: every client would be refused");
                }
            }
            if (accessFile != null) {
                if (tokenFile != null) {
                    err.println("kiln-acceptance: --access and --token-file: give one (the access file names each reader's and station's token)");
                    return 64;
                }
                access = Access.load(accessFile, keys);
                for (String name : access.stationsWithAnySerial()) {
                    err.println("kiln-acceptance: warning: station " + name + " has serials: any: it may publish any unit's runs and become "
                            + "that unit's latest run");
                }
                err.flush();
            }
            if (sessionKeyFile != null) {
                sessionKey = Files.readAllBytes(sessionKeyFile);
                if (sessionKey.length < 32) {
                    throw new IllegalArgumentException("--session-key-file " + sessionKeyFile + " holds " + sessionKey.length
                            + " bytes: at least 32 random bytes are needed (head -c 32 /dev/urandom > FILE)");
                }
            }
            if (tlsCert != null || tlsKey != null) {
                tls = TlsMaterial.context(clientCa, tlsCert, tlsKey);
            } else if (clientCa != null) {
                throw new IllegalArgumentException("--client-ca needs --tls-cert and --tls-key");
            }
        } catch (IllegalArgumentException | java.io.IOException | Access.Invalid e) {
            err.println("kiln-acceptance: " + e.getMessage());
            return 78;
        }
        if (tls == null && !new InetSocketAddress(bind, 0).getAddress().isLoopbackAddress()) {
            err.println("kiln-acceptance: warning: listening on " + bind + " over plain http: tokens, session cookies and results cross the "
                    + "network unencrypted (--tls-cert and --tls-key serve https)");
            err.flush();
        }
        if (accessFile == null && tokenFile == null && !new InetSocketAddress(bind, 0).getAddress().isLoopbackAddress()) {
            err.println("kiln-acceptance: warning: listening on " + bind + " with no --access: anyone who can reach it may read every unit's "
                    + "results and upload (uploads are still verified against --trust); /healthz says 'reads: open'");
            err.flush();
        }
        try {
            Files.createDirectories(data);
        } catch (java.io.IOException e) {
            err.println("kiln-acceptance: cannot create --data " + data + ": " + dev.kiln.bundle.Why.of(e));
            return 73;
        }
        try {
            blobs = blobStore();
        } catch (IllegalArgumentException | java.io.IOException e) {
            err.println("kiln-acceptance: " + e.getMessage());
            return 78;
        }
        String url = indexUrl();
        try (BundleIndex index = new BundleIndex(url);
             AcceptanceServer server = listen(index, keys, token, tls)) {
            if (server == null) {
                return 64;
            }
            out.println("kiln-acceptance listening on " + (tls != null ? "https" : "http") + "://" + bind + ":" + server.port()
                    + " (index " + (db != null ? db.replaceAll("password=[^&]*", "password=***") : url) + ", " + keys.keyIds().size()
                    + " trusted key(s), " + blobs.describe() + ")");
            out.printf("limits: %d connections, requests within %ds, idle connections closed after %ds, %d uploads verified at once "
                    + "(their spool at most %d MiB in %s), the next waiting %dms%n", limits.maxConnections(), limits.requestTime().toSeconds(),
                    limits.idle().toSeconds(), limits.maxIngests(), limits.maxIngests() * maxBundleBytes >> 20, Spool.UPLOADS,
                    limits.ingestWait().toMillis());
            // a request (body included) must arrive within --max-request-time: say the rate that asks of the largest bundle
            double mbps = maxBundleBytes / 1e6 / Math.max(1, limits.requestTime().toSeconds());
            out.printf("uploads: a bundle of %d MiB must arrive within %ds, at %.0f MB/s or faster; raise --max-request-time for slower "
                    + "links%n", maxBundleBytes >> 20, limits.requestTime().toSeconds(), mbps);
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
