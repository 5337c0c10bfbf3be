package dev.kiln.core.session;

import dev.kiln.core.Durations;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.RunIds;
import dev.kiln.core.SuiteRegistry;
import dev.kiln.core.config.KilnConfig;
import dev.kiln.core.events.HumanReporter;
import dev.kiln.core.events.LiveView;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.metrics.MetricsServer;
import dev.kiln.core.metrics.RunMetrics;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.outbox.Station;
import dev.kiln.core.platform.InventoryProbe;
import dev.kiln.core.platform.PlatformProbe;
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
import dev.kiln.core.sku.InventoryCheckSuite;
import dev.kiln.core.sku.Sku;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.state.StateLock;
import dev.kiln.core.telemetry.ClusterClocks;
import dev.kiln.core.thermal.ThermalLimits;
import dev.kiln.core.thermal.ThermalSuite;
import dev.kiln.core.upload.Delivery;
import dev.kiln.core.upload.Heartbeats;
import dev.kiln.core.upload.ServiceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Every run goes through here: {@code kiln run}, the tests, and any later entry point. It owns the
 * run from request to exit code: every input checked before the first write (profile, suites,
 * parameters, durations, seed, faults, SKU, configuration, service, TLS material, metrics port);
 * planning and the one default hang timeout; the built-in checks (inventory against the SKU,
 * telemetry limits) and the inventory record; the state directory, station key and recovery; signal
 * handling; sealing and delivery; and the exit code, which is the one the summary prints.
 */
public final class RunService {
    /** The longest run {@code --duration} may ask for (a month of burn-in is already beyond any line's need). */
    public static final Duration MAX_DURATION = Duration.ofDays(30);

    private final String agentVersion;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param agentVersion recorded in the run and the bundle
     * @param out          stdout: the human display, or only the event stream with {@code --output jsonl}
     * @param err          stderr: notices, one line each
     */
    public RunService(String agentVersion, PrintStream out, PrintStream err) {
        this.agentVersion = agentVersion;
        this.out = out;
        this.err = err;
    }

    /** A request with every input checked and resolved; nothing has been written yet. */
    record Checked(RunRequest request, Profile profile, List<SuiteRequest> suites, RunOptions options, Sku sku, StateDir state,
                   KilnConfig.Loaded config, ServiceConfig service) {
    }

    /**
     * Checks the request whole and writes nothing.
     *
     * @throws KilnException 64 for a bad command line, 78 for a bad profile, SKU or configuration
     */
    Checked check(RunRequest r) {
        require(r.maxIterations() >= 0, "--max-iterations must be >= 0");
        String badSerial = r.serial() == null ? null : dev.kiln.core.inventory.UnitIdentity.problemWith(r.serial());
        require(badSerial == null, badSerial);
        require(!(r.output() == RunRequest.Output.JSONL && r.progress() != null),
                "--progress applies to human output; --output jsonl writes only the event stream");
        require(!(r.noUpload() && r.service() != null), "--no-upload and --service contradict each other");
        require(!(r.noUpload() && r.requireDelivery()), "--require-delivery needs delivery, which --no-upload turns off");
        require(r.metricsPort() == null || (r.metricsPort() >= 0 && r.metricsPort() <= 65535),
                "--metrics-port " + r.metricsPort() + ": not a TCP port (0-65535)");
        Duration total = r.duration() == null ? null : duration("--duration", r.duration());
        require(total == null || total.compareTo(MAX_DURATION) <= 0,
                "--duration " + r.duration() + " is longer than the longest run, " + Durations.format(MAX_DURATION) + " (30 days)");
        long seed;
        try {
            seed = r.seed() == null ? new SecureRandom().nextLong() : Seeds.parse(r.seed());
        } catch (IllegalArgumentException e) {
            throw KilnException.usage("--seed: " + e.getMessage());
        }
        List<FaultPlan> planted = new ArrayList<>();
        for (String f : r.faults()) {
            try {
                planted.add(FaultPlan.parse(f));
            } catch (IllegalArgumentException e) {
                throw KilnException.usage("--inject-fault: " + e.getMessage());
            }
        }
        Map<String, Map<String, String>> overrides = parseParams(r.params());
        Profile profile = new ProfileLoader().load(r.profile());
        Duration hang = r.hangTimeout() != null ? duration("--hang-timeout", r.hangTimeout())
                : profile.hangTimeout() != null ? profileHangTimeout(profile) : RunOptions.DEFAULT_HANG_TIMEOUT;
        List<SuiteRequest> suites = new RunPlanner(SuiteRegistry.load(), PlatformProbe.current().environment())
                .plan(profile, r.suites(), total, overrides);
        Sku sku = r.sku() == null ? null : Sku.load(r.sku());
        StateDir state = StateDir.resolve(r.stateDir());
        KilnConfig.Loaded cfg = KilnConfig.load(r.config(), state);
        ServiceConfig svc = r.noUpload() ? null : cfg.service(r.service());
        require(!(r.requireDelivery() && svc == null), "--require-delivery needs an acceptance service (--service or the config file)");
        cfg.validate(); // every field of every section, TLS material included, used by this run or not
        RunOptions options = RunOptions.defaults(seed).withHangTimeout(hang).withMaxIterations(r.maxIterations()).withFaults(planted)
                .withEnginesRequired(sku == null ? java.util.Set.of() : sku.enginesRequired());
        return new Checked(r, profile, suites, options, sku, state, cfg, svc);
    }

