package dev.kiln.core.kit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a JSONL stream against the OCP Test &amp; Validation output specification v2: the shape and
 * required fields of every artifact, the enumerations, sequence numbers 0, 1, 2, ... and RFC 3339
 * UTC timestamps, exactly one run start first (after the schema version) and one run end last,
 * and every step started once and ended once, with its artifacts in between. Written from the
 * published spec; returns the list of problems (empty when valid).
 */
public final class OcpStreamValidator {
    private static final Set<String> STATUS = Set.of("COMPLETE", "ERROR", "SKIP");
    private static final Set<String> RESULT = Set.of("PASS", "FAIL", "NOT_APPLICABLE");
    private static final Set<String> DIAGNOSIS = Set.of("PASS", "FAIL", "UNKNOWN");
    private static final Set<String> SEVERITY = Set.of("DEBUG", "INFO", "WARNING", "ERROR", "FATAL");
    private static final Set<String> VALIDATOR = Set.of("EQUAL", "NOT_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL",
            "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "REGEX_MATCH", "REGEX_NO_MATCH", "IN_SET", "NOT_IN_SET");
    private static final Set<String> STEP_KINDS = Set.of("testStepStart", "testStepEnd", "measurement", "diagnosis",
            "error", "log", "file", "measurementSeriesStart", "measurementSeriesEnd", "measurementSeriesElement", "extension");

    private final ObjectMapper json = new ObjectMapper();
    private final List<String> problems = new ArrayList<>();

    public static List<String> validate(String jsonl) {
        OcpStreamValidator v = new OcpStreamValidator();
        v.check(jsonl);
        return v.problems;
    }

    /** The stream's lines as JSON, for assertions on content. */
    public static List<JsonNode> parse(String jsonl) {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : jsonl.split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(m.readTree(line));
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
        }
        return out;
    }

