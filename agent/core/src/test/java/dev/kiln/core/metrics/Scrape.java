package dev.kiln.core.metrics;

import java.util.Map;
import java.util.TreeMap;

/** Reads one sample out of Prometheus text: the value of {@code name} with exactly these labels, or null. */
public final class Scrape {
    private Scrape() {
    }

    public static Double value(String text, String name, Map<String, String> labels) {
        String want = name + (labels.isEmpty() ? "" : "{" + String.join(",", new TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue() + "\"").toList()) + "}");
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            if (sp > 0 && normalise(line.substring(0, sp)).equals(want)) {
                return Double.parseDouble(line.substring(sp + 1));
            }
        }
        return null;
    }

    /** Labels sorted by name, so the comparison does not depend on the exposition's order. */
    private static String normalise(String series) {
        int b = series.indexOf('{');
        if (b < 0) {
            return series;
        }
        TreeMap<String, String> labels = new TreeMap<>();
        for (String kv : series.substring(b + 1, series.length() - 1).split(",(?=[a-zA-Z_]+=\")")) {
            int eq = kv.indexOf('=');
            labels.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
        }
        return series.substring(0, b) + "{" + String.join(",", labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"").toList())
                + "}";
    }
}
