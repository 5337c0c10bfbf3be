package dev.kiln.acceptance;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Blobs in an S3-compatible object store, {@code s3://bucket/prefix/ab/abcdef….kiln.zip}, shared by
 * every replica. A PUT to S3 is atomic and durable when it returns (the object is whole or absent),
 * so no temporary name is needed; writing a digest's bytes again changes nothing.
 */
final class S3BlobStore implements BlobStore, AutoCloseable {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String where;

    /**
     * @param endpoint the S3 API endpoint (path-style addressing, as on-premises stores want)
     * @param region   the region to sign for
     */
    S3BlobStore(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey) {
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        this.where = "s3://" + bucket + "/" + this.prefix + " at " + endpoint;
        this.s3 = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(region))
                .forcePathStyle(true)
                // the body sent as it is, signed by its SHA-256 in one header, not in signed aws-chunked frames
                // (which cost both ends a pass of HMACs and the store a decoding, for a few kilobytes)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(java.time.Duration.ofSeconds(10))
                        .socketTimeout(java.time.Duration.ofSeconds(60)))
                // S3-compatible stores differ in the newer checksum headers: send and check them only where the API requires
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    private String key(String sha256) {
        return prefix + sha256.substring(0, 2) + "/" + sha256 + ".kiln.zip";
    }

    @Override
    public String describe() {
        return "blobs in " + where;
    }

    /** Checks that the bucket can be reached with these credentials (at start: 78 otherwise). */
    void check() throws IOException {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (SdkException e) {
            throw new IOException("cannot reach " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String sha256, java.nio.file.Path file) throws IOException {
        // one PUT read from the file as it is sent (S3 takes up to 5 GB in one; a bundle is under 4 GiB)
        try {
            long size = java.nio.file.Files.size(file);
            s3.putObject(b -> b.bucket(bucket).key(key(sha256)).contentLength(size).contentType(dev.kiln.bundle.BundleNames.MEDIA_TYPE),
                    RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw new IOException("cannot store blob " + sha256 + " in " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String sha256, byte[] bytes) throws IOException {
        // No HEAD first: a PUT is atomic, and the bytes under a digest's name are always the same bytes,
        // so writing them again (a retry, two replicas racing) changes nothing and saves a round trip.
        try {
            s3.putObject(b -> b.bucket(bucket).key(key(sha256)).contentLength((long) bytes.length).contentType(dev.kiln.bundle.BundleNames.MEDIA_TYPE),
                    RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw new IOException("cannot store blob " + sha256 + " in " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String sha256) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key(sha256)));
        } catch (SdkException e) {
            throw new IOException("cannot delete blob " + sha256 + " from " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> get(String sha256) throws IOException {
        try {
            byte[] b = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key(sha256))).asByteArray();
            return Optional.of(BlobStore.checked(sha256, b, where));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IOException("cannot read blob " + sha256 + " from " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Stored> file(String sha256, java.nio.file.Path scratch) throws IOException {
        java.nio.file.Path t = java.nio.file.Files.createTempFile(java.nio.file.Files.createDirectories(scratch), sha256 + ".", ".download");
        try {
            java.nio.file.Files.delete(t); // the SDK writes the file itself and refuses one that exists
            s3.getObject(r -> r.bucket(bucket).key(key(sha256)), software.amazon.awssdk.core.sync.ResponseTransformer.toFile(t));
            BlobStore.checkedFile(sha256, t, where);
            return Optional.of(new Stored(t, java.nio.file.Files.size(t), true));
        } catch (NoSuchKeyException e) {
            java.nio.file.Files.deleteIfExists(t);
            return Optional.empty();
        } catch (SdkException e) {
            java.nio.file.Files.deleteIfExists(t);
            throw new IOException("cannot read blob " + sha256 + " from " + where + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            java.nio.file.Files.deleteIfExists(t);
            throw e;
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
