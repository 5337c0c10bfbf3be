package dev.kiln.core.journal;

import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import dev.kiln.core.Verdicts;
import dev.kiln.core.events.AgentLog;
import dev.kiln.core.events.OcpJsonlWriter;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.core.state.StateDir;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * At every start: finds run directories whose bundle was never sealed (the agent died: a crash, a
 * kill, a power cut) and seals them, with the suites that finished and an INTERRUPTED entry for the
 * one in flight. A run that ended but was not sealed keeps its verdict; one that did not end is
 * INCOMPLETE (or FAIL, when a finished suite already found a defect: that evidence stands; or when
 * the trace it left shows what {@code traceFinding} finds: a unit that cooked to shutdown). The
 * event stream is completed where it stopped, so the bundle's stream is valid.
 */
public final class Recovery {
    private final StateDir state;
    private final Sealer sealer;
    private final Clock clock;
    private final java.util.function.Function<Path, SuiteResult> traceFinding;

    public Recovery(StateDir state, Sealer sealer, Clock clock) {
        this(state, sealer, clock, dir -> null);
    }

    /**
     * @param traceFinding judges what a dead run left in its directory (its telemetry trace): a FAIL
     *                     result to add, or null when it shows none. Only asked for runs that did not end
     */
    public Recovery(StateDir state, Sealer sealer, Clock clock, java.util.function.Function<Path, SuiteResult> traceFinding) {
        this.state = state;
        this.sealer = sealer;
        this.clock = clock;
        this.traceFinding = traceFinding;
    }

