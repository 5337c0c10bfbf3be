package dev.kiln.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a zip the reader reads: held in memory (a small upload, a test) or a file read as it is
 * scanned, so a bundle of gigabytes (a month of telemetry) is verified and read in a heap of one
 * buffer. A file's size is taken once: a file that grows or shrinks meanwhile fails its read.
 */
public sealed interface ZipSource permits ZipSource.Bytes, ZipSource.File {
    /** The zip's length in bytes. */
    long size();

    /** The zip from its first byte, buffered. */
    InputStream stream() throws IOException;

    /** {@code length} bytes from {@code at} (within {@link #size}); fewer only at a read failure, which throws. */
    byte[] read(long at, int length) throws IOException;

    /** Where it was read from, for messages. */
    String describe();

    static ZipSource of(byte[] zip) {
        return new Bytes(zip);
    }

    /** A file, its size read now. */
    static ZipSource of(Path zip) throws IOException {
        return new File(zip, Files.size(zip));
    }

    record Bytes(byte[] zip) implements ZipSource {
        @Override
        public long size() {
            return zip.length;
        }

        @Override
        public InputStream stream() {
            return new ByteArrayInputStream(zip);
        }

        @Override
        public byte[] read(long at, int length) {
            return java.util.Arrays.copyOfRange(zip, (int) at, (int) at + length);
        }

        @Override
        public String describe() {
            return zip.length + " bytes in memory";
        }
    }

    record File(Path path, long size) implements ZipSource {
        @Override
        public InputStream stream() throws IOException {
            return new java.io.BufferedInputStream(Files.newInputStream(path), 64 * 1024);
        }

        @Override
        public byte[] read(long at, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                while (b.hasRemaining()) {
                    if (ch.read(b, at + b.position()) < 0) {
                        throw new java.io.EOFException(path + " ended at " + (at + b.position()) + " bytes; it was " + size);
                    }
                }
            }
            return b.array();
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }
}
