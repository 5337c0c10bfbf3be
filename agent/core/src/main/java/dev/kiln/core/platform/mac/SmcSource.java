package dev.kiln.core.platform.mac;

import com.sun.jna.platform.mac.IOKit.IOConnect;
import dev.kiln.core.telemetry.TelemetrySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import oshi.jna.platform.mac.IOKit.SMCVal;
import oshi.util.platform.mac.SmcUtil;

/**
 * The Apple SMC's die temperatures, fan speeds and system power, read without root through OSHI's
 * SMC calls (the {@code AppleSMC} service, {@code IOConnectCallStructMethod}); decoding is
 * {@link SmcValue}'s, tested on real dumps. At start every key is listed ({@code #KEY}, then each
 * key by index) and kept when {@link SmcValue#kind} samples it and its first reading is plausible
 * (an unpopulated slot reads 0); each sample reads the kept keys again. Channels:
 * {@code smc_<key>_celsius}, {@code smc_<key>_rpm}, {@code smc_<key>_watts}.
 *
 * <p>macOS only, and never yet run on a Mac (docs/on-hardware-checklist.md).
 */
public final class SmcSource implements TelemetrySource {
    private final IOConnect conn;
    private final Map<String, String> keys; // channel -> SMC key
    private final Consumer<String> warn;
    private final java.util.Set<String> warned = new java.util.HashSet<>();

    private SmcSource(IOConnect conn, Map<String, String> keys, Consumer<String> warn) {
        this.conn = conn;
        this.keys = keys;
        this.warn = warn;
    }

    /**
     * Opens the SMC and finds the keys to sample.
     *
     * @throws IOException when the SMC cannot be opened or offers no key Kiln samples
     */
    public static SmcSource open(Consumer<String> warn) throws IOException {
        IOConnect conn;
        try {
            conn = SmcUtil.smcOpen();
        } catch (LinkageError e) {
            throw new IOException("IOKit cannot be reached: " + e);
        }
        if (conn == null) {
            throw new IOException("the AppleSMC service cannot be opened");
        }
        long count = SmcUtil.smcGetLong(conn, "#KEY");
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String key = SmcUtil.smcReadKeyAtIndex(conn, i);
            if (key == null || key.length() != 4) {
                continue;
            }
            Reading r = read(conn, key);
            if (r == null) {
                continue;
            }
            SmcValue.Kind kind = SmcValue.kind(key, r.type());
            if (kind != SmcValue.Kind.NONE && r.value() != null && SmcValue.plausible(kind, r.value())) {
                keys.put(SmcValue.channel(key, kind), key);
            }
        }
        if (keys.isEmpty()) {
            SmcUtil.smcClose(conn);
            throw new IOException("the SMC lists " + count + " keys but no die temperature, fan or system power among them");
        }
        return new SmcSource(conn, keys, warn);
    }

    private record Reading(String type, Double value) {
    }

    private static Reading read(IOConnect conn, String key) {
        try (SMCVal val = new SMCVal()) {
            if (SmcUtil.smcReadKey(conn, key, val) != 0 || val.dataSize <= 0) {
                return null;
            }
            String type = new String(val.dataType, 0, Math.min(4, val.dataType.length), StandardCharsets.US_ASCII);
            byte[] bytes = Arrays.copyOf(val.bytes, Math.min(val.dataSize, val.bytes.length));
            return new Reading(type, SmcValue.decode(type, bytes));
        }
    }

    @Override
    public String name() {
        return "smc";
    }

    @Override
    public List<String> channels() {
        return List.copyOf(keys.keySet());
    }

    @Override
    public synchronized Map<String, Double> sample() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> k : keys.entrySet()) {
            Reading r = read(conn, k.getValue());
            if (r != null && r.value() != null && Double.isFinite(r.value())) {
                out.put(k.getKey(), r.value());
            } else if (warned.add(k.getKey())) {
                warn.accept("SMC key " + k.getValue() + " could not be read; " + k.getKey() + " is left empty where it fails");
            }
        }
        return out;
    }
}
