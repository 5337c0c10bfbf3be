package dev.kiln.core.journal;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.Content;
import dev.kiln.bundle.StationKey;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.Seeds;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns a run directory into a signed bundle in {@code outbox/pending/} (staged in
 * {@code outbox/tmp/}, forced to disk, renamed atomically, directory forced), then removes the run
 * directory. If sealing fails the run directory stays, so the next start can seal it.
 */
public final class Sealer {
    private final StateDir state;
    private final StationKey key;
    private final Runnable beforeRename;

    /** @param beforeRename called once the staged bundle is durable (a test seam for crash tests) */
    public Sealer(StateDir state, StationKey key, Runnable beforeRename) {
        this.state = state;
        this.key = key;
        this.beforeRename = beforeRename;
    }

    public Path seal(RunReport report, boolean recovered) throws IOException {
        return seal(report, recovered, List.of());
    }

    /**
     * Seals a run.
     *
     * @param lost what recovery could not read back (journal lines), recorded in the summary as
     *             {@code recoveryNotes} so the bundle says what it is missing
     */
    public Path seal(RunReport report, boolean recovered, List<String> lost) throws IOException {
        RunInfo info = report.info();
        Path dir = state.run(info.runId());
        BundleIdentity id = identity(report, recovered);
        // the run's files streamed from where they lie (a month of telemetry is never held), the summary from memory
        Map<String, Content> files = new LinkedHashMap<>();
        files.put(BundleNames.INVENTORY, fileOr(dir.resolve(RunRecorder.INVENTORY), "{}\n"));
        files.put(BundleNames.EVENTS, fileOr(dir.resolve(RunRecorder.EVENTS), ""));
        files.put(BundleNames.SUMMARY, Content.of(summary(report, recovered, lost)));
        files.put(BundleNames.TELEMETRY, fileOr(dir.resolve(RunRecorder.TELEMETRY), "timestamp\n"));
        files.put(BundleNames.LOG, fileOr(dir.resolve(RunRecorder.LOG), ""));
        Path target = state.pending().resolve(id.fileName());
        try {
            // a bundle in pending/ is never replaced
            AtomicFiles.writeNew(target, out -> BundleWriter.seal(id, files, key, out), state.tmp(), beforeRename);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException("a bundle for run " + info.runId() + " is already in " + state.pending()
                    + "; it is kept, and this run's record stays in " + dir, e);
        }
        deleteTree(dir);
        AtomicFiles.fsyncDirectory(state.runs());
        return target;
    }

    static BundleIdentity identity(RunReport report, boolean recovered) {
        RunInfo info = report.info();
        return new BundleIdentity(info.runId(), info.unit().getOrDefault("serial", "unknown"), info.unit(), info.profile(),
                Seeds.format(info.seed()), info.agentVersion(), report.verdict().name(), info.started().toString(),
                report.ended().toString(), recovered);
    }

    static byte[] summary(RunReport report, boolean recovered, List<String> lost) throws IOException {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("formatVersion", BundleIdentity.FORMAT_VERSION);
        s.put("runId", report.info().runId());
        s.put("verdict", report.verdict().name());
        s.put("reason", RunEngine.explain(report));
        s.put("profile", report.info().profile());
        s.put("seed", Seeds.format(report.info().seed()));
        s.put("started", report.info().started().toString());
        s.put("ended", report.ended().toString());
        s.put("recovered", recovered);
        if (!lost.isEmpty()) {
            s.set("recoveryNotes", Json.MAPPER.valueToTree(lost));
        }
        s.set("planned", Json.MAPPER.valueToTree(report.info().suites()));
        s.set("suites", Json.MAPPER.valueToTree(report.results()));
        return (Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Content fileOr(Path p, String fallback) {
        return Files.exists(p) ? Content.of(p) : Content.of(fallback.getBytes(StandardCharsets.UTF_8));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
