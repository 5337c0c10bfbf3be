package dev.kiln.core.runner;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A seeded generator that folds every value it hands out into a digest, so a test can prove that
 * the same seed gave the same work. Every {@link RandomGenerator} method funnels into
 * {@link #nextLong()}, so nothing escapes the digest. Not thread-safe: one per thread.
 */
final class RecordingRandom implements RandomGenerator {
    private final SplittableRandom delegate;
    private long digest;
    private long draws;

    RecordingRandom(long seed) {
        this.delegate = new SplittableRandom(seed);
        // The digest starts from a constant, not the seed: it must show the draws the suite made, so
        // that a suite which never draws gives the same digest for every seed (and fails the kit).
        this.digest = 0;
    }

    @Override
    public long nextLong() {
        long v = delegate.nextLong();
        digest = Seeds.mix(digest ^ v);
        draws++;
        return v;
    }

    long digest() {
        return Seeds.mix(digest ^ draws);
    }
}
