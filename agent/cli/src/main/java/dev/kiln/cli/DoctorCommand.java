package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.core.doctor.Check;
import dev.kiln.core.doctor.Doctor;
import dev.kiln.core.state.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kiln doctor [--json]}: prints what {@link Doctor} finds of every capability Kiln uses on
 * this machine, each OK, DEGRADED or MISSING with the reason and the fix. Writes nothing (the service check is a read that stores
 * nothing). Its JSON is the checklist the first Mac of a new line runs; checks of macOS behaviour not
 * yet seen on real Apple Silicon say so ({@code seenOnAppleSilicon: false}, docs/on-hardware-checklist.md).
 * Exit 0 when nothing is MISSING, 2 when something is (this machine cannot run everything).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check every capability Kiln uses here: OK, DEGRADED or MISSING, with the reason and the fix. Exit 2 when something is missing.")
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default as for run).")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: <state-dir>/config.yaml if present).")
    Path config;

    @Option(names = "--sysfs-root", hidden = true, paramLabel = "DIR", description = "Root of /sys for telemetry (tests).")
    Path sysfsRoot;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        List<Check> checks = Doctor.run(stateDir, config, sysfsRoot);
        long missing = Doctor.count(checks, Check.Status.MISSING);
        long degraded = Doctor.count(checks, Check.Status.DEGRADED);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kiln", Main.version());
            m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
            m.put("checks", checks);
            m.put("ok", checks.size() - missing - degraded);
            m.put("degraded", degraded);
            m.put("missing", missing);
            try {
                parent.out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            for (Check c : checks) {
                parent.out.printf("%-8s %-28s %s%s%n", c.status(), c.id(), c.summary(), c.fix().isEmpty() || c.status() == Check.Status.OK ? ""
                        : " — fix: " + c.fix());
            }
            parent.out.printf("%d ok, %d degraded, %d missing%n", checks.size() - missing - degraded, degraded, missing);
        }
        return missing > 0 ? 2 : 0;
    }
}
