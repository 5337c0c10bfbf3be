package dev.kiln.bundle;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Seals a bundle whose telemetry is the file {@code args[0]} into {@code args[1]}, streamed: run in a child JVM with a small heap. */
public final class SealBig {
    private SealBig() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Content> files = new java.util.TreeMap<>();
        Fixtures.files().forEach((name, bytes) -> files.put(name, Content.of(bytes)));
        files.put(BundleNames.TELEMETRY, Content.of(Path.of(args[0])));
        try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
            BundleWriter.seal(Fixtures.identity("01a216ef-0000-7000-8000-00000000b16b"), files, Fixtures.key("station"), out);
        }
        System.out.println("sealed");
    }
}
