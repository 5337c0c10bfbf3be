package dev.kiln.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.api.Availability;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.core.SuiteRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kiln suites}: every suite in this agent, with whether it can run here and why not. */
@Command(name = "suites", mixinStandardHelpOptions = true, description = "List every suite with what `kiln run --profile P` would do "
        + "with it on this machine (the same check a run makes, with the parameters the profile passes) and the reason when it would skip it.")
final class SuitesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--profile", defaultValue = "smoke", paramLabel = "NAME|FILE",
            description = "The profile whose parameters the check uses, as `kiln run --profile` would. Default: ${DEFAULT-VALUE}.")
    String profile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SuiteRegistry registry = SuiteRegistry.load();
        SuiteEnvironment env = dev.kiln.core.platform.PlatformProbe.current().environment();
        // each suite's parameters as the run would pass them (its first request): planned by the run's own planner,
        // which validates them, so a profile a run refuses is refused here too (78)
        Map<String, Map<String, String>> given = new LinkedHashMap<>();
        dev.kiln.core.profile.Profile prof = new dev.kiln.core.profile.ProfileLoader().load(profile);
        for (dev.kiln.core.runner.SuiteRequest r : new dev.kiln.core.profile.RunPlanner(registry, env).plan(prof, null, null, Map.of())) {
            given.putIfAbsent(r.suite().descriptor().id(), r.parameters());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String id : registry.ids()) {
            Suite s = registry.create(id);
            SuiteDescriptor d = s.descriptor();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", d.id());
            row.put("title", d.title());
            row.put("exercises", d.exercises());
            try {
                Availability a = s.availability(env, d.withDefaults(given.getOrDefault(d.id(), Map.of())));
                row.put("available", a.available());
                row.put("category", a.available() ? null : a.category().name());
                row.put("reason", a.reason());
            } catch (RuntimeException | LinkageError e) {
                // a broken driver: listed with what broke, as a run would record the suite as ERROR
                row.put("available", false);
                row.put("category", "ERROR");
                row.put("reason", "availability check failed: " + e.getClass().getSimpleName() + ": " + dev.kiln.bundle.Why.of(e));
            }
            row.put("defaultDurationSeconds", d.defaultDuration().toSeconds());
            row.put("alwaysVerifies", d.alwaysVerifies());
            List<Map<String, String>> params = new ArrayList<>();
            d.parameters().forEach(p -> params.add(Map.of("name", p.name(), "default", p.defaultValue(), "description", p.description())));
            row.put("parameters", params);
            rows.add(row);
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
        } else {
            out.printf("%-20s %-26s %s%n", "SUITE", "AVAILABILITY", "TITLE");
            for (Map<String, Object> r : rows) {
                String avail = (Boolean) r.get("available") ? "available"
                        : "ERROR".equals(r.get("category")) ? "broken" : "unavailable: " + r.get("category");
                out.printf("%-20s %-26s %s%n", r.get("id"), avail, r.get("title"));
                if (!(Boolean) r.get("available")) {
                    out.printf("%-20s %-26s reason: %s%n", "", "", r.get("reason"));
                }
            }
        }
        out.flush();
        return 0;
    }
}
