package dev.kiln.suites.ne;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Core ML's compiled-model cache ({@code ModelCacheDirectory}), kept to a bound. ONNX Runtime keeps
 * one entry per {@code COREML_CACHE_KEY} under the directory; the suite's key is the model's hash,
 * and the model depends only on its shape and {@code model-seed}, so a second run of the same model
 * reuses its entry. Other shapes leave entries behind: {@link #prune} keeps the entry in use and the
 * most recently used others up to a count, and removes the rest.
 */
final class CoreMlCache {
    /** What {@link #prune} did: entries removed, and those it could not remove (with why). */
    record Pruned(List<String> removed, List<String> failed) {
    }

    private CoreMlCache() {
    }

    /**
     * Marks {@code key}'s entry (if there is one) as used now, then removes the least recently used
     * other entries so that at most {@code keep} remain, the key's own included.
     */
    static Pruned prune(Path dir, String key, int keep) throws IOException {
        Path own = dir.resolve(key);
        if (Files.exists(own)) {
            Files.setLastModifiedTime(own, FileTime.fromMillis(System.currentTimeMillis()));
        }
        record Entry(Path path, long modified) {
        }
        List<Entry> others = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (p.getFileName().toString().equals(key)) {
                    continue;
                }
                try {
                    others.add(new Entry(p, Files.getLastModifiedTime(p).toMillis()));
                } catch (NoSuchFileException gone) {
                    // removed meanwhile (another run pruning): nothing to do
                }
            }
        }
        others.sort(Comparator.comparingLong(Entry::modified).reversed().thenComparing(e -> e.path().getFileName().toString()));
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Entry e : others.subList(Math.min(others.size(), Math.max(0, keep - 1)), others.size())) {
            try {
                deleteTree(e.path());
                removed.add(e.path().getFileName().toString());
            } catch (IOException x) {
                failed.add(e.path().getFileName() + ": " + x);
            }
        }
        return new Pruned(removed, failed);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(root);
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