    /**
     * Seals what needs sealing; returns the bundles made. {@code notice} gets one line per action.
     * Evidence is never deleted: a run that cannot be read or sealed is moved, whole, to
     * {@code quarantine/runs/} with a {@code .reason} file, and the next run starts. Only a full
     * disk stops the station (exit 73), since nothing can be sealed then; the run stays for later.
     */
    public List<Path> recoverAll(Consumer<String> notice) throws IOException {
        List<Path> sealed = new ArrayList<>();
        clearStaging();
        if (!Files.isDirectory(state.runs())) {
            return sealed;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(state.runs())) {
            dirs = s.sorted().toList();
        }
        for (Path dir : dirs) {
            String runId = dir.getFileName().toString();
            if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                quarantineRun(dir, "is not a run directory", notice);
                continue;
            }
            if (alreadySealed(runId)) {
                Sealer.deleteTree(dir); // died between the rename and the clean-up: the bundle holds all of it
                continue;
            }
            try {
                Journal.Contents j = Journal.read(dir);
                if (j.run() == null) {
                    quarantineRun(dir, "has no readable run-start line in its journal (" + String.join("; ", j.lost()) + ")", notice);
                    continue;
                }
                RunReport report = reconstruct(j, j.ended() == null ? traceFinding.apply(dir) : null);
                completeEvents(dir, j, report);
                Path bundle = sealer.seal(report, true, j.lost());
                notice.accept("recovered run " + runId + " (" + report.verdict() + "): sealed " + bundle
                        + (j.lost().isEmpty() ? "" : "; " + j.lost().size() + " journal line(s) unreadable, named in the bundle"));
                sealed.add(bundle);
            } catch (IOException e) {
                if (diskFull(e)) {
                    throw e; // nothing can be sealed now; the run waits for space
                }
                quarantineRun(dir, "cannot be sealed: " + describe(e), notice);
            } catch (RuntimeException e) {
                quarantineRun(dir, "cannot be sealed: " + describe(e), notice);
            }
        }
        return sealed;
    }

    /** Whether an I/O failure is the disk being full, which waiting (or freeing space) cures. */
    static boolean diskFull(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("No space left") || m.contains("Disk quota exceeded") || m.contains("not enough space")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + dev.kiln.bundle.Why.of(e));
    }

    /** Moves a run directory, whole, to {@code quarantine/runs/} with the reason beside it. */
    private void quarantineRun(Path dir, String reason, Consumer<String> notice) throws IOException {
        Path into = state.root().resolve("quarantine/runs");
        Files.createDirectories(into);
        String name = dir.getFileName().toString();
        Path target = AtomicFiles.moveKeepingBoth(dir, into, name, n -> name + "." + n);
        AtomicFiles.write(into.resolve(target.getFileName() + ".reason"),
                (clock.instant() + " run " + name + " " + reason + "\n").getBytes(StandardCharsets.UTF_8), state.tmp());
        notice.accept("run " + name + " " + reason + ": moved to " + target + " (kept as evidence; this run goes on)");
    }

    private boolean alreadySealed(String runId) throws IOException {
        if (!Files.isDirectory(state.pending())) {
            return false;
        }
        try (Stream<Path> s = Files.list(state.pending())) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith("_" + runId + ".kiln.zip"));
        }
    }

    /**
     * Staged files are never bundles: what a crashed process left in tmp/ is removed; files another
     * live process is staging (its pid is in their names) are left alone.
     */
    private void clearStaging() throws IOException {
        if (Files.isDirectory(state.tmp())) {
            try (Stream<Path> s = Files.list(state.tmp())) {
                for (Path p : s.toList()) {
                    if (AtomicFiles.stagedByDeadProcess(p)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    RunReport reconstruct(Journal.Contents j) {
        return reconstruct(j, null);
    }

    RunReport reconstruct(Journal.Contents j, SuiteResult finding) {
        List<SuiteResult> results = new ArrayList<>(j.results());
        if (finding != null && results.stream().noneMatch(r -> r.suiteId().equals(finding.suiteId()))) {
            results.add(finding);
        }
        for (String id : j.inFlight()) {
            PlannedSuite p = j.run().suites().stream().filter(s -> s.id().equals(id)).findFirst()
                    .orElse(new PlannedSuite(id, java.time.Duration.ZERO, true, Map.of()));
            Instant now = clock.instant();
            results.add(new SuiteResult(p.id(), p.required(), Outcome.INTERRUPTED, null,
                    "the agent stopped while this suite ran (crash, kill or power loss); found at the next start",
                    now, now, 0, 0, List.of(), List.of(), 0, "", "", p.parameters(), ""));
        }
        Verdict verdict;
        if (j.ended() != null) {
            verdict = Verdicts.decide(results);
        } else {
            verdict = results.stream().anyMatch(r -> r.outcome().isDefect()) ? Verdict.FAIL : Verdict.INCOMPLETE;
        }
        Instant ended = j.ended() != null ? j.ended() : clock.instant();
        return new RunReport(j.run(), ended, results, verdict);
    }

    /** Completes the run's event stream: cut a torn last line, close the open step, end the run. */
    private void completeEvents(Path dir, Journal.Contents j, RunReport report) throws IOException {
        if (!j.lost().isEmpty()) {
            try (PrintStream log = new PrintStream(new FileOutputStream(dir.resolve(RunRecorder.LOG).toFile(), true), true,
                    StandardCharsets.UTF_8)) {
                AgentLog a = new AgentLog(log, clock);
                j.lost().forEach(l -> a.line("WARNING", "recovery: " + l + "; what it held is not in this bundle"));
            }
        }
        Path events = dir.resolve(RunRecorder.EVENTS);
        List<String> complete = new ArrayList<>();
        if (Files.exists(events)) {
            String text = Files.readString(events, StandardCharsets.UTF_8);
            int lastNewline = text.lastIndexOf('\n');
            for (String line : text.substring(0, lastNewline + 1).split("\n")) {
                if (!line.isBlank()) {
                    complete.add(line);
                }
            }
        }
        OcpJsonlWriter.ResumePoint at;
        try {
            at = OcpJsonlWriter.ResumePoint.of(complete);
        } catch (IllegalArgumentException e) {
            complete.clear();
            at = OcpJsonlWriter.ResumePoint.of(complete);
        }
        if (at.runEnded()) {
            return;
        }
        StringBuilder rewritten = new StringBuilder();
        complete.forEach(l -> rewritten.append(l).append('\n'));
        Files.writeString(events, rewritten.toString(), StandardCharsets.UTF_8);
        try (FileOutputStream file = new FileOutputStream(events.toFile(), true);
             PrintStream out = new PrintStream(file, true, StandardCharsets.UTF_8);
             PrintStream log = new PrintStream(new FileOutputStream(dir.resolve(RunRecorder.LOG).toFile(), true), true,
                     StandardCharsets.UTF_8)) {
            RunListener l = RunListener.all(at.runStarted() ? new OcpJsonlWriter(out, clock, at) : new OcpJsonlWriter(out, clock),
                    new AgentLog(log, clock));
            new AgentLog(log, clock).line("WARNING", "the agent stopped before sealing this run; sealed at the next start");
            replay(l, j.run(), report, at);
            out.flush();
            file.getFD().sync();
        }
    }

    /** Feeds the listener what the stream is missing. */
    private static void replay(RunListener l, RunInfo run, RunReport report, OcpJsonlWriter.ResumePoint at) {
        if (!at.runStarted()) {
            l.runStarted(run);
        }
        for (SuiteResult r : report.results()) {
            boolean started = at.stepIds().containsKey(r.suiteId());
            boolean open = at.openSuites().contains(r.suiteId());
            if (started && !open) {
                continue; // already complete in the stream
            }
            if (!started) {
                PlannedSuite p = run.suites().stream().filter(s -> s.id().equals(r.suiteId())).findFirst()
                        .orElse(new PlannedSuite(r.suiteId(), java.time.Duration.ZERO, r.required(), r.parameters()));
                l.suiteStarted(p);
                r.measurements().forEach(m -> l.measurement(r.suiteId(), m));
                r.failures().forEach(f -> l.failure(r.suiteId(), f));
            }
            l.suiteEnded(r);
        }
        l.runEnded(report);
    }
}
