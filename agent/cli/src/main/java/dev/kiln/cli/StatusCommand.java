package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.core.Durations;
import dev.kiln.core.journal.RunStatus;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kiln status [--json]}: the run in progress (its suites so far, failures found, how long it
 * has run) or the last one (verdict, bundle, delivered or not). Reads files only, never the run lock:
 * safe to call from a rack's script at any moment, while a run holds the state directory.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "The run in progress or the last one: suites, failures, verdict, bundle, delivery. Safe while a run holds the state directory.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default as for run).")
    Path stateDir;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RunStatus s = RunStatus.of(StateDir.resolve(stateDir), Clock.systemUTC());
        if (json) {
            parent.out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s.toJson()));
            return 0;
        }
        switch (s.state()) {
            case "none" -> parent.out.println("no run yet (" + s.detail() + ")");
            case "running" -> {
                parent.out.printf("running: run %s, profile %s, pid %d, %s so far, %d failure(s) found%n", s.runId(), s.profile(), s.pid(),
                        s.elapsed() == null ? "?" : Durations.format(s.elapsed()), s.failures());
                s.suites().forEach((k, v) -> parent.out.printf("  %-28s %s%n", k, v));
            }
            case "died" -> {
                parent.out.printf("died: run %s, profile %s: %s%n", s.runId(), s.profile(), s.detail());
                s.suites().forEach((k, v) -> parent.out.printf("  %-28s %s%n", k, v));
            }
            default -> {
                parent.out.printf("last run %s: %s, profile %s%s%n", s.runId(), s.verdict() == null ? "verdict unknown" : s.verdict(),
                        s.profile() == null ? "?" : s.profile(), s.elapsed() == null ? "" : ", " + Durations.format(s.elapsed()));
                s.suites().forEach((k, v) -> parent.out.printf("  %-28s %s%n", k, v));
                parent.out.println("bundle " + s.bundle() + ": " + s.delivery() + (s.detail() == null || s.detail().isBlank() ? "" : " (" + s.detail() + ")"));
            }
        }
        return 0;
    }
}
