package dev.kiln.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;

/**
 * A heartbeat's status, once its envelope verified, checked and turned into what the floor stores:
 * the run id must be the URL's, the serial one the station may publish, the sequence and times
 * sane, every number finite and every text cut to its column. Anything else is refused with the
 * reason (a 4xx, counted, never shown).
 */
final class HeartbeatIntake {
    /** How far a heartbeat's own clock may be from the service's. */
    static final Duration SKEW = Duration.ofDays(1);

    private HeartbeatIntake() {
    }

    /** A status refused, with the reason and the status it is answered with (422, or 403 for a serial not the station's). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(String reason) {
            this(reason, 422);
        }

        Refused(String reason, int status) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    static FloorIndex.Beat beat(JsonNode s, String runId, String station, java.util.regex.Pattern serials, Instant now) throws Refused {
        if (s.path("v").asInt(0) != 1) {
            throw new Refused("heartbeat version " + s.path("v") + " is not one this service reads (1)");
        }
        if (!runId.equals(s.path("runId").asText())) {
            throw new Refused("the heartbeat is for run " + BundleIndex.cut(s.path("runId").asText(), 64) + ", not " + runId);
        }
        String serial = s.path("serial").asText("");
        if (serial.isEmpty() || serial.length() > Admission.MAX_SERIAL || serial.indexOf('\u0000') >= 0) {
            throw new Refused("serial must be 1 to " + Admission.MAX_SERIAL + " characters without NUL");
        }
        if (serials != null && !serials.matcher(serial).matches()) {
            throw new Refused("station " + station + " may not publish serial " + serial, 403);
        }
        long seq = s.path("seq").asLong(0);
        if (!s.path("seq").canConvertToLong() || seq < 1) {
            throw new Refused("seq must be a positive whole number");
        }
        String state = s.path("state").asText("");
        if (!state.equals("running") && !state.equals("ended")) {
            throw new Refused("state must be running or ended, not " + BundleIndex.cut(state, 20));
        }
        Instant sent;
        try {
            sent = Instant.parse(s.path("sentAt").asText(""));
        } catch (java.time.format.DateTimeParseException e) {
            throw new Refused("sentAt must be an ISO-8601 instant");
        }
        if (sent.isAfter(now.plus(SKEW)) || sent.isBefore(now.minus(SKEW))) {
            throw new Refused("sentAt " + sent + " is more than a day from the service's clock (" + now + ")");
        }
        double interval = s.path("intervalSeconds").asDouble(-1);
        if (!(interval >= 1 && interval <= 600)) {
            throw new Refused("intervalSeconds must be between 1 and 600");
        }
        String verdict = state.equals("ended") ? text(s, "verdict", 16) : null;
        if (verdict != null && !java.util.List.of("PASS", "FAIL", "INCOMPLETE", "ERROR").contains(verdict)) {
            throw new Refused("verdict must be PASS, FAIL, INCOMPLETE or ERROR");
        }
        // the suites in flight as one line: "cpu 12m left · memory 3m left"
        StringBuilder suites = new StringBuilder();
        for (JsonNode x : s.path("suites")) {
            if (suites.length() > 900) {
                suites.append(" …");
                break;
            }
            String id = x.path("id").asText("?");
            double left = finite(x.path("remainingSeconds").asDouble(0), 0);
            suites.append(suites.isEmpty() ? "" : " · ").append(BundleIndex.cut(id, 64)).append(' ')
                    .append(Dashboard.duration(Math.max(0, left))).append(" left");
        }
        return new FloorIndex.Beat(runId, serial, BundleIndex.cut(station, 128), text(s, "profile", 64), state, verdict, text(s, "stage", 128),
                suites.isEmpty() ? null : BundleIndex.cut(suites.toString(), 1000), seq, Math.round(interval * 1000),
                text(s, "startedAt", 40), number(s, "elapsedSeconds"), number(s, "plannedSeconds"),
                s.path("work").canConvertToLong() ? s.path("work").asLong() : null, Math.max(0, s.path("failures").asLong(0)),
                text(s, "firstFailure", 300), number(s, "hottestCelsius"), number(s, "watts"),
                s.path("agent").path("samplerAlive").isBoolean() ? s.path("agent").path("samplerAlive").asBoolean() : null,
                s.path("agent").path("outboxDepth").canConvertToLong() ? s.path("agent").path("outboxDepth").asLong() : null,
                now.toEpochMilli());
    }

    /** A text field cut to its column, NUL removed (PostgreSQL cannot store it); null when absent. */
    private static String text(JsonNode s, String field, int max) {
        JsonNode n = s.path(field);
        if (!n.isTextual()) {
            return null;
        }
        return BundleIndex.cut(n.asText().replace("\u0000", ""), max);
    }

    private static Double number(JsonNode s, String field) {
        JsonNode n = s.path(field);
        return n.isNumber() && Double.isFinite(n.asDouble()) ? n.asDouble() : null;
    }

    private static double finite(double v, double otherwise) {
        return Double.isFinite(v) ? v : otherwise;
    }
}
