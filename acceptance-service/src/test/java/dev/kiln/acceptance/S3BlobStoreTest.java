package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The S3 API blob store against a real S3 API server (S3Proxy). */
class S3BlobStoreTest {
    @TempDir
    Path dir;

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    @Timeout(60)
    void storesReadsBackAndRefusesBytesThatDoNotMatchTheirName() throws Exception {
        try (S3Fixture s3 = new S3Fixture(dir, "kiln-bundles"); S3BlobStore store = s3.store("kiln-bundles", "line3")) {
            store.check();
            byte[] a = "a sealed bundle".getBytes(StandardCharsets.UTF_8);
            String ha = sha(a);
            assertTrue(store.get(ha).isEmpty());
            store.put(ha, a);
            store.put(ha, a); // content-addressed: a second writer of the same bytes changes nothing
            assertArrayEquals(a, store.get(ha).orElseThrow());
            assertEquals(1, s3.objects("kiln-bundles"));
            // a store that lies: other bytes under a digest's name are never served
            byte[] b = "other bytes".getBytes(StandardCharsets.UTF_8);
            String hb = sha(b);
            s3.context.getBlobStore().putBlob("kiln-bundles", s3.context.getBlobStore().blobBuilder("line3/" + hb.substring(0, 2) + "/" + hb
                    + ".kiln.zip").payload(a).build());
            IOException e = assertThrows(IOException.class, () -> store.get(hb));
            assertTrue(e.getMessage().contains("the store is damaged or lies"), e.getMessage());
            // for streaming a download: a checked temporary copy, and none left behind by a lie or a miss
            java.nio.file.Path scratch = dir.resolve("scratch");
            BlobStore.Stored f = store.file(ha, scratch).orElseThrow();
            assertTrue(f.temporary());
            assertArrayEquals(a, java.nio.file.Files.readAllBytes(f.path()));
            java.nio.file.Files.delete(f.path());
            IOException lie = assertThrows(IOException.class, () -> store.file(hb, scratch));
            assertTrue(lie.getMessage().contains("the store is damaged or lies"), lie.getMessage());
            assertTrue(store.file("0".repeat(64), scratch).isEmpty());
            try (var left = java.nio.file.Files.list(scratch)) {
                assertEquals(0, left.count(), "no temporary copy left behind");
            }
            // a refused conflict's blob is deleted; deleting what is not there is nothing
            store.delete(hb);
            assertTrue(store.get(hb).isEmpty());
            assertEquals(1, s3.objects("kiln-bundles"));
            store.delete(hb);
            assertArrayEquals(a, store.get(ha).orElseThrow());
        }
    }

    /**
     * A PUT sends its body as it is: no signed aws-chunked frames (a pass of HMACs at both ends and a
     * decoding in the store) for a bundle of a few kilobytes; the payload still signed by its SHA-256.
     */
    @Test
    @Timeout(60)
    void putsSendTheBodyAsItIsSignedByItsDigest() throws Exception {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer fake = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", ex -> {
            seen.add(ex.getRequestMethod() + " bytes=" + ex.getRequestBody().readAllBytes().length
                    + " signed=" + ex.getRequestHeaders().getFirst("x-amz-content-sha256"));
            ex.getResponseHeaders().set("ETag", "\"0\"");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        fake.start();
        byte[] a = new byte[5000];
        try (S3BlobStore store = new S3BlobStore(java.net.URI.create("http://127.0.0.1:" + fake.getAddress().getPort()), "us-east-1", "b", "",
                S3Fixture.ACCESS, S3Fixture.SECRET)) {
            store.put(sha(a), a);
        } finally {
            fake.stop(0);
        }
        // the bytes as they are (no aws-chunked frames), signed by their SHA-256
        assertEquals(java.util.List.of("PUT bytes=5000 signed=" + sha(a)), seen);
    }

    @Test
    @Timeout(60)
    void aStoreThatCannotBeReachedSaysSo() throws Exception {
        try (S3Fixture s3 = new S3Fixture(dir, "kiln-bundles");
             S3BlobStore wrong = new S3BlobStore(s3.endpoint, "us-east-1", "kiln-bundles", "", S3Fixture.ACCESS, "not-the-secret")) {
            IOException e = assertThrows(IOException.class, wrong::check);
            assertTrue(e.getMessage().startsWith("cannot reach s3://kiln-bundles/"), e.getMessage());
        }
    }

    /** The flags of an S3 store: what is missing or wrong is one line and 78, before anything listens. */
    @Test
    @Timeout(60)
    void badS3FlagsAreRefusedAtStart() throws Exception {
        java.nio.file.Path trust = java.nio.file.Files.writeString(dir.resolve("k.pub"),
                dev.kiln.bundle.Pem.encodePublic(dev.kiln.bundle.StationKey.generate().publicKey()));
        try (S3Fixture s3 = new S3Fixture(dir.resolve("s3"), "kiln-bundles")) {
            java.nio.file.Path wrongCreds = java.nio.file.Files.writeString(dir.resolve("creds"), "access_key_id=" + S3Fixture.ACCESS
                    + "\nsecret_access_key=wrong\n");
            String[][] cases = {
                    {"--blob-store", "s3://kiln-bundles", "needs --s3-endpoint"},
                    {"--blob-store", "s3:/nope", "expected dir or s3://BUCKET[/PREFIX]"},
                    {"--blob-store", "s3://kiln-bundles/p", "--s3-endpoint", s3.endpoint.toString(), "--s3-credentials", wrongCreds.toString(),
                            "cannot reach s3://kiln-bundles/p/"}};
            for (String[] c : cases) {
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--port", "0", "--data", dir.resolve("d").toString(),
                        "--trust", trust.toString()));
                args.addAll(java.util.Arrays.asList(c).subList(0, c.length - 1));
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                int code = Main.run(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err),
                        args.toArray(String[]::new));
                assertEquals(78, code, String.join(" ", c) + ": " + err);
                assertTrue(err.toString().contains(c[c.length - 1]) && err.toString().strip().lines().count() == 1, err.toString());
            }
        }
    }
}
