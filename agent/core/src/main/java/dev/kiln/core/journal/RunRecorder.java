package dev.kiln.core.journal;

import dev.kiln.api.SuiteResult;
import dev.kiln.core.events.AgentLog;
import dev.kiln.core.events.OcpJsonlWriter;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.telemetry.TelemetrySampler;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Everything a run keeps on disk while it runs, in {@code runs/<runId>/}: the journal, the OCP
 * event stream, the agent log, telemetry and the inventory taken at the start. Its listener
 * writes the journal first (forced to disk), then the stream and the log, which are forced to disk
 * at every suite end, so after a crash the stream never claims more than the journal.
 */
public final class RunRecorder implements Closeable {
    public static final String EVENTS = "ocptv.jsonl";
    public static final String LOG = "agent.log";
    public static final String TELEMETRY = "telemetry.csv";
    public static final String INVENTORY = "inventory.json";

    private final Path dir;
    private final Journal journal;
    private final FileOutputStream eventsFile;
    private final FileOutputStream logFile;
    private final TelemetrySampler telemetry;
    private final RunListener listener;

    /**
     * @param alsoEvents where the event stream also goes (stdout with {@code --output jsonl}), or null
     */
    public RunRecorder(StateDir state, RunInfo info, byte[] inventoryJson, PrintStream alsoEvents, Clock clock,
                       Duration telemetryInterval) throws IOException {
        this(state, info, inventoryJson, alsoEvents, clock, telemetryInterval, Path.of("/"));
    }

    /** @param sysfsRoot where Linux's /sys is (a fixture tree in tests) */
    public RunRecorder(StateDir state, RunInfo info, byte[] inventoryJson, PrintStream alsoEvents, Clock clock,
                       Duration telemetryInterval, Path sysfsRoot) throws IOException {
        this.dir = state.run(info.runId());
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(INVENTORY), inventoryJson, dir.resolve(".staging"));
        this.journal = Journal.open(dir);
        this.eventsFile = new FileOutputStream(dir.resolve(EVENTS).toFile(), true);
        this.logFile = new FileOutputStream(dir.resolve(LOG).toFile(), true);
        OutputStream events = alsoEvents == null ? eventsFile : new Tee(eventsFile, alsoEvents);
        PrintStream eventStream = new PrintStream(events, true, StandardCharsets.UTF_8);
        AgentLog log = new AgentLog(new PrintStream(logFile, true, StandardCharsets.UTF_8), clock);
        this.telemetry = new TelemetrySampler(new PrintStream(new FileOutputStream(dir.resolve(TELEMETRY).toFile(), true), true,
                StandardCharsets.UTF_8), clock, telemetryInterval,
                dev.kiln.core.platform.PlatformProbe.current().telemetry(sysfsRoot, clock, warning -> log.line("WARNING", "telemetry: " + warning)));
        RunListener sync = new RunListener() {
            @Override
            public void suiteEnded(SuiteResult result) {
                sync();
            }

            @Override
            public void runEnded(RunReport report) {
                sync();
            }
        };
        this.listener = RunListener.all(journal, new OcpJsonlWriter(eventStream, clock), log, sync);
    }

    public Path dir() {
        return dir;
    }

    public RunListener listener() {
        return listener;
    }

    public TelemetrySampler telemetry() {
        return telemetry;
    }

    public Journal journal() {
        return journal;
    }

    private void sync() {
        try {
            eventsFile.getFD().sync();
            logFile.getFD().sync();
        } catch (IOException e) {
            // the journal holds what matters; its own failures are reported
        }
    }

    @Override
    public void close() throws IOException {
        telemetry.close();
        journal.close();
        eventsFile.close();
        logFile.close();
    }

    /** Writes to two streams; the first is the durable copy and must succeed. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
