package dev.kiln.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.StateDir;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxMetricsTest {
    @TempDir
    Path root;

    /** The gauges keep reading after a garbage collection (Micrometer holds gauge state weakly unless told otherwise). */
    @Test
    void gaugesSurviveGarbageCollection() throws Exception {
        StateDir state = StateDir.resolve(root).create();
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OutboxMetrics.bind(reg, new Outbox(state, Clock.systemUTC()));
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0.0, Scrape.value(reg.scrape(), "kiln_outbox_bundles", Map.of("state", "pending")), reg.scrape());
        Files.write(state.pending().resolve("unit_01.kiln.zip"), new byte[] {1, 2, 3});
        Thread.sleep(1100); // the listing is cached for a second
        assertEquals(1.0, Scrape.value(reg.scrape(), "kiln_outbox_bundles", Map.of("state", "pending")), reg.scrape());
        double age = Scrape.value(reg.scrape(), "kiln_outbox_oldest_pending_age_seconds", Map.of());
        assertEquals(1.0, age, 1.0, "about a second old");
    }
}
