package dev.kiln.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bundle file's bytes, in memory or in a file on disk, read as a stream: a month of telemetry is
 * digested and packed without ever being held. A file must not change while a bundle is sealed from
 * it (it is read twice: once for its digest, once into the zip).
 */
public interface Content {
    /** Opens the bytes from their start. */
    InputStream open() throws IOException;

    static Content of(byte[] bytes) {
        return new Bytes(bytes.clone());
    }

    static Content of(Path file) {
        return new File(file);
    }

    /** Bytes in memory. */
    record Bytes(byte[] bytes) implements Content {
        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes);
        }
    }

    /** A file on disk. */
    record File(Path path) implements Content {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(path);
        }
    }
}
