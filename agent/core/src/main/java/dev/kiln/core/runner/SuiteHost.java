package dev.kiln.core.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the framework lends suites beyond their parameters: a cache directory per suite under the
 * state directory, and the run's live telemetry. {@link #NONE} in test harnesses.
 *
 * @param cacheRoot the directory under which each suite gets its own (by suite id), or null
 * @param latest    the sampler's latest sample (channel → value)
 * @param channels  the channels sampled in this run
 */
public record SuiteHost(Path cacheRoot, Supplier<Map<String, Double>> latest, Supplier<Set<String>> channels) {
    public static final SuiteHost NONE = new SuiteHost(null, Map::of, Set::of);

    Optional<Path> cacheFor(String suiteId) {
        if (cacheRoot == null) {
            return Optional.empty();
        }
        // a stage member (stage/suite) shares its suite's cache: the cache is about the suite, not the run
        Path dir = cacheRoot.resolve(suiteId.substring(suiteId.lastIndexOf('/') + 1));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cache directory " + dir + ": " + e.getMessage(), e);
        }
        return Optional.of(dir);
    }

    OptionalDouble telemetry(String channel) {
        Double v = latest.get().get(channel);
        return v == null || !Double.isFinite(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
