package dev.kiln.acceptance;

import dev.kiln.bundle.TlsMaterial;
import dev.kiln.bundle.TrustStore;
import java.io.PrintStream;
import java.net.InetSocketAddress;
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
public final class Main implements Callable<Integer> {
    @Option(names = "--port", required = true, description = "TCP port (0: any free port, printed at start).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--data", required = true, description = "Directory for bundle blobs (and the SQLite index by default).")
    Path data;

    @Option(names = "--trust", required = true, description = "Trusted station public keys: a .pub file or a directory of them.")
    Path trust;

    @Option(names = "--db", description = "JDBC URL of the index (default: SQLite in the data directory; e.g. jdbc:postgresql://host/db?user=u&password=p).")
    String db;

    @Option(names = "--max-bundle-bytes", defaultValue = "67108864", description = "Larger bodies get 413. Default: ${DEFAULT-VALUE}.")
    long maxBundleBytes;

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

    /** The server, or null (with the reason said) when the address cannot be listened on. */
    private AcceptanceServer listen(BundleIndex index, TrustStore keys, String token, javax.net.ssl.SSLContext tls) throws Exception {
        try {
            return new AcceptanceServer(new InetSocketAddress(bind, port), index, new BlobStore(data), keys,
                    new AcceptanceServer.Options(maxBundleBytes, token, tls, clientCa != null));
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
        CommandLine cmd = new CommandLine(new Main(out, err));
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
            if (tlsCert != null || tlsKey != null) {
                tls = TlsMaterial.context(clientCa, tlsCert, tlsKey);
            } else if (clientCa != null) {
                throw new IllegalArgumentException("--client-ca needs --tls-cert and --tls-key");
            }
        } catch (IllegalArgumentException | java.io.IOException e) {
            err.println("kiln-acceptance: " + e.getMessage());
            return 78;
        }
        try {
            Files.createDirectories(data);
        } catch (java.io.IOException e) {
            err.println("kiln-acceptance: cannot create --data " + data + ": " + dev.kiln.bundle.Why.of(e));
            return 73;
        }
        String url = db != null ? db : "jdbc:sqlite:" + data.toAbsolutePath().resolve("index.db");
        try (BundleIndex index = new BundleIndex(url);
             AcceptanceServer server = listen(index, keys, token, tls)) {
            if (server == null) {
                return 64;
            }
            out.println("kiln-acceptance listening on " + (tls != null ? "https" : "http") + "://" + bind + ":" + server.port()
                    + " (index " + (db != null ? db.replaceAll("password=[^&]*", "password=***") : url) + ", " + keys.keyIds().size()
                    + " trusted key(s))");
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
