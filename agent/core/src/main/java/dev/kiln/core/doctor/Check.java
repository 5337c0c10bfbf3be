package dev.kiln.core.doctor;

/**
 * What {@code kiln doctor} found of one capability Kiln uses on this machine.
 *
 * @param id                 the capability ({@code thread-placement}, {@code telemetry-temperatures}, {@code suite-gpu}, …)
 * @param status             OK, DEGRADED (works with less) or MISSING (cannot be used here)
 * @param summary            what was found, in words
 * @param fix                what to do about it (empty when nothing)
 * @param seenOnAppleSilicon for a macOS behaviour: whether it has been seen on a real Mac (null: not macOS-specific)
 */
public record Check(String id, Status status, String summary, String fix, Boolean seenOnAppleSilicon) {

    /** How a capability stands. */
    public enum Status { OK, DEGRADED, MISSING }

    static Check ok(String id, String summary) {
        return new Check(id, Status.OK, summary, "", null);
    }

    static Check degraded(String id, String summary, String fix) {
        return new Check(id, Status.DEGRADED, summary, fix, null);
    }

    static Check missing(String id, String summary, String fix) {
        return new Check(id, Status.MISSING, summary, fix, null);
    }
}
