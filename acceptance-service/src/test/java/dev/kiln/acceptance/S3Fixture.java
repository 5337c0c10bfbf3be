package dev.kiln.acceptance;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/** A real S3 API server for tests: S3Proxy (from Maven Central) over jclouds' filesystem backend, on a free port. */
final class S3Fixture implements AutoCloseable {
    static final String ACCESS = "kiln-test-access";
    static final String SECRET = "kiln-test-secret-0123456789";
    final S3Proxy proxy;
    final BlobStoreContext context;
    final URI endpoint;

    S3Fixture(Path dir, String bucket) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(p).build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, bucket);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        long until = System.nanoTime() + 20_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    S3BlobStore store(String bucket, String prefix) {
        return new S3BlobStore(endpoint, "us-east-1", bucket, prefix, ACCESS, SECRET);
    }

    /** Objects in the bucket (every blob stored, by anyone). */
    long objects(String bucket) {
        return context.getBlobStore().list(bucket, org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()).stream()
                .filter(m -> m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB).count();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
