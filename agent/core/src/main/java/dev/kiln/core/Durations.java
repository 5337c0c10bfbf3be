package dev.kiln.core;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the durations people type: {@code 90s}, {@code 2m}, {@code 1h30m}, {@code 500ms}, ISO {@code PT2M}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException with a one-line reason */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            try {
                Duration iso = Duration.parse(t.toUpperCase(Locale.ROOT));
                iso.toNanos();
                return positive(iso, text);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is out of range");
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (try 90s, 2m, 1h30m)");
            }
        }
        Matcher m = PART.matcher(t);
        int at = 0;
        Duration d = Duration.ZERO;
        while (m.find() && m.start() == at) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is out of range");
            }
            try {
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
                d.toNanos(); // every caller works in nanoseconds somewhere: beyond ~292 years is out of range
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is out of range");
            }
            at = m.end();
        }
        if (at != t.length() || at == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (try 90s, 2m, 1h30m)");
        }
        return positive(d, text);
    }

    private static Duration positive(Duration d, String text) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration '" + text + "' must be more than zero");
        }
        return d;
    }

    /** Short human form: {@code 1h02m}, {@code 3m05s}, {@code 42s}, {@code 0.4s}. */
    public static String format(Duration d) {
        long s = d.toSeconds();
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s >= 10) {
            return s + "s";
        }
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
