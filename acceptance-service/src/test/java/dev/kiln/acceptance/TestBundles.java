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
}
