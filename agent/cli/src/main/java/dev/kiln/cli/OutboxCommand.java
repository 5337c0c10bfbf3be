package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.core.Durations;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln outbox [--json]}: what is pending, sent and quarantined. */
@Command(name = "outbox", mixinStandardHelpOptions = true, description = "List pending, sent and quarantined bundles with age and last error.")
final class OutboxCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default as for run).")
    Path stateDir;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Outbox.Entry> entries = new Outbox(StateDir.resolve(stateDir).create(), Clock.systemUTC()).list();
        if (json) {
            List<Map<String, Object>> rows = entries.stream().map(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("state", e.state());
                m.put("name", e.name());
                m.put("bytes", e.bytes());
                m.put("ageSeconds", e.age().toSeconds());
                m.put("attempts", e.attempts());
                m.put("detail", e.detail());
                return m;
            }).toList();
            parent.out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
            return 0;
        }
        long pending = entries.stream().filter(e -> e.state().equals("pending")).count();
        long runs = entries.stream().filter(e -> e.state().equals("quarantined-run")).count();
        parent.out.printf("%d pending, %d sent, %d quarantined%s%n", pending,
                entries.stream().filter(e -> e.state().equals("sent")).count(),
                entries.stream().filter(e -> e.state().equals("quarantined")).count(),
                runs == 0 ? "" : ", " + runs + " run(s) kept in quarantine/runs/ (could not be sealed)");
        for (Outbox.Entry e : entries) {
            parent.out.printf("%-15s %-60s %8s %3s  %s%n", e.state(), e.name(), Durations.format(e.age()),
                    e.attempts() == 0 ? "" : e.attempts() + "x", e.detail());
        }
        return 0;
    }
}
