package dev.kiln.core.journal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.SuiteResult;
import dev.kiln.bundle.BundleNames;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.state.StateLock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What a state directory says about the run in progress, or the last one ({@code kiln status}).
 * Read only from files, never by taking the run lock (a rack's status script must never keep a run
 * from starting): a run is in progress when the process named in {@code run.lock} is alive and its
 * journal has not ended; a journal whose process is gone is a run that died, sealed at the next start.
 *
 * @param state    {@code running}, {@code died} (its journal is there, its process is not), {@code last}
 *                 (the newest sealed bundle) or {@code none}
 * @param runId    the run, or null
 * @param profile  its profile, or null
 * @param started  when it started, or null
 * @param elapsed  since it started (running), or its length (last), or null
 * @param pid      the running run's process, or -1
 * @param suites   every planned suite with its outcome so far ({@code RUNNING}, {@code PENDING} or the
 *                 result's outcome), in the plan's order
 * @param failures failures found so far (finished suites)
 * @param verdict  the last run's verdict, or null
 * @param bundle   the last run's bundle file, or null
 * @param delivery {@code pending}, {@code sent} or {@code quarantined} (the last run), or null
 * @param detail   the delivery's last error, receipt or quarantine reason; or what the journal lost
 */
public record RunStatus(String state, String runId, String profile, Instant started, Duration elapsed, long pid,
                        Map<String, String> suites, long failures, String verdict, Path bundle, String delivery, String detail) {

    public static RunStatus of(StateDir state, Clock clock) throws IOException {
        Optional<Path> runDir = newestRunDir(state);
        if (runDir.isPresent()) {
            Journal.Contents j = Journal.read(runDir.get());
            long pid = holderPid(state);
            boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && j.ended() == null;
            Map<String, String> suites = new LinkedHashMap<>();
            if (j.run() != null) {
                for (PlannedSuite p : j.run().suites()) {
                    suites.put(p.id(), "PENDING");
                }
            }
            long failures = 0;
            for (SuiteResult r : j.results()) {
                suites.put(r.suiteId(), r.outcome().name());
                failures += r.failureCount();
            }
            for (String s : j.inFlight()) {
                suites.put(s, alive ? "RUNNING" : "INTERRUPTED");
            }
            Instant started = j.run() == null ? null : j.run().started();
            return new RunStatus(alive ? "running" : "died", runDir.get().getFileName().toString(), j.run() == null ? null : j.run().profile(),
                    started, started == null ? null : Duration.between(started, clock.instant()), alive ? pid : -1, suites, failures, null, null, null,
                    alive ? "" : "the run's process is gone: the next kiln run seals what it did (" + (j.lost().isEmpty() ? "journal intact"
                            : String.join("; ", j.lost())) + ")");
        }
        List<Outbox.Entry> entries;
        try {
            entries = Files.isDirectory(state.pending()) ? new Outbox(state, clock).list() : List.of();
        } catch (java.nio.file.NoSuchFileException e) {
            entries = List.of(); // an outbox not made yet: no run has sealed a bundle here
        }
        Outbox.Entry last = entries.stream().filter(e -> e.name().endsWith(".kiln.zip"))
                .max(Comparator.comparing(e -> Outbox.runId(Path.of(e.name())))).orElse(null);
        if (last == null) {
            return new RunStatus("none", null, null, null, null, -1, Map.of(), 0, null, null, null, "no run in " + state.root());
        }
        Path file = switch (last.state()) {
            case "pending" -> state.pending().resolve(last.name());
            case "sent" -> state.sent().resolve(last.name());
            default -> state.quarantine().resolve(last.name());
        };
        JsonNode manifest = Files.exists(file) ? manifest(file) : null;
        String verdict = manifest != null ? manifest.path("verdict").asText(null) : receiptVerdict(state, last.name());
        Instant started = manifest == null ? null : instant(manifest.path("started").asText(null));
        Instant ended = manifest == null ? null : instant(manifest.path("ended").asText(null));
        Map<String, String> suites = manifest == null ? Map.of() : summarySuites(file);
        return new RunStatus("last", Outbox.runId(Path.of(last.name())), manifest == null ? null : manifest.path("profile").asText(null), started,
                started != null && ended != null ? Duration.between(started, ended) : null, -1, suites, 0, verdict, file,
                last.state(), last.detail());
    }

    private static Optional<Path> newestRunDir(StateDir state) throws IOException {
        if (!Files.isDirectory(state.runs())) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(state.runs())) {
            return s.filter(Files::isDirectory).filter(d -> Files.exists(d.resolve(Journal.FILE))).max(Comparator.comparing(d -> d.getFileName().toString()));
        }
    }

    /** The pid written into run.lock by the process that took it last, or -1. */
    static long holderPid(StateDir state) {
        try {
            String text = Files.readString(state.root().resolve(StateLock.FILE), StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid (\\d+)").matcher(text);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static JsonNode entry(Path zip, String name) {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals(name)) {
                    return Json.MAPPER.readTree(z.readNBytes(4 << 20));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static JsonNode manifest(Path zip) {
        return entry(zip, BundleNames.MANIFEST);
    }

    private static Map<String, String> summarySuites(Path zip) {
        JsonNode summary = entry(zip, BundleNames.SUMMARY);
        Map<String, String> out = new LinkedHashMap<>();
        if (summary != null) {
            for (JsonNode s : summary.path("suites")) {
                out.put(s.path("suiteId").asText("?"), s.path("outcome").asText("?"));
            }
        }
        return out;
    }

    private static String receiptVerdict(StateDir state, String bundleName) {
        Path receipt = state.sent().resolve(bundleName.replace(".kiln.zip", ".receipt.json"));
        try {
            return Json.MAPPER.readTree(receipt.toFile()).path("verdict").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** As JSON for {@code kiln status --json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state);
        m.put("runId", runId);
        m.put("profile", profile);
        m.put("started", started == null ? null : started.toString());
        m.put("elapsedSeconds", elapsed == null ? null : elapsed.toSeconds());
        m.put("pid", pid > 0 ? pid : null);
        List<Map<String, String>> s = new ArrayList<>();
        suites.forEach((k, v) -> s.add(Map.of("suite", k, "outcome", v)));
        m.put("suites", s);
        m.put("failures", failures);
        m.put("verdict", verdict);
        m.put("bundle", bundle == null ? null : bundle.toString());
        m.put("delivery", delivery);
        m.put("detail", detail);
        return m;
    }
}
