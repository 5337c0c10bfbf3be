package dev.kiln.core.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.core.KilnException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code --metrics-port}: Prometheus text at {@code GET /metrics} (DESIGN §9), Micrometer's
 * Prometheus registry behind the JDK's HTTP server, on every interface; the run binds its meters
 * (suite states, outbox, telemetry channels) to {@link #registry()}. Anything but
 * {@code GET}/{@code HEAD /metrics} is 404 or 405.
 */
public final class MetricsServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    private MetricsServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 16);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-metrics");
            t.setDaemon(true);
            return t;
        }));
    }

    /**
     * Starts serving on {@code port} (0: any free port).
     *
     * @throws KilnException usage (64) when the port is out of range or cannot be bound
     */
    /**
     * {@code --metrics-port} as {@code run} and {@code upload} share it: starts serving on
     * {@code port} with the outbox gauges bound, and says where; null when no port was asked for.
     * Binds only: it writes nothing, so a bad port is refused before a run touches its state.
     */
    public static MetricsServer serve(Integer port, dev.kiln.core.state.StateDir state, java.util.function.Consumer<String> say) {
        if (port == null) {
            return null;
        }
        MetricsServer metrics = start(port);
        say.accept("metrics at http://" + hostName() + ":" + metrics.port() + "/metrics");
        OutboxMetrics.bind(metrics.registry(), new dev.kiln.core.outbox.Outbox(state, java.time.Clock.systemUTC()));
        return metrics;
    }

    /** This machine's host name, for addresses printed to the operator ("localhost" when it has none). */
    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    public static MetricsServer start(int port) {
        if (port < 0 || port > 65535) {
            throw KilnException.usage("--metrics-port " + port + ": not a TCP port (0-65535)");
        }
        MetricsServer m;
        try {
            m = new MetricsServer(port);
        } catch (BindException e) {
            throw KilnException.usage("--metrics-port " + port + ": cannot listen there (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw KilnException.usage("--metrics-port " + port + ": " + dev.kiln.bundle.Why.of(e));
        }
        m.server.start();
        return m;
    }

    /** Where meters go to be served. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The port it listens on (the one chosen when 0 was asked for). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                send(ex, 404, "text/plain; charset=utf-8", "not found: metrics are at /metrics\n".getBytes(StandardCharsets.UTF_8), true);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8), true);
            } else {
                send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8),
                        method.equals("GET"));
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, boolean withBody) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, withBody ? body.length : -1);
        if (withBody) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
