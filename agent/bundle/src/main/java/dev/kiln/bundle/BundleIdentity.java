package dev.kiln.bundle;

import java.util.Map;
import java.util.Objects;

/**
 * What a bundle says about itself, in its manifest and again, signed, in its attestation's
 * predicate.
 *
 * @param runId        UUIDv7 of the run
 * @param serial       the unit's serial number ({@code unknown} when the OS does not tell)
 * @param unit         the unit's identity (serial, model, manufacturer, hostname, cpu, os)
 * @param profile      the profile run
 * @param seed         the run seed, {@code 0x} hex
 * @param agentVersion the agent's version
 * @param verdict      PASS, FAIL or INCOMPLETE
 * @param started      ISO-8601 UTC
 * @param ended        ISO-8601 UTC
 * @param recovered    true when sealed at a later start from the journal of a run that died
 */
public record BundleIdentity(String runId, String serial, Map<String, String> unit, String profile, String seed,
                             String agentVersion, String verdict, String started, String ended, boolean recovered) {

    public static final int FORMAT_VERSION = 1;
    public static final String PREDICATE_TYPE = "urn:kiln:attestation:burnin:v1";

    public BundleIdentity {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(serial, "serial");
        unit = Map.copyOf(unit);
        Objects.requireNonNull(verdict, "verdict");
    }

    /**
     * Serials that name no machine: what OSHI says when it cannot read one ({@code unknown}) and what
     * firmware vendors leave in DMI ({@code To Be Filled By O.E.M.}, {@code Default string},
     * {@code System Serial Number}, {@code 0}, a run of one character). The agent never stands a unit
     * on one; the service never files two runs under one.
     */
    public static boolean placeholderSerial(String serial) {
        if (serial == null) {
            return true;
        }
        String s = serial.strip().toLowerCase(java.util.Locale.ROOT);
        if (s.isEmpty() || s.chars().distinct().count() == 1) {
            return true; // "0", "00000000", "xxxx", "...."
        }
        return java.util.Set.of("unknown", "none", "n/a", "na", "null", "default string", "to be filled by o.e.m.", "to be filled by oem",
                "system serial number", "not specified", "not applicable", "not available", "invalid", "serial", "0123456789",
                "123456789", "1234567890", "chassis serial number", "base board serial number", "empty").contains(s);
    }

    /**
     * The unit a run is filed under: its serial, or, for a placeholder, {@code no-serial:<runId>}, so
     * that machines with no serial are never merged into one unit (each run stands alone).
     */
    public static String unitOf(String serial, String runId) {
        return placeholderSerial(serial) ? "no-serial:" + runId : serial;
    }

    /** {@code <serial>_<runId>.kiln.zip}, the serial reduced to characters safe in any file system. */
    public String fileName() {
        String s = serial.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.isEmpty() || s.startsWith(".")) {
            s = "unit" + s;
        }
        return s + "_" + runId + ".kiln.zip";
    }
}
