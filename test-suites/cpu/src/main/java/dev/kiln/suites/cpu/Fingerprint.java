package dev.kiln.suites.cpu;

/** 64-bit fingerprints of results: any single changed bit changes the fingerprint. */
final class Fingerprint {
    private Fingerprint() {
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Four independent lanes, so the loop is not one long multiply chain. */
    static long of(int[] a) {
        long h0 = 1, h1 = 2, h2 = 3, h3 = 4;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            h0 = (h0 ^ a[i]) * 0x9E3779B97F4A7C15L;
            h1 = (h1 ^ a[i + 1]) * 0xC2B2AE3D27D4EB4FL;
            h2 = (h2 ^ a[i + 2]) * 0x165667B19E3779F9L;
            h3 = (h3 ^ a[i + 3]) * 0x27D4EB2F165667C5L;
        }
        for (; i < a.length; i++) {
            h0 = (h0 ^ a[i]) * 0x9E3779B97F4A7C15L;
        }
        return mix(h0 ^ Long.rotateLeft(h1, 16) ^ Long.rotateLeft(h2, 32) ^ Long.rotateLeft(h3, 48) ^ a.length);
    }

    static long of(double[] a) {
        long h0 = 1, h1 = 2;
        int i = 0;
        for (; i + 1 < a.length; i += 2) {
            h0 = (h0 ^ Double.doubleToRawLongBits(a[i])) * 0x9E3779B97F4A7C15L;
            h1 = (h1 ^ Double.doubleToRawLongBits(a[i + 1])) * 0xC2B2AE3D27D4EB4FL;
        }
        for (; i < a.length; i++) {
            h0 = (h0 ^ Double.doubleToRawLongBits(a[i])) * 0x9E3779B97F4A7C15L;
        }
        return mix(h0 ^ Long.rotateLeft(h1, 32) ^ a.length);
    }

    static long of(byte[] a, int from, int to) {
        long h = 7;
        for (int i = from; i < to; i++) {
            h = (h ^ (a[i] & 0xFF)) * 0x9E3779B97F4A7C15L;
        }
        return mix(h ^ (to - from));
    }
}
