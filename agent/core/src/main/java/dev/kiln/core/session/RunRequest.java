package dev.kiln.core.session;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A run as its caller asked for it, before anything is checked: the command line's options as
 * written ({@code kiln run}), or what a test or a later entry point fills in. {@link RunService}
 * checks every field before its first write.
 *
 * @param profile         built-in profile name or YAML file
 * @param suites          {@code --suites} (null: the profile's); named suites are required
 * @param duration        {@code --duration} as written, or null
 * @param seed            {@code --seed} as written (decimal or 0x hex), or null for a fresh one
 * @param params          {@code -P suite.name=value}, as written
 * @param hangTimeout     {@code --hang-timeout} as written, or null (the profile's, else the default)
 * @param stateDir        {@code --state-dir}, or null (KILN_STATE_DIR, else the platform's default)
 * @param key             {@code --key}, or null (the state directory's station key)
 * @param service         {@code --service} URL, or null (the config file's)
 * @param config          {@code --config}, or null (the state directory's config.yaml)
 * @param sku             {@code --sku}, or null
 * @param sysfsRoot       root of /sys for telemetry (a fixture tree in tests)
 * @param noUpload        leave the bundle in the outbox
 * @param requireDelivery exit 3 when the run passed but its bundle could not be delivered
 * @param metricsPort     {@code --metrics-port}, or null
 * @param pauseAt         crash-test seam
 * @param faults          planted faults, as written ({@code SUITE:SITE@CPU:ITERATION[/PHASE]})
 * @param maxIterations   per worker and phase (0: no limit)
 * @param output          human or the OCP event stream
 * @param progress        how human progress is drawn
 * @param terminal        whether stdout is an interactive terminal (for {@link Progress#AUTO})
 * @param commandLine     the command line, for the record
 * @param serial          {@code --serial}: the unit's serial, given; null to read it ({@link dev.kiln.core.inventory.UnitIdentity})
 */
public record RunRequest(String profile, List<String> suites, String duration, String seed, List<String> params,
                         String hangTimeout, Path stateDir, Path key, String service, Path config, Path sku, Path sysfsRoot,
                         boolean noUpload, boolean requireDelivery, Integer metricsPort, RunSession.PausePoint pauseAt,
                         List<String> faults, long maxIterations, Output output, Progress progress, boolean terminal,
                         String commandLine, String serial) {

    /** What stdout carries. */
    public enum Output { HUMAN, JSONL }

    /** How human progress is drawn; null in a request means not given. */
    public enum Progress { AUTO, LIVE, PLAIN }

    public RunRequest {
        Objects.requireNonNull(profile, "profile");
        suites = suites == null ? null : List.copyOf(suites);
        params = params == null ? List.of() : List.copyOf(params);
        faults = faults == null ? List.of() : List.copyOf(faults);
        sysfsRoot = sysfsRoot == null ? Path.of("/") : sysfsRoot;
        pauseAt = pauseAt == null ? RunSession.PausePoint.NONE : pauseAt;
        output = output == null ? Output.HUMAN : output;
        commandLine = commandLine == null ? "kiln run" : commandLine;
    }

    /** The defaults of {@code kiln run} with no options, for a profile and a state directory. */
    public static RunRequest of(String profile, Path stateDir) {
        return new RunRequest(profile, null, null, null, List.of(), null, stateDir, null, null, null, null, null, false, false,
                null, null, List.of(), 0, Output.HUMAN, null, false, null, null);
    }
}
