package dev.kiln.core.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Durable writes: temp file, fsync, atomic rename, fsync the directory. A reader never sees a
 * half-written file at the target path, and a power cut after return cannot lose it.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes {@code data} to {@code target} atomically, staging it in {@code tmpDir} (same file
     * system as the target, never the target's own directory, so no reader of that directory ever
     * sees the temp file).
     */
    public static void write(Path target, byte[] data, Path tmpDir) throws IOException {
        write(target, data, tmpDir, () -> { });
    }

    /** As {@link #write(Path, byte[], Path)}, calling {@code beforeRename} once the temp file is durable. */
    public static void write(Path target, byte[] data, Path tmpDir, Runnable beforeRename) throws IOException {
        Files.createDirectories(tmpDir);
        Path tmp = tmpDir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        beforeRename.run();
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }

    /**
     * Makes a directory's entries (a rename, a new file) durable. Linux and macOS allow opening a
     * directory for reading and forcing it; where the platform refuses, there is nothing more to do.
     */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
            // not supported here (e.g. Windows): the rename itself is still atomic
        }
    }

    /** Appends a line and forces it to disk before returning. */
    public static void appendDurably(FileChannel ch, byte[] line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(line);
        while (b.hasRemaining()) {
            ch.write(b);
        }
        ch.force(false);
    }
}
