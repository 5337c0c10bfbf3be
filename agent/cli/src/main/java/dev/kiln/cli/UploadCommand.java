package dev.kiln.cli;

import dev.kiln.core.Durations;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.config.KilnConfig;
import dev.kiln.core.metrics.MetricsServer;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.outbox.Station;
import dev.kiln.core.session.Signals;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.upload.Delivery;
import dev.kiln.core.upload.ServiceConfig;
import dev.kiln.core.upload.Uploader;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln upload [--watch]}: deliver the outbox to the acceptance service. */
@Command(name = "upload", mixinStandardHelpOptions = true,
        description = "Deliver pending bundles to the acceptance service; with --watch, keep doing so as they arrive.")
final class UploadCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Option(names = "--service", paramLabel = "URL", description = "Acceptance service base URL (else the config file's).")
    String service;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: <state-dir>/config.yaml).")
    Path config;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default as for run).")
    Path stateDir;

    @Option(names = "--watch", description = "Run until stopped, delivering bundles as they appear, retrying without a time limit.")
    boolean watch;

    @Option(names = "--for", paramLabel = "D", defaultValue = "2m",
            description = "Without --watch: how long to keep retrying before leaving what is left pending (exit 69). Default: ${DEFAULT-VALUE}.")
    String window;

    @Option(names = "--metrics-port", paramLabel = "N",
            description = "Serve Prometheus metrics (outbox depth, oldest pending bundle, deliveries) at http://<host>:N/metrics (0: any free port).")
    Integer metricsPort;

    private MeterRegistry meters;

    @Override
    public Integer call() throws Exception {
        Duration forHowLong;
        try {
            forHowLong = Durations.parse(window);
        } catch (IllegalArgumentException e) {
            throw KilnException.usage("--for: " + e.getMessage());
        }
        StateDir state = StateDir.resolve(stateDir);
        KilnConfig.Loaded cfg = KilnConfig.load(config, state).validate(); // all of it, before anything is written
        ServiceConfig svc = cfg.service(service);
        if (svc == null) {
            throw KilnException.config("no acceptance service: give --service URL or service.url in " + state.root().resolve("config.yaml"));
        }
        state.create();
        Consumer<String> say = line -> parent.err.println("kiln: " + line);
        Station station = Station.of(state, Clock.systemUTC());
        Delivery.checkOutbox(station, say);
        try (MetricsServer metrics = MetricsServer.serve(metricsPort, state, say)) {
            meters = metrics == null ? null : metrics.registry();
            return deliver(station, cfg, svc, say, forHowLong);
        }
    }

    private int deliver(Station station, KilnConfig.Loaded cfg, ServiceConfig svc, Consumer<String> say, Duration forHowLong)
            throws InterruptedException, java.io.IOException {
        Uploader uploader = Delivery.uploader(svc, station, cfg.sentRetention(), say);
        Outbox outbox = station.outbox();
        if (!watch) {
            List<Uploader.Delivery> done = uploader.drain(Instant.now().plus(forHowLong));
            report(done);
            outbox.pruneSent(cfg.sentRetention());
            return Delivery.exitCode(done).code();
        }
        say.accept("watching " + station.state().pending() + " for bundles to deliver to " + svc.url());
        // SIGTERM/SIGINT (systemd stopping the unit, a technician's ^C) end the watch cleanly, exit 0:
        // what was pending stays pending, with its state, for the next start.
        AtomicBoolean stop = new AtomicBoolean();
        Thread me = Thread.currentThread();
        try (Signals signals = Signals.install(() -> "stopping the watch after the deliveries in flight", () -> {
            stop.set(true);
            me.interrupt();
        }, () -> ExitCode.PASS.code(), say)) {
            while (!stop.get()) {
                List<Uploader.Delivery> done;
                try {
                    // one pass: every bundle that is due, each for a bounded time, so one that keeps
                    // failing waits its backoff instead of holding up the ones sealed after it
                    done = new ArrayList<>(uploader.drainDue(PASS));
                } catch (InterruptedException e) {
                    break;
                }
                report(done);
                if (done.stream().anyMatch(d -> d.outcome() == Uploader.Outcome.NOT_ALLOWED)) {
                    return ExitCode.CONFIG.code(); // retrying cannot fix a refused token or certificate
                }
                outbox.pruneSent(cfg.sentRetention());
                try {
                    Thread.sleep(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    break;
                }
            }
            Thread.interrupted();
            say.accept("watch stopped; " + outbox.pending().size() + " bundle(s) pending");
            return ExitCode.PASS.code();
        }
    }

    /** How long one watch pass keeps trying one bundle before leaving it for a later pass. */
    private static final Duration PASS = Duration.ofSeconds(10);

    private void report(List<Uploader.Delivery> done) {
        for (Uploader.Delivery d : done) {
            parent.out.printf("%-11s %s  %s%n", d.outcome(), d.bundle().getFileName(), d.detail());
            if (meters != null) {
                meters.counter("kiln_upload_deliveries", "outcome", d.outcome().name()).increment();
            }
        }
        parent.out.flush();
    }
}
