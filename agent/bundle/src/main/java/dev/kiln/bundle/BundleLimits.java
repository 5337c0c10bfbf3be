package dev.kiln.bundle;

/**
 * How much a verifier accepts before it refuses to look further: defences against zip bombs and
 * hostile JSON. The defaults fit the longest run the agent accepts (30 days) at 1 Hz: a zip just under
 * 4 GiB (the most a zip holds without ZIP64 end records, which the reader refuses) whose files expand
 * to at most 32 GiB (a month of 400 channels is about 6.5 GB of CSV). Every reader streams: the sizes
 * bound disk and CPU, not the heap.
 *
 * @param maxBundleBytes   size of the zip itself
 * @param maxEntries       entries in the zip
 * @param maxExpandedBytes all entries together, uncompressed
 * @param maxJsonBytes     the manifest and the attestation, each
 * @param maxJsonDepth     nesting of those JSON documents
 * @param maxRatio         how many times its own size a zip may expand to, beyond {@link #RATIO_FREE}:
 *                         Kiln's bundles (JSON lines, CSV, logs) deflate 5 to 20 times; a bomb
 *                         expands a thousand times and more
 */
public record BundleLimits(long maxBundleBytes, int maxEntries, long maxExpandedBytes, int maxJsonBytes, int maxJsonDepth,
                           int maxRatio) {

    /** The largest bundle: 4 GiB less 1 MiB, so its central directory starts below 4 GiB (no ZIP64 end record). */
    public static final long MAX_BUNDLE_BYTES = (4L << 30) - (1L << 20);

    /** Expansion allowed whatever the ratio: a small, very regular bundle is not a bomb. */
    public static final long RATIO_FREE = 16L << 20;

    public static BundleLimits defaults() {
        return new BundleLimits(MAX_BUNDLE_BYTES, 64, 32L << 30, 8 << 20, 32, 100);
    }

    public BundleLimits withMaxExpandedBytes(long n) {
        return new BundleLimits(maxBundleBytes, maxEntries, n, maxJsonBytes, maxJsonDepth, maxRatio);
    }

    public BundleLimits withMaxJsonBytes(int n) {
        return new BundleLimits(maxBundleBytes, maxEntries, maxExpandedBytes, n, maxJsonDepth, maxRatio);
    }

    /** The most a zip of {@code zipBytes} may expand to: the ratio's bound, the floor, and the absolute cap. */
    public long expansionAllowed(long zipBytes) {
        long byRatio = zipBytes > Long.MAX_VALUE / Math.max(1, maxRatio) ? Long.MAX_VALUE : zipBytes * maxRatio;
        return Math.min(maxExpandedBytes, Math.max(RATIO_FREE, byRatio));
    }
}
