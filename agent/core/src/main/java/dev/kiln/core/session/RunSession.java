package dev.kiln.core.session;

import dev.kiln.api.SuiteResult;
import dev.kiln.bundle.StationKey;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.journal.Recovery;
import dev.kiln.core.journal.RunRecorder;
import dev.kiln.core.journal.Sealer;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunOptions;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.SuiteRequest;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.thermal.HeatGuard;
import dev.kiln.core.thermal.ThermalLimits;
import dev.kiln.core.thermal.Trace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * One {@code kiln run} on disk: the station key, recovery of runs that died, the run recorded in
 * its directory as it goes, and the sealed bundle in the outbox at the end.
 */
public final class RunSession {
    /** Crash-test seam (hidden {@code --pause-at}): where to stop and wait to be killed. */
    public enum PausePoint { NONE, STARTING, SUITE_END, SEALING }

    /** How often the run's telemetry is sampled. */
    static final Duration TELEMETRY_INTERVAL = Duration.ofSeconds(1);

    private final StateDir state;
    private final StationKey key;
    private final Clock clock;
    private final PausePoint pause;
    private final Consumer<String> notice;
    private Path sysfsRoot = Path.of("/");
    private io.micrometer.core.instrument.MeterRegistry meters;
    private ThermalLimits heatLimits = ThermalLimits.DEFAULTS;
    private volatile RunRecorder recorder;

    private RunSession(StateDir state, StationKey key, Clock clock, PausePoint pause, Consumer<String> notice) {
        this.state = state;
        this.key = key;
        this.clock = clock;
        this.pause = pause;
        this.notice = notice;
    }

