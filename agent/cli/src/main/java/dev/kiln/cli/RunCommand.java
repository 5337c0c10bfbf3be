package dev.kiln.cli;

import dev.kiln.core.session.RunRequest;
import dev.kiln.core.session.RunService;
import dev.kiln.core.session.RunSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code kiln run}: maps its options to a {@link RunRequest} and hands it to the core's
 * {@link RunService}, which checks it, runs it, seals and delivers, and decides the exit code.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the suites of a profile and decide a verdict.")
final class RunCommand implements Callable<Integer> {
    enum Output { human, jsonl }

    enum ProgressMode { auto, live, plain }

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main parent;

    @Option(names = "--profile", defaultValue = "smoke", paramLabel = "NAME|FILE",
            description = "Built-in profile (smoke, standard, burn-in) or a YAML file. Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--suites", split = ",", paramLabel = "a,b", description = "Run only these suites, in this order.")
    List<String> suites;

    @Option(names = "--duration", paramLabel = "D",
            description = "Total run time (90s, 20m, 12h), shared among the suites in the profile's proportions.")
    String duration;

    @Option(names = "--seed", paramLabel = "S", description = "Run seed (decimal or 0x hex); replays the work of an earlier run.")
    String seed;

    @Option(names = {"-P", "--param"}, paramLabel = "SUITE.NAME=VALUE", description = "Set a suite parameter, e.g. -P cpu.kernels=sha256,sort.")
    List<String> params = new ArrayList<>();

    @Option(names = "--output", defaultValue = "human", paramLabel = "human|jsonl",
            description = "human (progress and a summary) or jsonl (the OCP Test & Validation v2 event stream). Default: ${DEFAULT-VALUE}.")
    Output output;

    @Option(names = "--progress", paramLabel = "auto|live|plain",
            description = "Human progress: live (a line per running suite, redrawn at the foot of the terminal; NO_COLOR turns colour off), "
                    + "plain (a line every 10s), auto (live on a terminal).")
    ProgressMode progress;

    @Option(names = "--hang-timeout", paramLabel = "D", description = "A worker silent this long is HUNG (default: the profile's, else 30s).")
    String hangTimeout;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where runs, the outbox and the station key live (default: KILN_STATE_DIR; else on Linux /var/lib/kiln as root, "
                    + "~/.local/state/kiln otherwise; on macOS /Library/Application Support/Kiln as root, "
                    + "~/Library/Application Support/Kiln otherwise).")
    Path stateDir;

    @Option(names = "--key", paramLabel = "FILE", description = "Station signing key (PKCS#8 PEM, mode 0600; its .pub beside it). Default: the state directory's.")
    Path key;

    @Option(names = "--service", paramLabel = "URL", description = "Deliver the bundle to this acceptance service (else the config file's).")
    String service;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: <state-dir>/config.yaml).")
    Path config;

    @Option(names = "--sku", paramLabel = "FILE", description = "SKU file: check the inventory first; a missing or different part is a FAIL.")
    Path skuFile;

    @Option(names = "--sysfs-root", hidden = true, paramLabel = "DIR", description = "Root of /sys for telemetry (tests).")
    Path sysfsRoot = Path.of("/");

    @Option(names = "--serial", paramLabel = "SERIAL", description = "The unit's serial, where the machine gives none (else its DMI or "
            + "system_profiler serial, else its machine id, hashed).")
    String serial;

    @Option(names = "--no-upload", description = "Leave the bundle in the outbox even if a service is configured.")
    boolean noUpload;

    @Option(names = "--require-delivery", description = "Exit 3 when the run passed but its bundle could not be delivered (a FAIL "
            + "still exits 1 and an INCOMPLETE 2, the delivery said beside them).")
    boolean requireDelivery;

    @Option(names = "--metrics-port", paramLabel = "N",
            description = "Serve Prometheus metrics at http://<host>:N/metrics while the run and its delivery last (0: any free port).")
    Integer metricsPort;

    @Option(names = "--pause-at", hidden = true, paramLabel = "POINT", description = "Crash-test seam: NONE, STARTING, SUITE_END or SEALING.")
    RunSession.PausePoint pauseAt = RunSession.PausePoint.NONE;

    @Option(names = "--inject-fault", hidden = true, paramLabel = "SUITE:SITE@CPU:ITERATION[~CHANCE][/PHASE]",
            description = "Developer test seam: plant a fault the suite must catch.")
    List<String> faults = new ArrayList<>();

    @Option(names = "--max-iterations", hidden = true, paramLabel = "N",
            description = "Stop each worker after N iterations per phase (for replaying a fixed amount of work).")
    long maxIterations;

    @Override
    public Integer call() {
        RunRequest request = new RunRequest(profile, suites, duration, seed, params, hangTimeout, stateDir, key, service, config, skuFile,
                sysfsRoot, noUpload, requireDelivery, metricsPort, pauseAt, faults, maxIterations,
                output == Output.jsonl ? RunRequest.Output.JSONL : RunRequest.Output.HUMAN,
                progress == null ? null : RunRequest.Progress.valueOf(progress.name().toUpperCase(java.util.Locale.ROOT)),
                Main.stdoutIsTerminal(), commandLine(), serial);
        return new RunService(Main.version(), parent.out, parent.err).run(request);
    }

    private String commandLine() {
        return "kiln " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
