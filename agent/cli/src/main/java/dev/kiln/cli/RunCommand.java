package dev.kiln.cli;

import dev.kiln.core.Durations;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.RunIds;
import dev.kiln.core.SuiteRegistry;
import dev.kiln.core.events.HumanReporter;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.inventory.InventoryCheckSuite;
import dev.kiln.core.inventory.Sku;
import dev.kiln.core.inventory.TelemetryLimitsSuite;
import dev.kiln.core.session.RunSession;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.config.KilnConfig;
import dev.kiln.core.metrics.MetricsServer;
import dev.kiln.core.metrics.RunMetrics;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.upload.ServiceConfig;
import dev.kiln.core.upload.Tls;
import java.nio.file.Path;
import java.util.function.Consumer;
import dev.kiln.core.inventory.InventoryProbe;
import dev.kiln.core.platform.ThreadPlacer;
import dev.kiln.core.profile.Profile;
import dev.kiln.core.profile.ProfileLoader;
import dev.kiln.core.profile.RunPlanner;
import dev.kiln.core.runner.FaultPlan;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunOptions;
import dev.kiln.core.runner.Seeds;
import dev.kiln.core.runner.SuiteRequest;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code kiln run}: run a profile's suites, report, and exit with the verdict's code. */
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
            description = "Human progress: live (redrawn line), plain (a line every 10s), auto (live on a terminal).")
    ProgressMode progress;

    @Option(names = "--hang-timeout", paramLabel = "D", description = "A worker silent this long is HUNG (default: the profile's, else 30s).")
    String hangTimeout;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where runs, the outbox and the station key live (default: KILN_STATE_DIR, /var/lib/kiln as root, else ~/.local/state/kiln).")
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

    @Option(names = "--no-upload", description = "Leave the bundle in the outbox even if a service is configured.")
    boolean noUpload;

    @Option(names = "--require-delivery", description = "Exit 3 when the verdict was reached but the bundle could not be delivered.")
    boolean requireDelivery;

    @Option(names = "--metrics-port", paramLabel = "N",
            description = "Serve Prometheus metrics at http://<host>:N/metrics while the run and its delivery last (0: any free port).")
    Integer metricsPort;

    @Option(names = "--pause-at", hidden = true, paramLabel = "POINT", description = "Crash-test seam: NONE, SUITE_END or SEALING.")
    RunSession.PausePoint pauseAt = RunSession.PausePoint.NONE;

    @Option(names = "--inject-fault", hidden = true, paramLabel = "SUITE:SITE@CPU:ITERATION[/PHASE]",
            description = "Developer test seam: plant a fault the suite must catch.")
    List<String> faults = new ArrayList<>();

    @Option(names = "--max-iterations", hidden = true, paramLabel = "N",
            description = "Stop each worker after N iterations per phase (for replaying a fixed amount of work).")
    long maxIterations;

    @Override
    public Integer call() {
        // Everything is checked before anything runs or is written.
        Main.require(!(output == Output.jsonl && progress != null),
                "--progress applies to human output; --output jsonl writes only the event stream");
        Main.require(maxIterations >= 0, "--max-iterations must be >= 0");
        Main.require(!(noUpload && service != null), "--no-upload and --service contradict each other");
        Main.require(!(noUpload && requireDelivery), "--require-delivery needs delivery, which --no-upload turns off");
        Duration total = duration == null ? null : parse("--duration", duration);
        long runSeed;
        try {
            runSeed = seed == null ? new SecureRandom().nextLong() : Seeds.parse(seed);
        } catch (IllegalArgumentException e) {
            throw KilnException.usage("--seed: " + e.getMessage());
        }
        List<FaultPlan> planted = new ArrayList<>();
        for (String f : faults) {
            try {
                planted.add(FaultPlan.parse(f));
            } catch (IllegalArgumentException e) {
                throw KilnException.usage("--inject-fault: " + e.getMessage());
            }
        }
        Map<String, Map<String, String>> overrides = parseParams(params);
        Profile p = new ProfileLoader().load(profile);
        Duration hang = hangTimeout != null ? parse("--hang-timeout", hangTimeout)
                : p.hangTimeout() != null ? profileDuration(p) : Duration.ofSeconds(30);
        List<SuiteRequest> requests = new ArrayList<>(new RunPlanner(SuiteRegistry.load()).plan(p, suites, total, overrides));
        Sku sku = skuFile == null ? null : Sku.load(skuFile);

        RunOptions options = RunOptions.defaults(runSeed).withHangTimeout(hang).withMaxIterations(maxIterations)
                .withFaults(planted);
        PrintStream out = parent.out;
        Consumer<String> notice = line -> parent.err.println("kiln: " + line);
        StateDir state = StateDir.resolve(stateDir).create();
        KilnConfig.Loaded cfg = KilnConfig.load(config, state);
        ServiceConfig svc = noUpload ? null : cfg.service(service);
        Main.require(!(requireDelivery && svc == null), "--require-delivery needs an acceptance service (--service or the config file)");
        if (svc != null) {
            Tls.context(svc); // a bad certificate or key is a configuration error now, not after hours of burn-in
        }
        new Outbox(state, Clock.systemUTC()).requireFreeSpace(cfg.minFreeBytes());
        RunSession session = RunSession.open(state, key, Clock.systemUTC(), pauseAt, notice).withSysfsRoot(sysfsRoot);
        Delivery.checkOutbox(state, notice);

        RunEngine engine = new RunEngine(ThreadPlacer.forThisPlatform(), Machine.environment());
        RunListener display = null;
        if (output == Output.human) {
            boolean live = progress == ProgressMode.live || (progress == null || progress == ProgressMode.auto) && Main.stdoutIsTerminal();
            display = new HumanReporter(out, live, Duration.ofSeconds(10), engine::progress);
        }
        Inventory inventory = new InventoryProbe().probe();
        Map<String, Object> inventoryRecord = new LinkedHashMap<>();
        inventoryRecord.put("inventory", inventory);
        if (sku != null) {
            requests.add(0, new SuiteRequest(new InventoryCheckSuite(sku, inventory), Duration.ofMillis(100), true, Map.of()));
            inventoryRecord.put("sku", sku);
            inventoryRecord.put("checks", sku.compare(inventory));
            if (sku.limits() != null) {
                requests.add(new SuiteRequest(new TelemetryLimitsSuite(sku.limits(), session.telemetryStats()), Duration.ofMillis(100),
                        true, Map.of()));
            }
        }
        RunInfo info = new RunInfo(RunIds.newRunId().toString(), p.name(), runSeed, Instant.now(), Main.version(),
                commandLine(), requests.stream().map(SuiteRequest::planned).toList(), inventory.identity());

        byte[] inventoryJson;
        try {
            inventoryJson = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(inventoryRecord);
        } catch (java.io.IOException e) {
            throw new KilnException(ExitCode.INTERNAL, "cannot encode the inventory: " + e.getMessage());
        }
        try (MetricsServer metrics = Metrics.serve(metricsPort, state, notice)) {
            RunListener shown = display;
            if (metrics != null) {
                RunMetrics runMetrics = new RunMetrics(metrics.registry(), engine::progress);
                session.withMeters(metrics.registry());
                shown = display == null ? runMetrics : RunListener.all(display, runMetrics);
            }
            return runAndDeliver(engine, session, info, requests, options, inventoryJson, shown, state, cfg, svc, out, notice);
        }
    }

    private int runAndDeliver(RunEngine engine, RunSession session, RunInfo info, List<SuiteRequest> requests, RunOptions options,
                              byte[] inventoryJson, RunListener shown, StateDir state, KilnConfig.Loaded cfg, ServiceConfig svc,
                              PrintStream out, Consumer<String> notice) {
        RunSession.Result result = cancelledBySignals(engine,
                () -> session.run(engine, info, requests, options, inventoryJson, output == Output.jsonl ? out : null, shown));
        Consumer<String> say = output == Output.human ? out::println : notice;
        if (result.bundle() == null) {
            out.flush();
            return result.exit().code();
        }
        String where = "bundle " + result.bundle().getFileName() + " (verdict " + result.report().verdict() + ", signed by "
                + session.key().keyId().substring(0, 16) + "…)";
        boolean delivered = false;
        if (svc == null) {
            say.accept(where + " is in the outbox " + state.pending() + (noUpload ? " (--no-upload)" : ": no acceptance service is configured"));
        } else {
            delivered = Delivery.afterRun(svc, state, cfg, result.bundle(), where, say);
        }
        out.flush();
        if (requireDelivery && !delivered) {
            return ExitCode.NOT_DELIVERED.code();
        }
        return result.exit().code();
    }

    /**
     * Runs with a shutdown hook that turns SIGINT/SIGTERM into a cancel and waits (at most 15 s) for
     * the summary, the last events and the bundle to be written.
     */
    private static RunSession.Result cancelledBySignals(RunEngine engine, java.util.function.Supplier<RunSession.Result> run) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            engine.cancel();
            try {
                finished.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "kiln-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run.get();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: we are exiting anyway
            }
        }
    }

    private static Duration parse(String flag, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw KilnException.usage(flag + ": " + e.getMessage());
        }
    }

    private static Duration profileDuration(Profile p) {
        try {
            return Durations.parse(p.hangTimeout());
        } catch (IllegalArgumentException e) {
            throw KilnException.config("profile " + p.name() + ", hangTimeout: " + e.getMessage());
        }
    }

    static Map<String, Map<String, String>> parseParams(List<String> params) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String p : params) {
            int dot = p.indexOf('.');
            int eq = p.indexOf('=');
            if (dot <= 0 || eq < dot + 2) {
                throw KilnException.usage("--param '" + p + "' is not SUITE.NAME=VALUE");
            }
            out.computeIfAbsent(p.substring(0, dot), k -> new LinkedHashMap<>()).put(p.substring(dot + 1, eq), p.substring(eq + 1));
        }
        return out;
    }

    private String commandLine() {
        return "kiln " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
