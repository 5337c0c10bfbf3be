package dev.kiln.bundle;

/**
 * How much a verifier accepts before it refuses to look further: defences against zip bombs and
 * hostile JSON. The defaults fit a day of 1 Hz telemetry with room to spare.
 *
 * @param maxBundleBytes   size of the zip itself
 * @param maxEntries       entries in the zip
 * @param maxExpandedBytes all entries together, uncompressed
 * @param maxJsonBytes     the manifest and the attestation, each
 * @param maxJsonDepth     nesting of those JSON documents
 */
public record BundleLimits(long maxBundleBytes, int maxEntries, long maxExpandedBytes, int maxJsonBytes, int maxJsonDepth) {

    public static BundleLimits defaults() {
        return new BundleLimits(512L << 20, 64, 2L << 30, 8 << 20, 32);
    }

    public BundleLimits withMaxExpandedBytes(long n) {
        return new BundleLimits(maxBundleBytes, maxEntries, n, maxJsonBytes, maxJsonDepth);
    }

    public BundleLimits withMaxJsonBytes(int n) {
        return new BundleLimits(maxBundleBytes, maxEntries, maxExpandedBytes, n, maxJsonDepth);
    }
}
