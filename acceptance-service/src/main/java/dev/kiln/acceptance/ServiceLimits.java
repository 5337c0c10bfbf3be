package dev.kiln.acceptance;

/**
 * What one client may hold of the service.
 *
 * @param maxConnections open connections at most; more wait in the listen backlog or are closed
 *                       (the JDK server's {@code jdk.httpserver.maxConnections})
 * @param requestTime    a request, headers and body, must have arrived within this; a client that
 *                       sends slowly or nothing is cut off ({@code sun.net.httpserver.maxReqTime}
 *                       and the body read's own deadline)
 * @param idle           an idle keep-alive connection is closed after this ({@code sun.net.httpserver.idleInterval})
 * @param maxIngests     uploads read and verified at once: the heap an ingest may hold is at most
 *                       this × the largest bundle
 * @param ingestWait     how long an upload waits for one of them before it gets 503 with Retry-After
 */
public record ServiceLimits(int maxConnections, java.time.Duration requestTime, java.time.Duration idle, int maxIngests,
                            java.time.Duration ingestWait) {
    public static final ServiceLimits DEFAULTS = new ServiceLimits(1000, java.time.Duration.ofSeconds(120), java.time.Duration.ofSeconds(30),
            8, java.time.Duration.ofSeconds(2));

    /** The problem with these limits, or null. */
    public String check() {
        if (maxConnections < 1) {
            return "--max-connections must be at least 1";
        }
        if (requestTime.toMillis() < 1000) {
            return "--max-request-time must be at least 1s";
        }
        if (idle.toMillis() < 1000) {
            return "--idle-timeout must be at least 1s";
        }
        if (maxIngests < 1) {
            return "--max-ingests must be at least 1";
        }
        return ingestWait.isNegative() ? "--ingest-wait must not be negative" : null;
    }

    private static final java.util.concurrent.atomic.AtomicReference<ServiceLimits> SERVER_LIMITS = new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Sets the JDK server's connection limits, which are system properties read once per process when
     * its first server starts: the first call in a process wins (the service's own process makes
     * exactly one). Returns the limits in force.
     */
    static ServiceLimits applyConnectionLimits(ServiceLimits l) {
        if (SERVER_LIMITS.compareAndSet(null, l)) {
            System.setProperty("jdk.httpserver.maxConnections", Integer.toString(l.maxConnections()));
            System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, l.requestTime().toSeconds())));
            System.setProperty("sun.net.httpserver.maxRspTime", Long.toString(Math.max(1, l.requestTime().toSeconds())));
            System.setProperty("sun.net.httpserver.idleInterval", Long.toString(Math.max(1, l.idle().toSeconds())));
            System.setProperty("sun.net.httpserver.maxIdleConnections", Integer.toString(Math.max(1, Math.min(200, l.maxConnections()))));
        }
        return SERVER_LIMITS.get();
    }
}
