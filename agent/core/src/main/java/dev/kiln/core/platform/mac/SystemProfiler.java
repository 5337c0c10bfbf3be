package dev.kiln.core.platform.mac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code system_profiler SPHardwareDataType -json} and {@code SPDisplaysDataType -json}. */
public final class SystemProfiler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MEMORY = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(TB|GB|MB)", Pattern.CASE_INSENSITIVE);

    private SystemProfiler() {
    }

    /**
     * The hardware overview.
     *
     * @param model        machine name (MacBook Pro, Mac Studio)
     * @param identifier   model identifier (Mac16,5)
     * @param chip         chip (Apple M4 Max)
     * @param serial       serial number
     * @param memoryBytes  installed memory, or -1
     * @param totalCores   all cores, or -1
     * @param coresByLevel core counts by kind from {@code number_processors}, e.g. performance=12,
     *                     efficiency=4; empty for the bare integer VMs report
     */
    public record Hardware(String model, String identifier, String chip, String serial, long memoryBytes, int totalCores,
                           Map<String, Integer> coresByLevel) {
    }

    /** @throws IllegalArgumentException when the text is not this command's JSON */
    public static Hardware hardware(String json) {
        JsonNode h = first(json, "SPHardwareDataType");
        int total = -1;
        Map<String, Integer> levels = new LinkedHashMap<>();
        JsonNode np = h.path("number_processors");
        if (np.isInt()) {
            total = np.asInt(); // virtual machines: a bare count
        } else if (np.isTextual()) {
            String[] f = np.asText().replace("proc", "").trim().split(":");
            try {
                total = Integer.parseInt(f[0].trim());
                if (f.length == 3) {
                    // "proc 16:12:4": total, performance, efficiency (M1 to M4)
                    levels.put("performance", Integer.parseInt(f[1].trim()));
                    levels.put("efficiency", Integer.parseInt(f[2].trim()));
                } else if (f.length == 4) {
                    // "proc T:A:E:B": total, the top tier, efficiency, a second fast tier. The M5 Max gives
                    // "proc 18:6:0:12" (sysctl: 6 Super + 12 Performance); macOS 26 gives M1 to M4 the same
                    // form with B = 0 ("proc 16:12:4:0"). Only with a second fast tier is the top one Super.
                    // sysctl's level names come first wherever they exist (macOS 12 on); this is the fallback.
                    int top = Integer.parseInt(f[1].trim());
                    int second = Integer.parseInt(f[3].trim());
                    levels.put(second > 0 ? "super" : "performance", top);
                    levels.put("efficiency", Integer.parseInt(f[2].trim()));
                    if (second > 0) {
                        levels.put("performance", second);
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("number_processors '" + np.asText() + "' is not 'proc N:...'");
            }
        }
        levels.values().removeIf(v -> v == 0);
        return new Hardware(h.path("machine_name").asText("unknown"), h.path("machine_model").asText("unknown"),
                h.path("chip_type").asText(h.path("cpu_type").asText("unknown")), h.path("serial_number").asText("unknown"),
                memory(h.path("physical_memory").asText("")), total, levels);
    }

    private static final Pattern UUID = Pattern.compile("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}");

    /**
     * The hardware UUID ({@code platform_UUID}, the I/O registry's IOPlatformUUID) as 32 lower-case hex
     * digits, the form of a Linux machine id; null when absent, not in a UUID's form (the
     * published captures replaced it with letters X) or one digit repeated (all zeros names no machine).
     *
     * @throws IllegalArgumentException when the text is not this command's JSON
     */
    public static String platformUuid(String json) {
        String v = first(json, "SPHardwareDataType").path("platform_UUID").asText("").trim();
        if (!UUID.matcher(v).matches()) {
            return null;
        }
        String hex = v.replace("-", "").toLowerCase(Locale.ROOT);
        return hex.chars().distinct().count() == 1 ? null : hex;
    }

    static long memory(String text) {
        Matcher m = MEMORY.matcher(text);
        if (!m.find()) {
            return -1;
        }
        double v = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "TB" -> 1L << 40;
            case "GB" -> 1L << 30;
            default -> 1L << 20;
        };
        return (long) (v * unit);
    }

    /** A GPU: its name and core count ({@code sppci_cores} is a string), -1 when not given. */
    public record Gpu(String name, int cores) {
    }

    public static List<Gpu> gpus(String json) {
        List<Gpu> out = new ArrayList<>();
        JsonNode root = parse(json);
        for (JsonNode d : root.path("SPDisplaysDataType")) {
            if (!"spdisplays_gpu".equals(d.path("sppci_device_type").asText("spdisplays_gpu"))) {
                continue;
            }
            int cores = -1;
            try {
                cores = Integer.parseInt(d.path("sppci_cores").asText("-1").trim());
            } catch (NumberFormatException ignored) {
                // not a number: unknown
            }
            out.add(new Gpu(d.path("sppci_model").asText(d.path("_name").asText("unknown")), cores));
        }
        return out;
    }

    private static JsonNode first(String json, String key) {
        JsonNode arr = parse(json).path(key);
        if (!arr.isArray() || arr.isEmpty()) {
            throw new IllegalArgumentException("no " + key + " in the output");
        }
        return arr.get(0);
    }

    private static JsonNode parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable: " + e.getMessage());
        }
    }
}
