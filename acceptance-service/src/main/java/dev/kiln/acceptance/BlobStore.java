package dev.kiln.acceptance;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where bundle bytes live, by their SHA-256: a local directory (one machine), or an S3-compatible
 * object store that several replicas share. Content-addressed, so concurrent writers of one bundle
 * write the same bytes under the same name, and a read whose bytes do not hash to their name is a
 * store that lies (an IOException, never served).
 */
public interface BlobStore {
    /** Stores the bytes durably under their digest (done already: nothing to do). */
    void put(String sha256, byte[] bytes) throws IOException;

    /**
     * Stores a file's bytes durably under their digest, read as they are sent (an upload of gigabytes,
     * spooled to disk, is never held in the heap). The caller has checked the file hashes to the digest.
     */
    void put(String sha256, Path file) throws IOException;

    /** The bytes stored under the digest, checked against it; empty when there are none. */
    Optional<byte[]> get(String sha256) throws IOException;

    /**
     * Removes the bytes under a digest (nothing there: nothing to do). Only for a blob written for an
     * upload that was then refused as a conflict: no row names it, and none can (the run id is inside
     * the signed bytes, and that run is stored with other bytes).
     */
    void delete(String sha256) throws IOException;

    /** One line for the start-up message. */
    String describe();

    /** A stored blob as a file, for streaming it out: {@code temporary} when the caller must delete it after. */
    record Stored(Path path, long size, boolean temporary) {
    }

    /**
     * The bytes under the digest as a file whose contents were checked against it, for sending without
     * holding them: empty when there are none. A download once read the whole bundle into the heap.
     *
     * @param scratch a directory for a temporary copy, where the store keeps no file of its own
     */
    Optional<Stored> file(String sha256, Path scratch) throws IOException;

    /** Fails unless the file's contents hash to {@code sha256}, reading it a buffer at a time. */
    static void checkedFile(String sha256, Path file, String where) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            String got = java.util.HexFormat.of().formatHex(md.digest());
            if (!got.equals(sha256)) {
                throw new IOException(where + " holds bytes whose SHA-256 is " + got + " for blob " + sha256 + ": the store is damaged or lies");
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code DIR/blobs/ab/abcdef….kiln.zip}, each written durably. */
    static BlobStore directory(Path data) throws IOException {
        return new DirectoryBlobStore(data);
    }

    /** Fails unless {@code bytes} hash to {@code sha256}. */
    static byte[] checked(String sha256, byte[] bytes, String where) throws IOException {
        try {
            String got = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
            if (!got.equals(sha256)) {
                throw new IOException(where + " returned bytes whose SHA-256 is " + got + " for blob " + sha256 + ": the store is damaged or lies");
            }
            return bytes;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
