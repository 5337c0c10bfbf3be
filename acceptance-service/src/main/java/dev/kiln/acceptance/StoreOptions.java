package dev.kiln.acceptance;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the service keeps its index and blobs: the options the service and {@code reindex} share. */
abstract class StoreOptions {
    @Option(names = "--data", required = true, description = "Directory for bundle blobs (and the SQLite index by default).")
    Path data;

    @Option(names = "--db", description = "JDBC URL of the index (default: SQLite in the data directory; e.g. jdbc:postgresql://host/db?user=u&password=p).")
    String db;

    @Option(names = "--blob-store", description = "Where bundle bytes live: the --data directory (default), or s3://BUCKET[/PREFIX] "
            + "in an S3-compatible store shared by every replica (with --s3-endpoint).")
    String blobStore;

    @Option(names = "--s3-endpoint", description = "The S3 API endpoint, e.g. https://s3.factory.example:9000 (path-style addressing).")
    URI s3Endpoint;

    @Option(names = "--s3-region", defaultValue = "us-east-1", description = "The region requests are signed for. Default: ${DEFAULT-VALUE}.")
    String s3Region;

    @Option(names = "--s3-credentials", description = "A file with access_key_id=… and secret_access_key=… lines; without it, the "
            + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables.")
    Path s3Credentials;

    /** The blob store the flags name; IllegalArgumentException (78) when they do not add up or it cannot be reached. */
    BlobStore blobStore() throws java.io.IOException {
        if (blobStore == null || blobStore.equals("dir")) {
            if (s3Endpoint != null) {
                throw new IllegalArgumentException("--s3-endpoint without --blob-store s3://BUCKET");
            }
            return BlobStore.directory(data);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?").matcher(blobStore);
        if (!m.matches()) {
            throw new IllegalArgumentException("--blob-store " + blobStore + ": expected dir or s3://BUCKET[/PREFIX]");
        }
        if (s3Endpoint == null) {
            throw new IllegalArgumentException("--blob-store " + blobStore + " needs --s3-endpoint");
        }
        String id = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        if (s3Credentials != null) {
            java.util.Properties p = new java.util.Properties();
            try (java.io.Reader r = Files.newBufferedReader(s3Credentials)) {
                p.load(r);
            }
            id = p.getProperty("access_key_id");
            secret = p.getProperty("secret_access_key");
        }
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("no S3 credentials: give --s3-credentials FILE (access_key_id=, secret_access_key=) or set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        S3BlobStore s3 = new S3BlobStore(s3Endpoint, s3Region, m.group(1), m.group(2) == null ? "" : m.group(2), id.strip(), secret.strip());
        s3.check();
        return s3;
    }

    /** The index's JDBC URL: --db, or SQLite in the data directory. */
    String indexUrl() {
        return db != null ? db : "jdbc:sqlite:" + data.toAbsolutePath().resolve("index.db");
    }
}