    /** Kiln's outcome per step name, read from the closing diagnosis {@code <suite>-<outcome>}. */
    public static Map<String, String> outcomes(String jsonl) {
        Map<String, String> stepName = new LinkedHashMap<>();
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode n : parse(jsonl)) {
            JsonNode s = n.get("testStepArtifact");
            if (s == null) {
                continue;
            }
            String id = s.path("testStepId").asText();
            if (s.has("testStepStart")) {
                stepName.put(id, s.get("testStepStart").get("name").asText());
            }
            if (s.has("diagnosis")) {
                String name = stepName.get(id);
                String verdict = s.get("diagnosis").get("verdict").asText();
                if (name != null && verdict.startsWith(name + "-")) {
                    String o = verdict.substring(name.length() + 1).toUpperCase(java.util.Locale.ROOT);
                    if (Set.of("PASS", "FAIL", "HUNG", "ERROR", "SKIPPED", "INTERRUPTED").contains(o)) {
                        out.put(name, o);
                    }
                }
            }
        }
        return out;
    }

    private void problem(int line, String what) {
        problems.add("line " + line + ": " + what);
    }

    private void check(String jsonl) {
        String[] lines = jsonl.split("\n");
        Set<String> open = new HashSet<>();
        Set<String> ended = new HashSet<>();
        boolean runStarted = false;
        boolean runEnded = false;
        int n = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode a;
            try {
                a = json.readTree(lines[i]);
            } catch (Exception e) {
                problem(i + 1, "not JSON");
                continue;
            }
            if (runEnded) {
                problem(i + 1, "artifact after testRunEnd");
            }
            if (!a.path("sequenceNumber").isInt() || a.get("sequenceNumber").asInt() != n) {
                problem(i + 1, "sequenceNumber should be " + n + ": " + a.get("sequenceNumber"));
            }
            n++;
            try {
                String ts = a.path("timestamp").asText();
                Instant.parse(ts);
                if (!ts.endsWith("Z")) {
                    problem(i + 1, "timestamp not Z-normalised");
                }
            } catch (Exception e) {
                problem(i + 1, "timestamp is not RFC 3339: " + a.get("timestamp"));
            }
            List<String> keys = new ArrayList<>();
            a.fieldNames().forEachRemaining(keys::add);
            keys.remove("sequenceNumber");
            keys.remove("timestamp");
            if (keys.size() != 1) {
                problem(i + 1, "exactly one artifact per line, got " + keys);
                continue;
            }
            String kind = keys.get(0);
            JsonNode body = a.get(kind);
            if (i == 0 || n == 1) {
                if (!kind.equals("schemaVersion") || body.path("major").asInt() != 2 || body.path("minor").asInt() != 0) {
                    problem(i + 1, "the first line must be schemaVersion 2.0");
                }
                continue;
            }
            switch (kind) {
                case "testRunArtifact" -> {
                    String k = only(body, i);
                    if (k == null) {
                        continue;
                    }
                    JsonNode b = body.get(k);
                    switch (k) {
                        case "testRunStart" -> {
                            if (runStarted) {
                                problem(i + 1, "second testRunStart");
                            }
                            runStarted = true;
                            require(b, i, "name", "version", "commandLine", "parameters", "dutInfo");
                            allow(b, i, "name", "version", "commandLine", "parameters", "dutInfo", "metadata");
                            require(b.path("dutInfo"), i, "dutInfoId");
                            for (JsonNode sw : b.path("dutInfo").path("softwareInfos")) {
                                require(sw, i, "softwareInfoId", "name");
                            }
                            for (JsonNode hw : b.path("dutInfo").path("hardwareInfos")) {
                                require(hw, i, "hardwareInfoId", "name");
                            }
                        }
                        case "testRunEnd" -> {
                            require(b, i, "status", "result");
                            allow(b, i, "status", "result");
                            oneOf(b, i, "status", STATUS);
                            oneOf(b, i, "result", RESULT);
                            if (!open.isEmpty()) {
                                problem(i + 1, "run ended with steps still open: " + open);
                            }
                            runEnded = true;
                        }
                        case "log" -> log(b, i);
                        case "error" -> require(b, i, "symptom");
                        default -> problem(i + 1, "unknown run artifact " + k);
                    }
                    if (!runStarted) {
                        problem(i + 1, "run artifact before testRunStart");
                    }
                }
                case "testStepArtifact" -> {
                    if (!runStarted) {
                        problem(i + 1, "step artifact before testRunStart");
                    }
                    String id = body.path("testStepId").asText(null);
                    if (id == null) {
                        problem(i + 1, "testStepId missing");
                        continue;
                    }
                    List<String> ks = new ArrayList<>();
                    body.fieldNames().forEachRemaining(ks::add);
                    ks.remove("testStepId");
                    if (ks.size() != 1 || !STEP_KINDS.contains(ks.get(0))) {
                        problem(i + 1, "a step artifact holds exactly one known kind, got " + ks);
                        continue;
                    }
                    String k = ks.get(0);
                    JsonNode b = body.get(k);
                    if (k.equals("testStepStart")) {
                        require(b, i, "name");
                        if (!open.add(id) || ended.contains(id)) {
                            problem(i + 1, "step " + id + " started twice");
                        }
                        continue;
                    }
                    if (!open.contains(id)) {
                        problem(i + 1, k + " for step " + id + " that is not open");
                    }
                    switch (k) {
                        case "testStepEnd" -> {
                            require(b, i, "status");
                            oneOf(b, i, "status", STATUS);
                            open.remove(id);
                            ended.add(id);
                        }
                        case "measurement" -> {
                            require(b, i, "name", "value");
                            if (!(b.path("value").isNumber() || b.path("value").isTextual() || b.path("value").isBoolean())) {
                                problem(i + 1, "measurement value must be a number, string or boolean");
                            }
                            for (JsonNode v : b.path("validators")) {
                                require(v, i, "type", "value");
                                oneOf(v, i, "type", VALIDATOR);
                            }
                        }
                        case "diagnosis" -> {
                            require(b, i, "verdict", "type");
                            allow(b, i, "verdict", "type", "message", "hardwareInfoId", "subcomponent", "sourceLocation");
                            oneOf(b, i, "type", DIAGNOSIS);
                            if (b.has("subcomponent")) {
                                require(b.get("subcomponent"), i, "name");
                            }
                        }
                        case "error" -> require(b, i, "symptom");
                        case "log" -> log(b, i);
                        default -> {
                        }
                    }
                }
                default -> problem(i + 1, "unknown top-level artifact " + kind);
            }
        }
        if (!runStarted) {
            problems.add("no testRunStart");
        }
        if (!runEnded) {
            problems.add("no testRunEnd");
        }
    }

    private void log(JsonNode b, int i) {
        require(b, i, "severity", "message");
        oneOf(b, i, "severity", SEVERITY);
    }

    private String only(JsonNode body, int i) {
        Iterator<String> it = body.fieldNames();
        if (!it.hasNext()) {
            problem(i + 1, "empty artifact");
            return null;
        }
        String k = it.next();
        if (it.hasNext()) {
            problem(i + 1, "more than one artifact kind");
        }
        return k;
    }

    private void require(JsonNode b, int i, String... fields) {
        for (String f : fields) {
            if (!b.has(f) || b.get(f).isNull()) {
                problem(i + 1, "missing required field " + f);
            }
        }
    }

    private void allow(JsonNode b, int i, String... fields) {
        Set<String> ok = Set.of(fields);
        b.fieldNames().forEachRemaining(f -> {
            if (!ok.contains(f)) {
                problem(i + 1, "field not allowed here: " + f);
            }
        });
    }

    private void oneOf(JsonNode b, int i, String field, Set<String> allowed) {
        if (!allowed.contains(b.path(field).asText())) {
            problem(i + 1, field + " '" + b.path(field).asText() + "' is not one of " + allowed);
        }
    }
}
