package dev.kiln.suites.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Linux EDAC memory-controller error counters ({@code /sys/devices/system/edac/mc/mc*}), read directly. */
final class Edac {
    static Path root = Path.of("/sys/devices/system/edac/mc");

    private Edac() {
    }

    /** {@code mcN/ce_count} and {@code mcN/ue_count} → count; empty where there is no EDAC. */
    static Map<String, Long> counts() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (!Files.isDirectory(root)) {
            return m;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path mc : s.filter(p -> p.getFileName().toString().startsWith("mc")).sorted().toList()) {
                for (String f : new String[] {"ce_count", "ue_count"}) {
                    try {
                        m.put(mc.getFileName() + "/" + f, Long.parseLong(Files.readString(mc.resolve(f)).trim()));
                    } catch (IOException | NumberFormatException e) {
                        // an unreadable counter is simply not compared
                    }
                }
            }
        } catch (IOException e) {
            return m;
        }
        return m;
    }

    static long delta(Map<String, Long> before, Map<String, Long> after, String kind) {
        long d = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            if (e.getKey().endsWith(kind)) {
                d += e.getValue() - before.getOrDefault(e.getKey(), e.getValue());
            }
        }
        return d;
    }
}
