package dev.kiln.core.inventory;

import dev.kiln.bundle.BundleIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The serial a run stands on, and where it came from: the one the operator gave ({@code --serial}),
 * else the platform's (DMI, system_profiler) when it names a machine, else the machine's own id
 * (systemd's {@code /etc/machine-id}, or D-Bus's, on Linux; the hardware UUID on macOS), hashed as
 * systemd asks an application to (HMAC-SHA256 keyed with the id, over the application's name) so the
 * id itself is never published, and labelled {@code machine-…}. With none of them the serial is
 * {@code unknown}, and the service files each of its runs apart.
 *
 * @param serial what the run records as its unit's serial
 * @param source where it came from: {@code --serial}, {@code config}, {@code platform}, {@code machine id},
 *               {@code hardware UUID} or {@code none}
 * @param note   why the platform's serial was not used (empty when it was, or when one was given)
 */
public record UnitIdentity(String serial, String source, String note) {

    /**
     * The platform's own id of a machine, for one whose serial names none.
     *
     * @param id   the id as the platform gives it (never published: only its hash is)
     * @param kind what it is, said as the serial's source: {@code machine id}, {@code hardware UUID}
     */
    public record MachineId(String id, String kind) {
    }

    /** Resolves the serial: the given one, the platform's, the machine id's, or {@code unknown}. */
    public static UnitIdentity resolve(String given, String platformSerial, Supplier<String> machineId) {
        return resolve(given, null, platformSerial, machineId);
    }

    /** The same with the configuration's {@code unit.serial} ({@code configured}) after {@code --serial}. */
    public static UnitIdentity resolve(String given, String configured, String platformSerial, Supplier<String> machineId) {
        return resolveOn(given, configured, platformSerial, () -> {
            String id = machineId.get();
            return id == null ? null : new MachineId(id, "machine id");
        });
    }

    /** The same, the machine's id from the platform with what kind of id it is ({@code PlatformProbe#machineId}). */
    public static UnitIdentity resolveOn(String given, String configured, String platformSerial, Supplier<MachineId> machineId) {
        if (given != null) {
            return new UnitIdentity(given, "--serial", "");
        }
        if (configured != null) {
            return new UnitIdentity(configured, "config", "");
        }
        if (!BundleIdentity.placeholderSerial(platformSerial)) {
            return new UnitIdentity(platformSerial, "platform", "");
        }
        String why = "the platform gives no serial that names a machine ('" + platformSerial + "')";
        MachineId id = machineId.get();
        if (id != null) {
            return new UnitIdentity("machine-" + appSpecific(id.id()), id.kind(),
                    why + ": the unit stands on its " + id.kind() + ", hashed; give --serial to name it");
        }
        return new UnitIdentity("unknown", "none", why + " and there is no machine id: the service files each run apart; give --serial");
    }

    /** The machine id under {@code root} ({@code etc/machine-id}, else {@code var/lib/dbus/machine-id}), or null. */
    public static String machineId(Path root) {
        for (String p : new String[] {"etc/machine-id", "var/lib/dbus/machine-id"}) {
            try {
                String id = Files.readString(root.resolve(p), StandardCharsets.US_ASCII).strip();
                if (id.matches("[0-9a-f]{32}") && !BundleIdentity.placeholderSerial(id)) {
                    return id;
                }
            } catch (IOException | RuntimeException e) {
                // not there, or not readable: the next
            }
        }
        return null;
    }

    /** A serial the operator gives: printable, at most 128 characters, not a placeholder; else why not. */
    public static String problemWith(String serial) {
        if (serial.isEmpty() || serial.length() > 128) {
            return "--serial must be 1 to 128 characters";
        }
        if (serial.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "--serial holds a control character";
        }
        if (BundleIdentity.placeholderSerial(serial)) {
            return "--serial '" + serial + "' names no machine (a placeholder)";
        }
        return null;
    }

    /** systemd's app-specific id: HMAC-SHA256 keyed with the machine id over the application's name, 20 hex digits of it. */
    static String appSpecific(String machineId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(machineId.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal("dev.kiln.unit".getBytes(StandardCharsets.US_ASCII))).substring(0, 20);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
