package dev.kiln.core.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
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
        Path tmp = stage(target, data, tmpDir);
        beforeRename.run();
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }

    /**
     * As {@link #write(Path, byte[], Path, Runnable)}, but never replaces: when {@code target}
     * exists the staged file is removed and {@link FileAlreadyExistsException} is thrown. For the
     * outbox, where a replaced file is a lost result.
     */
    public static void writeNew(Path target, byte[] data, Path tmpDir, Runnable beforeRename) throws IOException {
        publishNew(stage(target, data, tmpDir), target, beforeRename);
    }

    /** What writes a file's bytes to a stream (a bundle sealed as it is written). */
    @FunctionalInterface
    public interface Writer {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /**
     * As {@link #writeNew(Path, byte[], Path, Runnable)}, the bytes streamed by {@code writer} into
     * the staged file (never all in memory).
     */
    public static void writeNew(Path target, Writer writer, Path tmpDir, Runnable beforeRename) throws IOException {
        publishNew(stage(target, writer, tmpDir), target, beforeRename);
    }

    private static void publishNew(Path tmp, Path target, Runnable beforeRename) throws IOException {
        beforeRename.run(); // a crash test's seam: what it leaves staged, a real crash would leave too
        try {
            renameNoReplace(tmp, target);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Moves {@code source} into {@code dir} under {@code name}, or, when that name is taken, under
     * {@code alternative.apply(n)} for n = 1, 2, …: both files are kept, nothing is replaced.
     * Returns where it went.
     */
    public static Path moveKeepingBoth(Path source, Path dir, String name, java.util.function.IntFunction<String> alternative)
            throws IOException {
        for (int n = 0; ; n++) {
            Path target = dir.resolve(n == 0 ? name : alternative.apply(n));
            try {
                renameNoReplace(source, target);
                fsyncDirectory(source.getParent());
                return target;
            } catch (FileAlreadyExistsException taken) {
                if (n > 10_000) {
                    throw taken;
                }
            }
        }
    }

    /**
     * rename(2) replaces an existing target silently; link(2) refuses one. So: link, then unlink the
     * source, then force the directory. Where hard links are not supported the existence check and
     * the rename are two steps (a race only between two writers of the same name).
     */
    static void renameNoReplace(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            if (e instanceof FileAlreadyExistsException exists) {
                throw exists;
            }
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(target.getParent());
            return;
        }
        Files.delete(source);
        fsyncDirectory(target.getParent());
    }

    private static final java.util.concurrent.atomic.AtomicLong STAGED = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.regex.Pattern STAGED_NAME = java.util.regex.Pattern.compile(".*\\.(\\d+)\\.\\d+\\.tmp");

    /**
     * Links {@code source} into {@code dir} under {@code name}, or {@code alternative.apply(n)} when
     * that is taken, keeping {@code source} where it is and forcing nothing: the caller forces the
     * directories once for several links. Where hard links are not supported the file is copied.
     */
    public static Path linkKeepingBoth(Path source, Path dir, String name, java.util.function.IntFunction<String> alternative)
            throws IOException {
        for (int n = 0; ; n++) {
            Path target = dir.resolve(n == 0 ? name : alternative.apply(n));
            try {
                try {
                    Files.createLink(target, source);
                } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                    if (e instanceof FileAlreadyExistsException exists) {
                        throw exists;
                    }
                    Files.copy(source, target); // refuses an existing target too
                }
                return target;
            } catch (FileAlreadyExistsException taken) {
                if (n > 10_000) {
                    throw taken;
                }
            }
        }
    }

    /**
     * Writes and forces a temp file in {@code tmpDir}, named for this process so no other writer can
     * touch it; the caller links or renames it into place.
     */
    /** Stages a file written by {@code writer}: buffered, fsynced, in {@code tmpDir}; removed when the writer fails. */
    public static Path stage(Path target, Writer writer, Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path tmp = tmpDir.resolve(target.getFileName() + "." + ProcessHandle.current().pid() + "." + STAGED.incrementAndGet() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16);
            writer.writeTo(out);
            out.flush();
            ch.force(true);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    public static Path stage(Path target, byte[] data, Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path tmp = tmpDir.resolve(target.getFileName() + "." + ProcessHandle.current().pid() + "." + STAGED.incrementAndGet() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /**
     * Whether a staged file in a tmp directory was left by a process that is gone (a crash): only
     * those may be removed; another live writer's staged files are its own.
     */
    public static boolean stagedByDeadProcess(Path staged) {
        java.util.regex.Matcher m = STAGED_NAME.matcher(staged.getFileName().toString());
        if (!m.matches()) {
            return true; // not our naming: an older agent's leftover
        }
        long pid = Long.parseLong(m.group(1));
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
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