    /**
     * {@code kiln config check}: checks the request as {@link #run} would, writing nothing, and says
     * what was checked, one line each.
     *
     * @throws KilnException 64 for a bad command line, 78 naming the file, line and field
     */
    public List<String> checkOnly(RunRequest r) {
        Checked c = check(r);
        List<String> said = new ArrayList<>();
        Duration total = c.suites().stream().filter(s -> s.stage() == null).map(SuiteRequest::duration).reduce(Duration.ZERO, Duration::plus);
        said.add("profile " + c.profile().name() + ": " + c.suites().size() + " suite run(s), " + Durations.format(total) + " of suites alone"
                + (c.suites().stream().anyMatch(s -> s.stage() != null) ? " plus a stage together" : ""));
        said.add(c.config().file() == null ? "config: none (defaults)" : "config " + c.config().file() + ": valid");
        said.add(c.service() == null ? "service: none (bundles stay in the outbox)" : "service " + c.service().url());
        if (c.sku() != null) {
            said.add("sku " + c.sku().name() + ": valid");
        }
        said.add("state directory " + c.state().root());
        return said;
    }

    /**
     * Runs the request to its end and returns the process's exit code: the verdict's (0, 1, 2), 3
     * when {@code --require-delivery} was not met, 73 when the run could not be sealed.
     *
     * @throws KilnException for bad input (64, 78), before anything was written; 73 when the state
     *                       directory cannot be written
     */
    public int run(RunRequest request) {
        // From the first moment, a signal is the run's: it cannot run yet, so it is cancelled as soon as it starts (ends
        // INTERRUPTED, sealed, exit 2); a second one stops at once with 2. The JVM's own 130/143 only comes before this line.
        // (the words promise only what follows: a request refused at start-up never starts, and says why with its own code)
        Signals starting = Signals.install(() -> "cancelling the run before its suites start; if it starts, it ends INTERRUPTED and is sealed",
                () -> { }, ExitCode.INCOMPLETE::code, this::notice);
        try {
            return run(request, starting);
        } finally {
            starting.close();
        }
    }

