package dev.kiln.core.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.Failure;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.Seeds;
import dev.kiln.core.runner.PlannedSuite;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the run as the OCP Test &amp; Validation output specification v2 event stream: one JSON
 * object per line, each with {@code sequenceNumber} and {@code timestamp}. The run is the test run;
 * each suite is a test step. Every step ends with one diagnosis whose verdict is
 * {@code <suite>-<outcome>} (so consumers read Kiln's outcome without extensions) before its
 * {@code testStepEnd}. Failures are FAIL diagnoses; degraded parts are UNKNOWN diagnoses; a broken
 * suite is an {@code error}.
 */
public final class OcpJsonlWriter implements RunListener {
    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream out;
    private final Clock clock;
    private final Map<String, String> stepIds = new java.util.concurrent.ConcurrentHashMap<>(); // suites of a stage report at once
    private int sequence;
    private int nextStep = 1;


    public OcpJsonlWriter(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Continues a stream that an earlier process started (crash recovery): numbering goes on. */
    public OcpJsonlWriter(PrintStream out, Clock clock, ResumePoint from) {
        this(out, clock);
        this.sequence = from.nextSequence();
        this.stepIds.putAll(from.stepIds());
        this.nextStep = from.nextStep();
    }

    /**
     * Where a stream written by another process stopped.
     *
     * @param nextSequence the next sequence number
     * @param stepIds      step id of every suite that started
     * @param nextStep     the next step id
     * @param openSuites   suites whose step started and did not end
     * @param runStarted   whether the run start made it into the stream
     * @param runEnded     whether the run end did
     */
    public record ResumePoint(int nextSequence, Map<String, String> stepIds, int nextStep, java.util.List<String> openSuites,
                              boolean runStarted, boolean runEnded) {

        /** Reads the complete lines of a stream (a torn last line must already be dropped). */
        public static ResumePoint of(java.util.List<String> lines) {
            ObjectMapper m = new ObjectMapper();
            Map<String, String> ids = new java.util.LinkedHashMap<>();
            Map<String, String> open = new java.util.LinkedHashMap<>();
            int next = 1;
            boolean started = false;
            boolean ended = false;
            for (String line : lines) {
                com.fasterxml.jackson.databind.JsonNode n;
                try {
                    n = m.readTree(line);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("not a JSON line: " + line);
                }
                started |= n.path("testRunArtifact").has("testRunStart");
                ended |= n.path("testRunArtifact").has("testRunEnd");
                com.fasterxml.jackson.databind.JsonNode step = n.path("testStepArtifact");
                String id = step.path("testStepId").asText();
                if (step.has("testStepStart")) {
                    String suite = step.path("testStepStart").path("name").asText();
                    ids.put(suite, id);
                    open.put(id, suite);
                    next = Math.max(next, Integer.parseInt(id) + 1);
                } else if (step.has("testStepEnd")) {
                    open.remove(id);
                }
            }
            return new ResumePoint(lines.size(), ids, next, java.util.List.copyOf(open.values()), started, ended);
        }
    }

    private synchronized void emit(String key, ObjectNode body) {
        ObjectNode line = json.createObjectNode();
        line.set(key, body);
        line.put("sequenceNumber", sequence++);
        line.put("timestamp", clock.instant().toString());
        out.println(line);
        out.flush();
    }

    private ObjectNode step(String suiteId) {
        ObjectNode n = json.createObjectNode();
        n.put("testStepId", stepIds.getOrDefault(suiteId, "0"));
        return n;
    }

    @Override
    public synchronized void runStarted(RunInfo run) {
        ObjectNode version = json.createObjectNode();
        version.put("major", 2);
        version.put("minor", 0);
        emit("schemaVersion", version);

        ObjectNode start = json.createObjectNode();
        start.put("name", "kiln");
        start.put("version", run.agentVersion());
        start.put("commandLine", run.commandLine());
        ObjectNode params = start.putObject("parameters");
        params.put("profile", run.profile());
        params.put("seed", Seeds.format(run.seed()));
        ArrayNode suites = params.putArray("suites");
        for (PlannedSuite s : run.suites()) {
            ObjectNode sn = suites.addObject();
            sn.put("id", s.id());
            sn.put("durationSeconds", s.duration().toMillis() / 1000.0);
            sn.put("required", s.required());
            s.parameters().forEach((k, v) -> sn.with("parameters").put(k, v));
        }
        ObjectNode dut = start.putObject("dutInfo");
        dut.put("dutInfoId", run.unit().getOrDefault("serial", "unknown"));
        dut.put("name", run.unit().getOrDefault("hostname", "unknown"));
        dut.putArray("platformInfos").addObject().put("info",
                run.unit().getOrDefault("manufacturer", "unknown") + " " + run.unit().getOrDefault("model", "unknown"));
        ObjectNode sw = dut.putArray("softwareInfos").addObject();
        sw.put("softwareInfoId", "kiln");
        sw.put("name", "kiln");
        sw.put("version", run.agentVersion());
        sw.put("softwareType", "APPLICATION");
        ObjectNode os = ((ArrayNode) dut.get("softwareInfos")).addObject();
        os.put("softwareInfoId", "os");
        os.put("name", run.unit().getOrDefault("os", "unknown"));
        os.put("softwareType", "SYSTEM");
        ObjectNode cpu = dut.putArray("hardwareInfos").addObject();
        cpu.put("hardwareInfoId", "cpu");
        cpu.put("name", run.unit().getOrDefault("cpu", "unknown"));
        ObjectNode meta = start.putObject("metadata");
        meta.put("runId", run.runId());
        meta.put("serial", run.unit().getOrDefault("serial", "unknown"));
        ObjectNode artifact = json.createObjectNode();
        artifact.set("testRunStart", start);
        emit("testRunArtifact", artifact);
    }

    @Override
    public synchronized void suiteStarted(PlannedSuite suite) {
        stepIds.put(suite.id(), Integer.toString(nextStep++));
        ObjectNode n = step(suite.id());
        n.putObject("testStepStart").put("name", suite.id());
        emit("testStepArtifact", n);
    }

    @Override
    public void measurement(String suiteId, Measurement m) {
        ObjectNode n = step(suiteId);
        ObjectNode mn = n.putObject("measurement");
        mn.put("name", m.name());
        mn.put("value", m.value());
        mn.put("unit", m.unit());
        if (m.lowLimit() != null || m.highLimit() != null) {
            ArrayNode v = mn.putArray("validators");
            if (m.lowLimit() != null) {
                v.addObject().put("type", "GREATER_THAN_OR_EQUAL").put("value", m.lowLimit());
            }
            if (m.highLimit() != null) {
                v.addObject().put("type", "LESS_THAN_OR_EQUAL").put("value", m.highLimit());
            }
        }
        if (!m.metadata().isEmpty()) {
            mn.set("metadata", json.valueToTree(m.metadata()));
        }
        emit("testStepArtifact", n);
    }

    @Override
    public void failure(String suiteId, Failure f) {
        ObjectNode n = step(suiteId);
        ObjectNode d = n.putObject("diagnosis");
        d.put("verdict", f.symptom());
        d.put("type", f.degraded() ? "UNKNOWN" : "FAIL");
        d.put("message", f.message() + " " + details(f.details()));
        Object cpu = f.details().get("cpu");
        if (cpu instanceof Integer c && c >= 0) {
            d.putObject("subcomponent").put("name", "cpu" + c).put("type", "UNSPECIFIED").put("location", "logical CPU " + c);
        }
        emit("testStepArtifact", n);
    }

    private static String details(Map<String, Object> details) {
        StringBuilder sb = new StringBuilder("[");
        details.forEach((k, v) -> sb.append(sb.length() > 1 ? " " : "").append(k).append('=').append(v));
        return sb.append(']').toString();
    }

    @Override
    public void log(String suiteId, LogLevel level, String message) {
        ObjectNode log = json.createObjectNode();
        log.put("severity", level.name());
        log.put("message", message);
        if (suiteId == null || !stepIds.containsKey(suiteId)) {
            ObjectNode a = json.createObjectNode();
            a.set("log", log);
            emit("testRunArtifact", a);
        } else {
            ObjectNode n = step(suiteId);
            n.set("log", log);
            emit("testStepArtifact", n);
        }
    }

    @Override
    public synchronized void suiteEnded(SuiteResult r) {
        if (r.outcome() == Outcome.ERROR || r.outcome() == Outcome.INTERRUPTED) {
            ObjectNode n = step(r.suiteId());
            ObjectNode e = n.putObject("error");
            e.put("symptom", r.suiteId() + "-" + r.outcome().name().toLowerCase(Locale.ROOT));
            e.put("message", r.reason());
            e.putArray("softwareInfoIds").add("kiln");
            emit("testStepArtifact", n);
        }
        ObjectNode n = step(r.suiteId());
        ObjectNode d = n.putObject("diagnosis");
        d.put("verdict", r.suiteId() + "-" + r.outcome().name().toLowerCase(Locale.ROOT));
        d.put("type", switch (r.outcome()) {
            case PASS -> "PASS";
            case FAIL, HUNG -> "FAIL";
            default -> "UNKNOWN";
        });
        String msg = r.outcome() == Outcome.SKIPPED ? r.category() + ": " + r.reason() : r.reason();
        d.put("message", (msg.isEmpty() ? r.outcome().name() : msg) + " [iterations=" + r.iterations()
                + " checks=" + r.checks() + " failures=" + r.failureCount() + " workDigest=" + r.workDigest() + " placement=" + r.placement() + "]");
        emit("testStepArtifact", n);

        ObjectNode end = step(r.suiteId());
        end.putObject("testStepEnd").put("status", switch (r.outcome()) {
            case PASS, FAIL, HUNG -> "COMPLETE";
            case SKIPPED -> "SKIP";
            case ERROR, INTERRUPTED -> "ERROR";
        });
        emit("testStepArtifact", end);
    }

    @Override
    public synchronized void runEnded(RunReport report) {
        log(null, LogLevel.INFO, "verdict " + report.verdict() + ": " + RunEngine.explain(report));
        ObjectNode end = json.createObjectNode();
        ObjectNode e = end.putObject("testRunEnd");
        switch (report.verdict()) {
            case PASS -> e.put("status", "COMPLETE").put("result", "PASS");
            case FAIL -> e.put("status", "COMPLETE").put("result", "FAIL");
            case INCOMPLETE -> e.put("status", "ERROR").put("result", "NOT_APPLICABLE");
        }
        emit("testRunArtifact", end);
    }
}
