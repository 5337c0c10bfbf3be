package dev.kiln.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A fixed station key and fixed bundle inputs, so bytes can be compared across runs. */
final class Fixtures {
    private Fixtures() {
    }

    static StationKey key(String name) {
        try (InputStream k = Fixtures.class.getResourceAsStream("/keys/" + name + ".key");
             InputStream p = Fixtures.class.getResourceAsStream("/keys/" + name + ".pub")) {
            return new StationKey(Pem.decodePrivate(new String(k.readAllBytes(), StandardCharsets.US_ASCII)),
                    Pem.decodePublic(new String(p.readAllBytes(), StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static BundleIdentity identity(String runId) {
        return new BundleIdentity(runId, "C02XK0TEST", Map.of("serial", "C02XK0TEST", "model", "Mac16,5", "cpu", "Apple M4 Max"),
                "smoke", "0x000000000000002a", "0.1.0-test", "PASS", "2026-11-26T08:00:00Z", "2026-11-26T08:02:00Z", false);
    }

    static Map<String, byte[]> files() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put(BundleNames.INVENTORY, "{\"serial\":\"C02XK0TEST\"}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.EVENTS, "{\"schemaVersion\":{\"major\":2,\"minor\":0},\"sequenceNumber\":0,\"timestamp\":\"2026-11-26T08:00:00Z\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.SUMMARY, "{\"verdict\":\"PASS\"}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.TELEMETRY, "timestamp,cpu_load_ratio\n2026-11-26T08:00:00Z,0.5\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.LOG, "2026-11-26T08:00:00Z INFO run started\n".getBytes(StandardCharsets.UTF_8));
        return f;
    }

    static byte[] bundle(String runId, StationKey key) {
        try {
            return BundleWriter.seal(identity(runId), files(), key);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] rezip(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            DeterministicZip.write(entries, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
