package dev.kiln.api;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A suite's parameters as text, with typed getters. A value that does not parse is a configuration
 * error, reported by the framework with the suite and parameter named.
 */
public final class Parameters {
    private final Map<String, String> values;

    public Parameters(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Map<String, String> asMap() {
        return values;
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new InvalidParameterException(name, "is not set");
        }
        return v;
    }

    public long getLong(String name) {
        String v = get(name);
        try {
            return Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "'" + v + "' is not an integer");
        }
    }

    public int getInt(String name) {
        long v = getLong(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new InvalidParameterException(name, v + " is out of range");
        }
        return (int) v;
    }

    public double getDouble(String name) {
        String v = get(name);
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "'" + v + "' is not a number");
        }
    }

    public boolean getBoolean(String name) {
        String v = get(name).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new InvalidParameterException(name, "'" + v + "' is not true or false");
        };
    }

    /**
     * A size in bytes: a positive count with an optional binary unit ({@code 512}, {@code 64KiB},
     * {@code 256MiB}, {@code 4GiB}, {@code 1TiB}; case does not matter).
     */
    public long getBytes(String name) {
        String v = get(name).trim().toLowerCase(java.util.Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(b|kib|mib|gib|tib)?").matcher(v);
        if (!m.matches()) {
            throw new InvalidParameterException(name, "'" + v + "' is not a size (e.g. 512MiB, 4GiB)");
        }
        int shift = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            case "tib" -> 40;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "'" + v + "' is out of range");
        }
        if (n <= 0 || Long.numberOfLeadingZeros(n) <= shift) {
            throw new InvalidParameterException(name, "'" + v + "' is out of range");
        }
        return n << shift;
    }

    /** A bad parameter value. */
    public static final class InvalidParameterException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String parameter;

        public InvalidParameterException(String parameter, String problem) {
            super("parameter " + parameter + " " + problem);
            this.parameter = parameter;
        }

        public String parameter() {
            return parameter;
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** Parses durations for suites that take one as a parameter; see the framework's duration syntax. */
    public Duration getDuration(String name) {
        String v = get(name).trim();
        try {
            if (v.toLowerCase(java.util.Locale.ROOT).matches("[0-9]+ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            return Duration.parse(v.startsWith("P") ? v : "PT" + v.toUpperCase(java.util.Locale.ROOT));
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "'" + v + "' is out of range");
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidParameterException(name, "'" + v + "' is not a duration");
        }
    }
}
