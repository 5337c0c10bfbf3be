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
 * lock file in between, which it does only once the bundle has left pending/).
 */
public final class BundleLock implements AutoCloseable {
    private final Path file;
    private final Path bundle;
    private final FileChannel channel;
    private final FileLock lock;

    private BundleLock(Path file, Path bundle, FileChannel channel, FileLock lock) {
        this.file = file;
        this.bundle = bundle;
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
        return new BundleLock(file, bundle, ch, l);
    }

    @Override
    public void close() {
        try {
            // Removed only once the bundle has left pending/. While it is pending the file must stay: a
            // process that opened it just before a removal would lock the old, unlinked file while a
            // third locks a new one, and both would deliver. Once it has left, such a process finds
            // it gone when it re-checks, and a lock file for it is never needed again.
            if (!Files.exists(bundle)) {
                Files.deleteIfExists(file);
            }
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway; a left-over lock file is harmless
        }
    }
}
