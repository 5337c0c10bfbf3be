package dev.kiln.core.runner;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Derives every random stream of a run from the one run seed, so {@code --seed} replays the same
 * work: a stream's seed is a SplitMix64 hash of the run seed and its path (suite, phase, worker).
 */
public final class Seeds {
    private Seeds() {
    }

    /** The seed of the stream at {@code path} under {@code runSeed}. */
    public static long derive(long runSeed, String... path) {
        long h = mix(runSeed);
        for (String part : path) {
            for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
                h = mix(h ^ (b & 0xFF));
            }
            h = mix(h ^ 0x2F); // separator, so ("ab","c") differs from ("a","bc")
        }
        return h;
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    public static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Seeds as people type them: decimal, or hex with {@code 0x}. */
    public static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("_", "");
        try {
            if (t.startsWith("0x")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a seed (a decimal number or 0x followed by up to 16 hex digits)");
        }
    }

    /** The canonical text form, which {@link #parse} reads back. */
    public static String format(long seed) {
        return "0x" + HexFormat.of().toHexDigits(seed);
    }
}
