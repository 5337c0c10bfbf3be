package dev.kiln.core.session;

import dev.kiln.api.LogLevel;
import dev.kiln.core.journal.Journal;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Keeps a run from outliving its record. Every {@link #INTERVAL} during the run it checks that the
 * journal is still being written and that the disk holding the state directory has room to seal the
 * run: twice what the run directory holds now (the bundle is staged, then linked in) plus
 * {@link #MARGIN}. When either fails, the run is cancelled with the reason, in the event stream and
 * on stderr, so it is sealed INCOMPLETE while it still can be, rather than running on for hours into
 * a disk that can take no bundle.
 */
final class RecordGuard implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofSeconds(2);
    static final long MARGIN = 4L << 20;

    private final ScheduledExecutorService timer;
    private final AtomicBoolean fired = new AtomicBoolean();

    private RecordGuard(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    static RecordGuard start(Path stateRoot, Path runDir, Journal journal, RunEngine engine, RunListener events,
                             Consumer<String> notice) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "kiln-record-guard");
            th.setDaemon(true);
            return th;
        });
        RecordGuard g = new RecordGuard(t);
        t.scheduleWithFixedDelay(() -> g.check(stateRoot, runDir, journal, engine, events, notice), INTERVAL.toMillis(),
                INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return g;
    }

    private void check(Path stateRoot, Path runDir, Journal journal, RunEngine engine, RunListener events, Consumer<String> notice) {
        if (fired.get()) {
            return;
        }
        String why = null;
        if (journal.error() != null) {
            why = "the run journal cannot be written (" + journal.error().getMessage() + ")";
        } else {
            try {
                // the run directory and the outbox may be on different file systems: the bundle needs both
                long free = Math.min(Files.getFileStore(runDir).getUsableSpace(),
                        Files.getFileStore(stateRoot.resolve("outbox/pending")).getUsableSpace());
                long need = 2 * size(runDir) + MARGIN;
                if (free < need) {
                    why = "the disk is nearly full: " + (free >> 20) + " MiB free under " + stateRoot + ", and sealing this run needs "
                            + (need >> 20) + " MiB";
                }
            } catch (IOException e) {
                why = "cannot tell the free space under " + stateRoot + " (" + e.getMessage() + ")";
            }
        }
        if (why != null && fired.compareAndSet(false, true)) {
            String line = why + ": cancelling the run so that it is sealed while it still can be";
            notice.accept(line);
            events.log(null, LogLevel.ERROR, line);
            engine.cancel();
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                try {
                    total += Files.size(p);
                } catch (IOException gone) {
                    // removed while we looked
                }
            }
            return total;
        }
    }

    /** Whether the guard cancelled the run. */
    boolean fired() {
        return fired.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
