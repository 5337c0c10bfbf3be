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

    /** {@code <serial>_<runId>.kiln.zip}, the serial reduced to characters safe in any file system. */
    public String fileName() {
        String s = serial.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.isEmpty() || s.startsWith(".")) {
            s = "unit" + s;
        }
        return s + "_" + runId + ".kiln.zip";
    }
}
