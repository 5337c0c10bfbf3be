package dev.kiln.cli;

import dev.kiln.core.metrics.MetricsServer;
import dev.kiln.core.metrics.OutboxMetrics;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.StateDir;
import java.time.Clock;
import java.util.function.Consumer;

/** {@code --metrics-port} as {@code run} and {@code upload} share it. */
final class Metrics {
    private Metrics() {
    }

    /**
     * Starts serving on {@code port} with the outbox gauges bound, and says where; null when no port
     * was asked for.
     */
    static MetricsServer serve(Integer port, StateDir state, Consumer<String> say) {
        if (port == null) {
            return null;
        }
        MetricsServer metrics = MetricsServer.start(port);
        say.accept("metrics at http://" + Machine.hostName() + ":" + metrics.port() + "/metrics");
        OutboxMetrics.bind(metrics.registry(), new Outbox(state, Clock.systemUTC()));
        return metrics;
    }
}
