package dev.kiln.core.metrics;

import dev.kiln.core.outbox.Outbox;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * The outbox as gauges, read from disk at scrape time (at most once a second):
 * {@code kiln_outbox_bundles{state="pending|quarantined|sent"}} and
 * {@code kiln_outbox_oldest_pending_age_seconds} (0 when nothing waits), the figure a rack alerts
 * on when delivery has stalled. The gauges hold this object strongly (Micrometer's default is a weak
 * reference, which would let it be collected and the gauges read NaN).
 */
public final class OutboxMetrics {
    private final Outbox outbox;
    private List<Outbox.Entry> cached = List.of();
    private long cachedAt = Long.MIN_VALUE;

    private OutboxMetrics(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Registers the outbox gauges. */
    public static void bind(MeterRegistry registry, Outbox outbox) {
        OutboxMetrics m = new OutboxMetrics(outbox);
        for (String state : List.of("pending", "quarantined", "sent")) {
            Gauge.builder("kiln_outbox_bundles", m, x -> x.entries().stream().filter(e -> e.state().equals(state)).count())
                    .description("bundles in the outbox by state").tags("state", state).strongReference(true).register(registry);
        }
        Gauge.builder("kiln_outbox_oldest_pending_age_seconds", m, x -> x.entries().stream().filter(e -> e.state().equals("pending"))
                        .map(Outbox.Entry::age).max(Duration::compareTo).map(d -> d.toMillis() / 1000.0).orElse(0.0))
                .description("age of the oldest undelivered bundle (0 when none)").strongReference(true).register(registry);
    }

    private synchronized List<Outbox.Entry> entries() {
        long now = System.nanoTime();
        if (cachedAt == Long.MIN_VALUE || now - cachedAt > 1_000_000_000L) {
            try {
                cached = outbox.list();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // the gauge reads NaN for this scrape
            }
            cachedAt = now;
        }
        return cached;
    }
}
