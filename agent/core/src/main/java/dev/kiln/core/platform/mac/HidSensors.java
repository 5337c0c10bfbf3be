package dev.kiln.core.platform.mac;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The SoC's IOHID temperature services as channels (read without root by
 * {@link dev.kiln.core.platform.mac.HidTemperatureSource}): each service's {@code Product} name becomes
 * {@code hid_<name>_celsius} ({@code PMU tdie1} → {@code hid_pmu_tdie1_celsius}). Left out, as the
 * public monitors leave them out and the captured M1 listing shows why: {@code PMU tcal} and
 * {@code PMU2 TR0Z} (a calibration constant, 51.9 °C at every read), readings under −40 °C or over
 * 150 °C or under 0 (an unused {@code tdev} reads −21.5), and a second service of a name already
 * seen. Pure: tested on the captured listing.
 */
public final class HidSensors {
    private static final Set<String> CONSTANTS = Set.of("PMU tcal", "PMU2 TR0Z");
    private static final Pattern UNSAFE = Pattern.compile("[^a-z0-9]+");

    private HidSensors() {
    }

    /** The channel a service's name gives, or null for one Kiln leaves out by name. */
    public static String channel(String product) {
        if (product == null || product.isBlank() || CONSTANTS.contains(product.trim())) {
            return null;
        }
        String safe = UNSAFE.matcher(product.trim().toLowerCase(Locale.ROOT)).replaceAll("_").replaceAll("^_|_$", "");
        return safe.isEmpty() ? null : "hid_" + safe + "_celsius";
    }

    /** Whether a first reading shows a real temperature: 0..150 °C (an unused slot reads −21.5). */
    public static boolean plausible(double celsius) {
        return celsius >= 0 && celsius <= 150 && Double.isFinite(celsius);
    }

    /**
     * The services to sample, from their names and first readings in listing order: channel → the
     * index of its service. A name seen twice keeps its first service.
     */
    public static Map<String, Integer> select(java.util.List<String> products, double[] firstReadings) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < products.size(); i++) {
            String c = channel(products.get(i));
            if (c != null && plausible(firstReadings[i]) && !out.containsKey(c)) {
                out.put(c, i);
            }
        }
        return out;
    }
}
