package dev.kiln.acceptance;

import dev.kiln.bundle.BundleVerifier;
import java.time.Instant;
import java.util.List;

/**
 * What a verified upload may be: the rules that refuse it for good (a 4xx the station quarantines)
 * or let it be stored, without any I/O; the ingest pipeline asks them after verification and before
 * anything is looked up or answered.
 */
final class Admission {
    /** The index's column widths (db/migration/V1__bundles.sql), checked here identically for every database. */
    static final int MAX_SERIAL = 128;
    static final int MAX_VERDICT = 16;

    private Admission() {
    }

    /** How far a run's signed end may lie after its receipt (clocks differ; a day does not). */
    static final java.time.Duration END_SKEW = java.time.Duration.ofDays(1);

    /**
     * Why a signed end is absurd, or null: not an ISO-8601 instant, or more than {@link #END_SKEW} after
     * the service received the bundle (a run cannot end after it was delivered).
     */
    static String absurdEnd(String ended, Instant received) {
        if (ended == null) {
            return null;
        }
        Instant at;
        try {
            at = Instant.parse(ended);
        } catch (java.time.format.DateTimeParseException e) {
            return "ended '" + BundleIndex.cut(ended, 40) + "' is not an ISO-8601 instant";
        }
        if (at.isAfter(received.plus(END_SKEW))) {
            return "ended " + at + " is more than a day after the service received the bundle (" + received.truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS) + "): a clock far off, or a date the station chose";
        }
        return null;
    }

    /** The words of a refusal for a NUL character, after the field's name. */
    static final String NUL_REFUSED = " holds a NUL character (U+0000), which the index cannot store on every database";

    /** Why a verified upload is refused: the status and its reasons (403 is sent as an error). */
    record Refusal(int status, List<String> reasons) {
    }

    /** The refusal of an upload that {@code v} verified, or null when the service may store it. */
    static Refusal refusal(BundleVerifier.Result v, String runId, Access.Principal who) {
        if (!v.valid()) {
            return new Refusal(422, v.problems());
        }
        String signedRun = v.predicate().path("runId").asText();
        if (!signedRun.equals(runId)) {
            return new Refusal(422, List.of("the bundle is run " + signedRun + ", not " + runId));
        }
        // a station publishes only what its own keys signed, and only for its serials: checked before any
        // conflict is answered, so one station learns nothing of another's runs
        if (who instanceof Access.Station st) {
            if (!st.keys().contains(v.keyId())) {
                return new Refusal(403, List.of("the bundle is signed by key " + v.keyId() + ", which is not station " + st.name() + "'s"));
            }
            String serialSigned = v.predicate().path("serial").asText();
            if (st.serials() != null && !st.serials().matcher(serialSigned).matches()) {
                return new Refusal(403, List.of("station " + st.name() + " may not publish serial " + serialSigned + " (its serials: "
                        + st.serials().pattern() + ")"));
            }
        }
        // The index's column limits, checked here, identically for every database: SQLite would store
        // a 200-character serial that PostgreSQL refuses, and a bundle must not be storable on one and
        // never on the other (a station would retry it forever).
        String serial = v.predicate().path("serial").asText();
        String verdict = v.predicate().path("verdict").asText();
        if (serial.isEmpty() || serial.length() > MAX_SERIAL) {
            return new Refusal(422, List.of("serial must be 1 to " + MAX_SERIAL + " characters, not " + serial.length()));
        }
        if (serial.indexOf('\u0000') >= 0 || verdict.indexOf('\u0000') >= 0) {
            return new Refusal(422, List.of((serial.indexOf('\u0000') >= 0 ? "serial" : "verdict") + NUL_REFUSED));
        }
        if (verdict.length() > MAX_VERDICT) {
            return new Refusal(422, List.of("verdict must be at most " + MAX_VERDICT + " characters"));
        }
        return null;
    }
}
