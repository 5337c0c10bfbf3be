package dev.kiln.core.outbox;

import dev.kiln.core.state.StateDir;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One delivery of a bundle at a time, across processes: an OS file lock on
 * {@code outbox/locks/<bundle>.lock}. A run's own delivery, {@code kiln upload} and
 * {@code kiln upload --watch} may all work on one outbox; whoever holds a bundle's lock delivers it,
 * and the others pass it by. The lock goes with its process, however it ends. After taking it the
 * holder checks the bundle is still pending (another process may have delivered it and removed the
 * lock file in between).
 */
public final class BundleLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private BundleLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock for {@code bundle}, or null when another process (or thread) holds it. */
    public static BundleLock tryAcquire(StateDir state, Path bundle) throws IOException {
        Path dir = state.root().resolve("outbox/locks");
        Files.createDirectories(dir);
        Path file = dir.resolve(bundle.getFileName() + ".lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            l = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            ch.close();
            return null;
        }
        return new BundleLock(file, ch, l);
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file); // while still held: a waiter that opened it re-checks the bundle
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway; a left-over lock file is harmless
        }
    }
}
