package dev.kiln.core.state;

import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One run per state directory: an OS file lock on {@code <state>/run.lock}, held from before the
 * first write of {@code runs/} (recovery included) until the process ends. The kernel drops it
 * when the process dies, however it dies, so there is no pid file to go stale; the pid and start
 * time written into the file are only there to name the holder in the refusal. Runs and
 * {@code kiln upload} share the outbox through per-bundle locks instead ({@code BundleLock}), so a
 * rack's {@code upload --watch} never keeps a run from starting.
 */
public final class StateLock implements AutoCloseable {
    public static final String FILE = "run.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or refuses at once.
     *
     * @throws KilnException 73 naming the holder when another process (or another run in this one)
     *                       holds it, or when the lock file cannot be written
     */
    public static StateLock acquire(StateDir state) {
        Path file = state.root().resolve(FILE);
        FileChannel ch = null;
        try {
            Files.createDirectories(state.root());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                l = null;
            }
            if (l == null) {
                String holder = holder(ch);
                ch.close();
                throw new KilnException(ExitCode.CANT_WRITE, "another kiln run (" + holder + ") holds " + state.root()
                        + "; wait for it to end, or give this run another --state-dir");
            }
            byte[] who = ("pid " + ProcessHandle.current().pid() + ", started " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(who), 0);
            ch.force(false);
            return new StateLock(ch, l);
        } catch (IOException e) {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // already failing
            }
            throw new KilnException(ExitCode.CANT_WRITE, "cannot lock " + file + ": " + dev.kiln.bundle.Why.of(e));
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(200);
            int n = ch.read(b, 0);
            String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "a process that has not written its pid yet" : s;
        } catch (IOException e) {
            return "pid unknown: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
