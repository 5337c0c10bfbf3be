package dev.kiln.acceptance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Bundle bytes by their sha256, {@code blobs/ab/abcdef….kiln.zip}, each written durably (temp
 * file, fsync, rename, fsync the directory). Content-addressed, so concurrent writers of the same
 * bundle write the same bytes to the same name.
 */
final class DirectoryBlobStore implements BlobStore {
    private final Path root;
    private final Path tmp;

    DirectoryBlobStore(Path data) throws IOException {
        this.root = Files.createDirectories(data.resolve("blobs"));
        this.tmp = Files.createDirectories(data.resolve("tmp"));
    }

    Path path(String sha256) {
        return root.resolve(sha256.substring(0, 2)).resolve(sha256 + ".kiln.zip");
    }

    @Override
    public String describe() {
        return "blobs in " + root;
    }

    @Override
    public java.util.Optional<byte[]> get(String sha256) throws IOException {
        try {
            return java.util.Optional.of(BlobStore.checked(sha256, Files.readAllBytes(path(sha256)), describe()));
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public java.util.Optional<Stored> file(String sha256, Path scratch) throws IOException {
        Path p = path(sha256);
        if (!Files.exists(p)) {
            return java.util.Optional.empty();
        }
        BlobStore.checkedFile(sha256, p, describe()); // content-addressed and never rewritten: checked, then sent as it is
        return java.util.Optional.of(new Stored(p, Files.size(p), false));
    }

    @Override
    public void delete(String sha256) throws IOException {
        Path target = path(sha256);
        if (Files.deleteIfExists(target)) {
            try (FileChannel d = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                d.force(true);
            }
        }
    }

    @Override
    public void put(String sha256, byte[] bytes) throws IOException {
        write(sha256, bytes.length, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }

    @Override
    public void put(String sha256, Path file) throws IOException {
        long size = Files.size(file);
        write(sha256, size, ch -> {
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                for (long at = 0; at < size; ) {
                    long n = in.transferTo(at, size - at, ch);
                    if (n <= 0 && in.size() <= at) {
                        throw new IOException(file + " ended at " + at + " of its " + size + " bytes");
                    }
                    at += n;
                }
            }
        });
    }

    private interface Fill {
        void into(FileChannel ch) throws IOException;
    }

    /** Temp file, fsync, rename, fsync the directory; nothing to do when the blob is there already. */
    private void write(String sha256, long size, Fill fill) throws IOException {
        Path target = path(sha256);
        if (Files.exists(target) && Files.size(target) == size) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path t = tmp.resolve(sha256 + "." + UUID.randomUUID() + ".tmp");
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            fill.into(ch);
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(t);
            throw e;
        }
        Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
