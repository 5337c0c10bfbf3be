package dev.kiln.acceptance;

import dev.kiln.bundle.Why;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.function.IntPredicate;

/**
 * Where uploads are received: a body read against its deadline and the service's body budget, held
 * in the heap or spooled to this process's folder, its SHA-256 taken as it arrives; and the folders
 * of this process's uploads and downloads, emptied of what dead processes left.
 */
final class Spool {
    private final java.nio.file.Path dir;
    private final IntPredicate budget;

    /**
     * @param dir    this process's spool folder ({@link #folderOf})
     * @param budget takes that many KiB of the body budget, waiting a moment; false when it stays spent
     */
    Spool(java.nio.file.Path dir, IntPredicate budget) {
        this.dir = dir;
        this.budget = budget;
    }

    java.nio.file.Path dir() {
        return dir;
    }

    /** An upload found the body budget spent for longer than the ingest wait. */
    static final class Busy extends Exception {
        private static final long serialVersionUID = 1L;

        Busy() {
            super(null, null, false, false);
        }
    }

    /**
     * An upload's body: in the heap up to {@link #IN_MEMORY} (almost every bundle: a day of telemetry is
     * a few MB), past that in a file of the spool; its length, its SHA-256 taken as it arrived, and
     * whether the client stopped sending before the deadline (then the rest is not read).
     */
    record Body(java.nio.file.Path file, byte[] bytes, long size, byte[] sha256, boolean timedOut) {
        dev.kiln.bundle.ZipSource source() throws IOException {
            return file != null ? dev.kiln.bundle.ZipSource.of(file) : dev.kiln.bundle.ZipSource.of(bytes);
        }
    }

    /**
     * The most of one body held in the heap (the body budget bounds them all together); a larger one
     * goes to a file. Spooling every body cost 18 % of the ingest rate (a file made, written, copied and
     * removed for each 20 KB bundle), so only a long run's goes to disk.
     */
    static final int IN_MEMORY = 8 << 20;

    /** The spool could not take an upload's bytes (a full disk): the service's fault, answered 503. */
    static final class Full extends Exception {
        private static final long serialVersionUID = 1L;

        Full(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads up to {@code limit} bytes of a body against a deadline, checked between reads: held in the
     * heap up to {@link #IN_MEMORY}, written to a file of the spool from the byte that passes it; a
     * client dripping bytes is cut off ({@code timedOut}). What is kept is taken from the body budget
     * (in KiB, added to {@code heldKiB}, which the caller gives back), so a slow sender holds only what
     * it has sent; {@link Busy} when the budget stays spent for the ingest wait. A client that sends
     * nothing at all blocks the first read; the JDK server's own request-time limit closes that
     * connection. The file is the caller's to delete (also when this throws: then it is deleted here).
     */
    Body receive(InputStream in, long limit, long deadline, int[] heldKiB) throws IOException, Busy, Full {
        java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
        java.nio.file.Path file = null;
        OutputStream out = held;
        boolean done = false;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[16 * 1024]; // scratch per connection; what is kept is counted
            long size = 0;
            boolean timedOut = false;
            while (size < limit) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, limit - size));
                if (n < 0) {
                    break;
                }
                // the budget covers what is kept: take what these bytes add before keeping them
                int need = (int) ((size + n + 1023 >> 10) - heldKiB[0]);
                if (need > 0) {
                    if (!budget.test(need)) {
                        throw new Busy();
                    }
                    heldKiB[0] += need;
                }
                if (file == null && size + n > IN_MEMORY) { // past what is held in the heap: to a file from here on
                    try {
                        file = java.nio.file.Files.createTempFile(dir, "upload", ".kiln.zip");
                        out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file), 64 * 1024);
                        held.writeTo(out);
                    } catch (IOException e) {
                        throw new Full("cannot spool to " + dir + ": " + Why.of(e));
                    }
                    held = null;
                }
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw new Full("writing " + file + " after " + size + " bytes: " + Why.of(e));
                }
                sha.update(buf, 0, n);
                size += n;
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    break;
                }
            }
            if (file != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    throw new Full("writing " + file + ": " + Why.of(e));
                }
            }
            done = true;
            return file == null ? new Body(null, held.toByteArray(), size, sha.digest(), timedOut)
                    : new Body(file, null, size, sha.digest(), timedOut);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (!done && file != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    // already failing
                }
                java.nio.file.Files.deleteIfExists(file);
            }
        }
    }

    /** Where uploads are spooled while they are received and verified: one folder per process under it. */
    static final java.nio.file.Path UPLOADS = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "kiln-acceptance-uploads");

    /** Spool roots this process has emptied of its own leftovers (once: later servers of it share the folder). */
    private static final java.util.Set<java.nio.file.Path> SPOOLS_CLEANED = new java.util.HashSet<>();

    /**
     * This process's spool folder, {@code ROOT/<pid>}, emptied by the first server of this process: what
     * is there then was left by an earlier process of the same id (a container restarted) whose uploads
     * were never answered. Folders of processes no longer running are removed; those of replicas still
     * running on this machine are theirs.
     */
    static synchronized java.nio.file.Path folderOf(java.nio.file.Path root) throws IOException {
        long me = ProcessHandle.current().pid();
        if (!SPOOLS_CLEANED.add(root.toAbsolutePath())) {
            return java.nio.file.Files.createDirectories(root.resolve(Long.toString(me)));
        }
        java.nio.file.Files.createDirectories(root);
        try (var dirs = java.nio.file.Files.list(root)) {
            for (java.nio.file.Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                long pid = name.matches("[0-9]{1,18}") ? Long.parseLong(name) : -1;
                if (pid == me || pid >= 0 && ProcessHandle.of(pid).isEmpty()) {
                    try (var files = java.nio.file.Files.list(d)) {
                        for (java.nio.file.Path f : files.toList()) {
                            java.nio.file.Files.deleteIfExists(f);
                        }
                    }
                    if (pid != me) {
                        java.nio.file.Files.deleteIfExists(d);
                    }
                }
            }
        }
        return java.nio.file.Files.createDirectories(root.resolve(Long.toString(me)));
    }

    /** Where a blob store without files of its own (S3) puts a download while it is checked and sent: one folder per process under it. */
    static final java.nio.file.Path SCRATCH = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "kiln-acceptance-downloads");

    /**
     * This process's download folder under {@link #SCRATCH}, emptied of what dead processes (and an
     * earlier process of this id) left there mid-send, as the upload spool is ({@link #folderOf}).
     */
    static java.nio.file.Path scratch() throws IOException {
        return folderOf(SCRATCH);
    }
}