    /**
     * Opens the state directory and the station key, and seals what earlier runs left unsealed.
     *
     * @param keyFile an explicit key ({@code --key}); it must exist. Without one the station key in the
     *                state directory is used, and created on first use (the notice says so)
     */
    public static RunSession open(StateDir state, Path keyFile, Clock clock, PausePoint pause, Consumer<String> notice) {
        StationKey explicit = keyFile == null ? null : new KeyStore(keyFile).load(); // a bad --key fails before any write
        state.create();
        StationKey key;
        if (explicit != null) {
            key = explicit;
            KeyStore.in(state).remember(key); // so the outbox can re-check what it signs
        } else {
            KeyStore store = KeyStore.in(state);
            if (!store.exists()) {
                key = store.init(false);
                notice.accept("created station key " + key.keyId() + " at " + store.privatePath()
                        + "; give " + store.publicPath() + " to the acceptance service");
            } else {
                key = store.load();
            }
        }
        RunSession s = new RunSession(state, key, clock, pause, notice);
        try {
            new Recovery(state, s.sealer(), clock, RunSession::heatFinding).recoverAll(notice);
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot seal the bundles of earlier runs: " + e.getMessage()
                    + " (their journals are kept in " + state.runs() + ")");
        }
        return s;
    }

    /**
     * What the trace of a run that died shows: the heat guard's FAIL when a sensor held past the
     * critical limit (the run's own, from its inventory record, else the default) for the breach
     * time, as a unit that cooked to shutdown leaves it; null otherwise, or when there is no trace.
     */
    static SuiteResult heatFinding(Path runDir) {
        Path csv = runDir.resolve(RunRecorder.TELEMETRY);
        if (!Files.isRegularFile(csv)) {
            return null;
        }
        ThermalLimits limits = ThermalLimits.DEFAULTS;
        try {
            com.fasterxml.jackson.databind.JsonNode t = Json.MAPPER.readTree(runDir.resolve(RunRecorder.INVENTORY).toFile())
                    .path("thermal").path("limits");
            if (t.isObject()) {
                limits = Json.MAPPER.treeToValue(t, ThermalLimits.class).over(limits);
            }
        } catch (IOException | RuntimeException e) {
            // no readable record of the run's limits: the defaults judge
        }
        try (java.io.InputStream in = Files.newInputStream(csv)) { // a line at a time: a month of trace is never held at start-up
            HeatGuard.Trip trip = HeatGuard.breach(in, limits.criticalCelsius(), limits.breachSeconds());
            return trip == null ? null : trip.result(trip.at());
        } catch (IOException | RuntimeException e) {
            return null; // a trace that cannot be read shows nothing; the run stays INCOMPLETE
        }
    }

    /** Where Linux's /sys is for telemetry (a fixture tree in tests). */
    public RunSession withSysfsRoot(Path root) {
        this.sysfsRoot = root;
        return this;
    }

    /** Where the telemetry channels are mirrored as gauges ({@code --metrics-port}); none by default. */
    /** Also handed every telemetry sample as it is taken (the heartbeats' hottest temperature and power). */
    public RunSession withSampleWatcher(java.util.function.BiConsumer<Instant, java.util.Map<String, Double>> watcher) {
        this.sampleWatcher = watcher;
        return this;
    }

    private java.util.function.BiConsumer<Instant, java.util.Map<String, Double>> sampleWatcher;

    public RunSession withMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        this.meters = registry;
        return this;
    }

    /**
     * The live heat guard's thresholds ({@code criticalCelsius}, {@code breachSeconds}; unset ones take
     * the defaults): a temperature past the critical limit that long stops the load and fails the run.
     */
    public RunSession withHeatGuard(ThermalLimits limits) {
        this.heatLimits = limits.over(ThermalLimits.DEFAULTS);
        return this;
    }

    /** The run's telemetry trace so far, read from its {@code telemetry.csv} (empty before the run starts). */
    public java.util.function.Supplier<Trace> trace() {
        return () -> {
            RunRecorder r = recorder;
            if (r == null) {
                return new Trace(new long[0], java.util.Map.of());
            }
            try (java.io.InputStream in = Files.newInputStream(r.dir().resolve(RunRecorder.TELEMETRY))) {
                return Trace.parse(in);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read the run's telemetry: " + e.getMessage(), e);
            }
        };
    }

    public StationKey key() {
        return key;
    }

    private Sealer sealer() {
        return new Sealer(state, key, () -> pauseIf(PausePoint.SEALING));
    }

    private void pauseIf(PausePoint at) {
        if (pause == at) {
            notice.accept("paused at " + at.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            try {
                Thread.sleep(Duration.ofMinutes(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What came of the run.
     *
     * @param report the verdict and every suite's result
     * @param bundle the sealed bundle, or null when it could not be written
     * @param exit   the exit code: the verdict's, or 73 when the run could not be recorded or sealed
     */
    public record Result(RunReport report, Path bundle, ExitCode exit) {
    }

    /**
     * Runs and seals.
     *
     * @param alsoEvents where the event stream also goes (stdout for {@code --output jsonl}), or null
     * @param display    the human display, or null
     */
    public Result run(RunEngine engine, RunInfo info, List<SuiteRequest> requests, RunOptions options, byte[] inventoryJson,
                      PrintStream alsoEvents, RunListener display) {
        RunRecorder recorder;
        try {
            recorder = new RunRecorder(state, info, inventoryJson, alsoEvents, clock, TELEMETRY_INTERVAL, sysfsRoot);
            if (meters != null) {
                recorder.telemetry().bind(meters);
            }
            this.recorder = recorder;
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot start the run record in " + state.runs() + ": " + dev.kiln.bundle.Why.of(e));
        }
        RunListener pauser = new RunListener() {
            @Override
            public void suiteEnded(SuiteResult result) {
                pauseIf(PausePoint.SUITE_END);
            }
        };
        RunReport report;
        RunListener all = display == null ? RunListener.all(recorder.listener(), pauser) : RunListener.all(recorder.listener(), display, pauser);
        try (recorder; RecordGuard guard = RecordGuard.start(state.root(), recorder.dir(), recorder.journal(), engine, all, notice)) {
            dev.kiln.core.telemetry.TelemetrySampler sampler = recorder.telemetry();
            Instant started = clock.instant();
            HeatGuard heat = new HeatGuard(heatLimits.criticalCelsius(), heatLimits.breachSeconds(),
                    TELEMETRY_INTERVAL.toMillis() / 1000.0, trip -> {
                        notice.accept("heat guard: " + trip.words());
                        engine.stopLoad(trip.result(started));
                    });
            sampler.watch(heat::sample);
            if (sampleWatcher != null) {
                sampler.watch(sampleWatcher);
            }
            engine.host(new dev.kiln.core.runner.SuiteHost(state.cache(), sampler::latest, () -> java.util.Set.copyOf(sampler.channels())));
            report = engine.run(info, requests, options, all);
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot close the run record: " + e.getMessage());
        }
        boolean journalWhole = recorder.journal().error() == null;
        if (!journalWhole) {
            notice.accept("the run journal could not be written (" + recorder.journal().error().getMessage() + "); sealing anyway");
        }
        try {
            Path bundle = sealer().seal(report, false);
            return new Result(report, bundle, ExitCode.of(report.verdict()));
        } catch (IOException e) {
            notice.accept("cannot seal the bundle: " + e.getMessage() + "; the run is kept in " + recorder.dir()
                    + (journalWhole ? " and will be sealed at the next start"
                            : "; its journal is incomplete, so the next start seals what it can read of it, or keeps it in quarantine/runs/"));
            return new Result(report, null, ExitCode.CANT_WRITE);
        }
    }
}
