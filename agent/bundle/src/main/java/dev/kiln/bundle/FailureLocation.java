package dev.kiln.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Where a failure is, in words, from the fields of its details that say so: one list for the agent's
 * summary and the acceptance service's pages, so a technician and the dashboard read the same place
 * the same way ("device GPU 0, address 0x1f00, bit 3").
 */
public final class FailureLocation {
    /** The failure detail fields that say where, in the order a person reads them. */
    public static final List<String> KEYS = List.of("device", "cpu", "cluster", "core", "address", "addressRange", "firstAddress",
            "lastAddress", "offset", "bit", "bits", "sensor", "channel", "kernel", "path", "phase", "iteration");

    private FailureLocation() {
    }

    /**
     * The location fields present (a value of {@code value} neither null nor empty), each as its
     * name in words and its value, joined by {@code separator}; empty when none is present.
     */
    public static String describe(Function<String, String> value, String separator) {
        List<String> parts = new ArrayList<>();
        for (String k : KEYS) {
            String v = value.apply(k);
            if (v != null && !v.isEmpty()) {
                parts.add(words(k) + " " + v);
            }
        }
        return String.join(separator, parts);
    }

    /** "addressRange" as "address range". */
    public static String words(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }
}
