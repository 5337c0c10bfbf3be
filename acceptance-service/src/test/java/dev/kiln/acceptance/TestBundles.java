package dev.kiln.acceptance;

import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.StationKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Real signed bundles, made small and fast, for service tests and the benchmark. */
public final class TestBundles {
    private TestBundles() {
    }

    public static String newRunId() {
        return new UUID((System.currentTimeMillis() << 16) | 0x7000L | (long) (Math.random() * 4096),
                0x8000_0000_0000_0000L | (long) (Math.random() * Long.MAX_VALUE / 2)).toString();
    }

    public static byte[] bundle(String runId, String serial, String verdict, StationKey key) {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put(BundleNames.INVENTORY, ("{\"serial\":\"" + serial + "\"}\n").getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.EVENTS, "{}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.SUMMARY, ("{\"verdict\":\"" + verdict + "\"}\n").getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.TELEMETRY, "timestamp\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.LOG, ("run " + runId + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            return BundleWriter.seal(new BundleIdentity(runId, serial, Map.of("serial", serial), "smoke", "0x1", "test", verdict,
                    "2026-11-26T00:00:00Z", "2026-11-26T00:01:00Z", false), f, key);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a richer test bundle holds: a run shaped as the agent writes it (manifest, summary with
     * suites and failures, inventory with a SKU's checks, telemetry of {@code seconds} samples over
     * {@code channels} channels), for the dashboard's tests and benchmark.
     *
     * @param failures each {suite, symptom, message, cpu or address}
     */
    public record Spec(String runId, String serial, String verdict, String sku, String model, java.time.Instant started, int seconds,
                       int channels, java.util.List<String[]> failures) {
    }

    public static byte[] rich(Spec s, StationKey key) {
        return rich(s, key, csv(s));
    }

    /** The telemetry of a spec: temperatures, clocks, power and fans, one row a second. */
    public static byte[] csv(Spec s) {
        StringBuilder b = new StringBuilder(s.seconds() * s.channels() * 8 + 64);
        b.append("timestamp");
        String[] kinds = {"_celsius", "_freq_hertz", "_watts", "_rpm"};
        for (int c = 0; c < s.channels(); c++) {
            String kind = kinds[c % 4];
            b.append(',').append(switch (kind) {
                case "_celsius" -> "thermal_zone" + c + "_cpu_celsius";
                case "_freq_hertz" -> "cluster_p" + c + "_freq_hertz";
                case "_watts" -> "powercap_" + c + "_package_watts";
                default -> "hwmon_fan" + c + "_rpm";
            });
        }
        b.append('\n');
        java.time.Instant t = s.started();
        for (int i = 0; i < s.seconds(); i++) {
            b.append(t.plusSeconds(i));
            double phase = Math.sin(i / 600.0);
            for (int c = 0; c < s.channels(); c++) {
                double v = switch (c % 4) {
                    case 0 -> 55 + 30 * phase + c * 0.1;
                    case 1 -> 3.0e9 + 5e8 * phase;
                    case 2 -> 40 + 20 * phase;
                    default -> 2000 + 800 * phase;
                };
                b.append(',').append(v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.4g", v));
            }
            b.append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] rich(Spec s, StationKey key, byte[] telemetryOrNull) {
        java.time.Instant end = s.started().plusSeconds(Math.max(1, s.seconds()));
        StringBuilder fails = new StringBuilder();
        for (String[] f : s.failures()) {
            if (!fails.isEmpty()) {
                fails.append(',');
            }
            String where = f[3].startsWith("0x") ? "\"address\":\"" + f[3] + "\"" : "\"cpu\":" + f[3];
            fails.append("{\"symptom\":").append(q(f[1])).append(",\"message\":").append(q(f[2])).append(",\"details\":{").append(where)
                    .append(",\"phase\":\"each-core\"},\"degraded\":false}");
        }
        java.time.Instant mid = s.started().plusSeconds(s.seconds() / 2);
        String cpuOutcome = s.failures().isEmpty() ? "PASS" : "FAIL";
        String summary = "{\"verdict\":" + q(s.verdict()) + ",\"reason\":\"\",\"profile\":\"standard\",\"suites\":["
                + "{\"suiteId\":\"cpu\",\"required\":true,\"outcome\":\"" + cpuOutcome + "\",\"reason\":\"\",\"started\":\"" + s.started()
                + "\",\"ended\":\"" + mid + "\",\"iterations\":1200,\"failures\":[" + fails + "],\"failureCount\":" + s.failures().size() + "},"
                + "{\"suiteId\":\"memory\",\"required\":true,\"outcome\":\"PASS\",\"reason\":\"\",\"started\":\"" + mid + "\",\"ended\":\""
                + end + "\",\"iterations\":40,\"failures\":[],\"failureCount\":0},"
                + "{\"suiteId\":\"gpu\",\"required\":" + s.verdict().equals("INCOMPLETE") + ",\"outcome\":\"SKIPPED\",\"reason\":\"no OpenCL device\","
                + (s.verdict().equals("INCOMPLETE") ? "\"standIn\":\"OpenCL cpu device 'pocl', not a GPU\"," : "")
                + "\"iterations\":0,\"failures\":[],\"failureCount\":0}]}";
        String inventory = "{\"inventory\":{\"model\":" + q(s.model()) + ",\"chip\":\"Apple M4 Max\",\"logicalCpus\":16},"
                + (s.sku() == null ? "" : "\"sku\":{\"name\":" + q(s.sku()) + "},\"checks\":[{\"field\":\"chip\",\"expected\":\"Apple M4 Max\","
                + "\"actual\":\"Apple M4 Max\",\"ok\":true},{\"field\":\"memoryBytes\",\"expected\":\"68719476736\",\"actual\":\"68719476736\",\"ok\":true}]")
                + "}";
        if (inventory.endsWith(",}")) {
            inventory = inventory.substring(0, inventory.length() - 2) + "}";
        }
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put(BundleNames.INVENTORY, inventory.getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.EVENTS, "{}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.SUMMARY, summary.getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.TELEMETRY, telemetryOrNull == null ? new byte[0] : telemetryOrNull);
        f.put(BundleNames.LOG, ("run " + s.runId() + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            return BundleWriter.seal(new BundleIdentity(s.runId(), s.serial(), Map.of("serial", s.serial(), "model", s.model()), "standard", "0x1",
                    "test", s.verdict(), s.started().toString(), end.toString(), false), f, key);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String q(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