    private int run(RunRequest request, Signals starting) {
        // The machine's inventory (OSHI reads sysfs, DMI and more: a quarter of a second) is taken
        // while the request, profile and configuration are checked; a bad request never waits for it.
        java.util.concurrent.CompletableFuture<Inventory> probed = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().name("kiln-inventory").start(() -> {
            try {
                probed.complete(new InventoryProbe().probe());
            } catch (Throwable t) {
                probed.completeExceptionally(t);
            }
        });
        Checked c = check(request);
        Consumer<String> notice = this::notice;
        // Binding the metrics port writes nothing, and a port in use is a usage error: before the state.
        try (MetricsServer metrics = MetricsServer.serve(request.metricsPort(), c.state(), notice);
             StateLock lock = StateLock.acquire(c.state())) {
            c.state().create();
            Station station = Station.of(c.state(), Clock.systemUTC()); // the outbox and keys of this run, opened once
            station.outbox().requireFreeSpace(c.config().minFreeBytes());
            RunSession session = RunSession.open(c.state(), request.key(), Clock.systemUTC(), request.pauseAt(), notice)
                    .withSysfsRoot(request.sysfsRoot()).withHeatGuard(thermalLimits(c));
            Delivery.checkOutbox(station, notice);
            if (request.pauseAt() == RunSession.PausePoint.STARTING) { // crash-test seam: state touched, /metrics answering, no run yet
                notice.accept("paused at starting");
                for (int i = 0; i < 2400 && !starting.received(); i++) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            PlatformProbe platform = PlatformProbe.current();
            RunEngine engine = new RunEngine(platform.threadPlacer(), platform.environment());
            HumanReporter display = null;
            LiveView view = null;
            if (request.output() == RunRequest.Output.HUMAN) {
                boolean live = request.progress() == RunRequest.Progress.LIVE
                        || (request.progress() == null || request.progress() == RunRequest.Progress.AUTO) && request.terminal();
                Duration idle = c.suites().stream().map(SuiteRequest::stage).filter(java.util.Objects::nonNull).distinct()
                        .map(st -> st.baseline().plus(st.cooldown())).reduce(Duration.ZERO, Duration::plus);
                view = !live ? null : request.terminal() ? LiveView.onSystemTerminal() : streamView();
                display = new HumanReporter(out, view, request.terminal() && colourWanted(), Duration.ofSeconds(10), engine::progressAll, idle)
                        .withTelemetry(engine::latestTelemetry);
            }
            RunListener shown = display;
            if (metrics != null) {
                RunMetrics runMetrics = new RunMetrics(metrics.registry(), engine::progressAll);
                session.withMeters(metrics.registry());
                shown = display == null ? runMetrics : RunListener.all(display, runMetrics);
            }
            // the unit's status to the service while it runs (never with --no-upload, nor with heartbeat: off)
            Heartbeats beats = null;
            Duration every = c.config().heartbeatInterval();
            if (c.service() != null && !every.isZero()) {
                Outbox outbox = station.outbox();
                beats = new Heartbeats(c.service(), session.key(), every, engine::progressAll, () -> {
                    try {
                        return outbox.pending().size();
                    } catch (IOException e) {
                        return -1;
                    }
                }, Clock.systemUTC(), notice);
                if (metrics != null) {
                    beats.bind(metrics.registry());
                }
                session.withSampleWatcher(beats::sample);
                shown = shown == null ? beats : RunListener.all(shown, beats);
            }
            List<SuiteRequest> suites = new ArrayList<>(c.suites());
            // the unit's serial: given, the platform's, or its machine id / hardware UUID (hashed); never a placeholder two machines share
            Inventory read = inventory(probed);
            dev.kiln.core.inventory.UnitIdentity unit = dev.kiln.core.inventory.UnitIdentity.resolveOn(request.serial(), c.config().serial(),
                    read.serial(), () -> dev.kiln.core.platform.PlatformProbe.current().machineId(request.sysfsRoot()));
            Inventory inventory = read.withSerial(unit);
            byte[] inventoryJson = inventoryRecord(inventory, c, session, engine, suites);
            RunInfo info = new RunInfo(RunIds.newRunId().toString(), c.profile().name(), c.options().seed(), Instant.now(),
                    agentVersion, request.commandLine(), suites.stream().map(SuiteRequest::planned).toList(), inventory.identity());
            try {
                LiveView drawn = view;
                return runAndDeliver(c, engine, session, info, suites, inventoryJson, shown, display, drawn == null ? () -> { } : drawn::abandon, notice,
                        starting, beats, station);
            } finally {
                if (beats != null) {
                    beats.close(Duration.ofSeconds(2)); // the last heartbeat a moment to get out (it holds up nothing else)
                }
                if (view != null) {
                    view.close(); // the screen is given back even when the run ends in an exception
                }
            }
        }
    }

    private static Inventory inventory(java.util.concurrent.CompletableFuture<Inventory> probed) {
        try {
            return probed.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** One line on stderr, as every notice of a run is said. */
    private void notice(String line) {
        err.println("kiln: " + line);
        err.flush();
    }

    /** Colour unless {@code NO_COLOR} is set to anything but the empty string (no-color.org). */
    static boolean colourWanted() {
        String no = System.getenv("NO_COLOR");
        return no == null || no.isEmpty();
    }

    /**
     * {@code --progress live} where stdout is not a terminal Kiln can see (a multiplexer's pipe, a
     * log a person tails): the terminal type from {@code TERM} and the size from {@code COLUMNS} and
     * {@code LINES}, else 120 × 40; null (plain lines) for a dumb terminal.
     */
    private LiveView streamView() {
        String term = System.getenv("TERM");
        return LiveView.onStream(out, term == null || term.isBlank() ? "xterm-256color" : term, envInt("COLUMNS", 120), envInt("LINES", 40));
    }

    private static int envInt(String name, int otherwise) {
        try {
            int v = Integer.parseInt(System.getenv().getOrDefault(name, ""));
            return v > 0 ? v : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /**
     * This run's thermal thresholds, for the judge and the heat guard alike: the SKU's over the
     * profile's stage thresholds when the run has a stage. The guard and recovery (which reads them
     * back from the inventory record, defaults where none is recorded) so judge with the same limits.
     */
    private static ThermalLimits thermalLimits(Checked c) {
        boolean staged = c.suites().stream().anyMatch(s -> s.stage() != null);
        Profile.Together t = c.profile().together();
        ThermalLimits fromProfile = staged && t != null ? t.thermal() : ThermalLimits.NONE;
        return (c.sku() != null && c.sku().limits() != null ? c.sku().limits() : ThermalLimits.NONE).over(fromProfile);
    }

    /**
     * The inventory record of the bundle; with a SKU, the inventory check first. The thermal judge
     * comes last, after a stage's cool-down, or at the end of a run with a SKU's limits; its
     * thresholds and the CPU clusters are recorded so that {@code kiln judge} can judge the trace again.
     */
    private static byte[] inventoryRecord(Inventory inventory, Checked c, RunSession session, RunEngine engine,
                                          List<SuiteRequest> suites) {
        Sku sku = c.sku();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("inventory", inventory);
        if (sku != null) {
            // Built-in checks do their work in prepare, so they get no time budget and no workers.
            suites.add(0, new SuiteRequest(new InventoryCheckSuite(sku, inventory), Duration.ZERO, true, Map.of()));
            record.put("sku", sku);
            record.put("checks", sku.compare(inventory));
        }
        boolean staged = suites.stream().anyMatch(s -> s.stage() != null);
        if (staged || sku != null && sku.limits() != null) {
            Profile.Together t = c.profile().together();
            ThermalLimits limits = thermalLimits(c);
            Map<Integer, String> clusters = dev.kiln.core.platform.PlatformProbe.current().cpuClusters();
            suites.add(new SuiteRequest(new ThermalSuite(limits, session.trace(), engine::stages, clusters), Duration.ZERO,
                    !staged || t.thermalRequired(), Map.of()));
            Map<String, Object> thermal = new LinkedHashMap<>();
            thermal.put("limits", limits);
            thermal.put("cpuClusters", clusters);
            record.put("thermal", thermal);
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
        } catch (IOException e) {
            throw new KilnException(ExitCode.INTERNAL, "cannot encode the inventory: " + e.getMessage());
        }
    }

    private int runAndDeliver(Checked c, RunEngine engine, RunSession session, RunInfo info, List<SuiteRequest> suites,
                              byte[] inventoryJson, RunListener shown, HumanReporter display, Runnable beforeHalt, Consumer<String> notice,
                              Signals starting, Heartbeats beats, Station station) {
        RunRequest r = c.request();
        // What a second signal leaves with: incomplete until the verdict is known, then the verdict's; a defect recorded
        // (a suite ended FAIL or HUNG) makes it FAIL at once, as it makes the verdict
        AtomicInteger soFar = new AtomicInteger(ExitCode.INCOMPLETE.code());
        RunListener seen = new RunListener() {
            @Override
            public void suiteEnded(dev.kiln.api.SuiteResult result) {
                if (result.outcome().isDefect()) {
                    soFar.set(ExitCode.FAIL.code());
                }
            }
        };
        shown = shown == null ? seen : RunListener.all(shown, seen);
        Thread runner = Thread.currentThread();
        AtomicBoolean delivering = new AtomicBoolean();
        // What a signal does depends on when it comes: while suites run it cancels them; once the
        // bundle is sealed it only stops the delivery (the verdict stands, the bundle stays pending).
        try (Signals signals = Signals.install(() -> delivering.get()
                ? "stopping delivery; the bundle stays in the outbox for kiln upload, and the verdict stands"
                : "cancelling the run; it ends INTERRUPTED and is sealed, and the journal is kept so that a second signal loses nothing",
                () -> {
                    engine.cancel();
                    if (delivering.get()) {
                        runner.interrupt(); // stop waiting for the service
                    }
                }, soFar::get, notice).beforeHalt(beforeHalt).after(starting)) {
            RunSession.Result result = session.run(engine, info, suites, c.options(), inventoryJson,
                    r.output() == RunRequest.Output.JSONL ? out : null, shown);
            ExitCode verdict = ExitCode.of(result.report().verdict());
            if (beats != null) { // the last heartbeat says the run ended, and how; sent beside the delivery, never before it
                beats.ended(result.report().verdict().name());
            }
            soFar.set(result.bundle() == null ? ExitCode.CANT_WRITE.code() : verdict.code());
            if (result.bundle() == null) {
                return finish(display, result, ExitCode.CANT_WRITE, "the bundle could not be sealed (see above)");
            }
            delivering.set(true);
            Consumer<String> say = display != null ? line -> {
                out.println(line);
                out.flush();
            } : notice;
            String where = "bundle " + result.bundle().getFileName() + " (verdict " + result.report().verdict() + ", signed by "
                    + session.key().keyId().substring(0, 16) + "…)";
            boolean delivered = false;
            if (c.service() == null) {
                say.accept(where + " is in the outbox " + c.state().pending()
                        + (r.noUpload() ? " (--no-upload)" : ": no acceptance service is configured"));
            } else if (signals.received()) {
                say.accept(where + " is in the outbox " + c.state().pending() + ": not delivered after the signal; kiln upload sends it");
            } else {
                delivered = Delivery.afterRun(c.service(), station, c.config().sentRetention(), c.config().runWait(), result.bundle(), where, say);
            }
            Thread.interrupted(); // a signal during delivery interrupted us; the exit code below stands
            if (r.requireDelivery() && !delivered) {
                // 3 says "passed, not delivered"; a FAIL stays 1 and an INCOMPLETE 2, the delivery said beside them
                return finish(display, result, verdict == ExitCode.PASS ? ExitCode.NOT_DELIVERED : verdict,
                        "the bundle was not delivered (--require-delivery)");
            }
            return finish(display, result, verdict, null);
        }
    }

    /** Prints the verdict line with the code the process exits with, and returns that code. */
    private int finish(HumanReporter display, RunSession.Result result, ExitCode code, String why) {
        if (display != null) {
            display.verdict(result.report(), code, why);
        }
        out.flush();
        return code.code();
    }

    private static void require(boolean ok, String usageMessage) {
        if (!ok) {
            throw KilnException.usage(usageMessage);
        }
    }

    private static Duration duration(String flag, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw KilnException.usage(flag + ": " + dev.kiln.bundle.Why.of(e));
        }
    }

    private static Duration profileHangTimeout(Profile p) {
        try {
            return Durations.parse(p.hangTimeout());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw KilnException.config("profile " + p.name() + ", hangTimeout: " + e.getMessage());
        }
    }

    /** {@code suite.name=value} options, keyed by suite id. */
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
}
