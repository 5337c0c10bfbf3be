package dev.kiln.suites.memory;

/** SplitMix64's finaliser, for seeded values that can be recomputed from their index. */
final class Mix {
    private Mix() {
    }

    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
