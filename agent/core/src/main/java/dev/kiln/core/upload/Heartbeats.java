package dev.kiln.core.upload;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.Failure;
import dev.kiln.bundle.HeartbeatEnvelope;
import dev.kiln.bundle.StationKey;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.state.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * A running unit's status sent to the acceptance service every {@code interval} (15 s by default):
 * the run, its stage and suites with their elapsed and remaining time, the work checked and the
 * failures so far, the hottest temperature and the power, and the agent's own health. Signed with the
 * station key ({@link HeartbeatEnvelope}) and sent with the station token. A heartbeat is not
 * evidence (the verdict is the sealed bundle's) and never holds up a suite: one sender thread builds
 * the newest status at each tick (nothing queues; a slow send makes the next tick later, never two),
 * a failure to send is said once (and again when sending works again) and counted.
 * {@code PUT /v1/runs/{runId}/heartbeat}; docs/upload-protocol.md ("Heartbeats").
 */
public final class Heartbeats implements RunListener, AutoCloseable {
    /** The status's format version. */
    public static final int VERSION = 1;
    /** Words of the first failure sent at most. */
    static final int MAX_WORDS = 200;
    /** Suites in flight listed at most (a stage has a few). */
    static final int MAX_SUITES = 16;

    private final ServiceConfig config;
    private final StationKey key;
    private final Duration interval;
    private final Supplier<List<Progress>> inFlight;
    private final IntSupplier outboxDepth;
    private final Clock clock;
    private final Consumer<String> notice;
    private final HttpClient http;
    private final Object lock = new Object();

    private volatile RunInfo run;
    private final AtomicLong failures = new AtomicLong();
    private volatile String firstFailure;
    /** The latest sample's heat, taken whole: a temperature never paired with another sample's channel. */
    private record Heat(Instant at, Double hottest, String hottestChannel, Double watts, String wattsChannel) {
    }

    private volatile Heat heat;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean failing;
    private Thread sender;
    private boolean stopping;

    public Heartbeats(ServiceConfig config, StationKey key, Duration interval, Supplier<List<Progress>> inFlight, IntSupplier outboxDepth,
                      Clock clock, Consumer<String> notice) {
        this.config = config;
        this.key = key;
        this.interval = interval;
        this.inFlight = inFlight;
        this.outboxDepth = outboxDepth;
        this.clock = clock;
        this.notice = notice;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(shorter(interval, Duration.ofSeconds(10)));
        SSLContext tls = Tls.context(config);
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /** Heartbeats sent and answered 2xx. */
    public long sent() {
        return sent.get();
    }

    /** Heartbeats that could not be sent or were refused. */
    public long failed() {
        return failed.get();
    }

    /** Binds the counts to a registry: {@code kiln_heartbeats_sent_total}, {@code kiln_heartbeats_failed_total}. */
    public Heartbeats bind(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.FunctionCounter.builder("kiln_heartbeats_sent", sent, AtomicLong::get)
                .description("heartbeats the acceptance service accepted").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("kiln_heartbeats_failed", failed, AtomicLong::get)
                .description("heartbeats that could not be sent or were refused").register(registry);
        return this;
    }

    /** A telemetry sample: its time, the hottest temperature and the largest power channel. */
    public void sample(Instant at, Map<String, Double> values) {
        Double hot = null;
        String hotName = null;
        Double w = null;
        String wName = null;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) {
                continue;
            }
            if (e.getKey().endsWith("_celsius") && (hot == null || v > hot)) {
                hot = v;
                hotName = e.getKey();
            } else if (e.getKey().endsWith("_watts") && (w == null || v > w)) {
                w = v;
                wName = e.getKey();
            }
        }
        heat = new Heat(at, hot, hotName, w, wName);
    }

    @Override
    public void runStarted(RunInfo info) {
        synchronized (lock) {
            if (sender != null) {
                return;
            }
            run = info;
            sender = Thread.ofPlatform().daemon().name("kiln-heartbeats").start(this::loop);
        }
    }

    @Override
    public void failure(String suiteId, Failure f) {
        if (failures.getAndIncrement() == 0) {
            String words = suiteId + ": " + (f.message() == null || f.message().isBlank() ? f.symptom() : f.message());
            firstFailure = words.length() > MAX_WORDS ? words.substring(0, MAX_WORDS - 1) + "…" : words;
        }
    }

    private void loop() {
        while (true) {
            synchronized (lock) {
                long until = System.nanoTime() + interval.toNanos();
                for (long left = interval.toNanos(); !stopping && left > 0; left = until - System.nanoTime()) {
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
            }
            send(status(null));
        }
    }

    /**
     * The run has ended with {@code verdict} (sealed or not): the periodic sender stops and the last
     * heartbeat, which says so, is sent on a thread of its own. Nothing waits for it here: the bundle's
     * delivery and a signal's meaning ("stopping delivery") must not depend on a service that is slow
     * to answer a heartbeat; {@link #close} gives it a moment. The floor shows the unit as ended until
     * its bundle arrives.
     */
    public void ended(String verdict) {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
            if (sender == null || last != null) {
                return;
            }
            byte[] status = status(verdict);
            last = Thread.ofPlatform().daemon().name("kiln-heartbeats-last").start(() -> send(status));
        }
    }

    private Thread last;

    /** Stops the sender; waits up to {@code wait} for the last heartbeat to be sent (it never holds up more than that). */
    public void close(Duration wait) {
        Thread t;
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
            t = last;
        }
        if (t != null) {
            try {
                t.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the sender, waiting for nothing. */
    @Override
    public void close() {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
        }
    }

    /** The status now: what the floor page shows of this unit. */
    byte[] status(String endedVerdict) {
        RunInfo info = run;
        Instant now = clock.instant();
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("v", VERSION);
        s.put("runId", info.runId());
        s.put("serial", info.unit().getOrDefault("serial", ""));
        s.put("profile", info.profile());
        s.put("seq", seq.incrementAndGet());
        s.put("sentAt", now.toString());
        s.put("intervalSeconds", interval.toMillis() / 1000.0);
        s.put("state", endedVerdict == null ? "running" : "ended");
        if (endedVerdict != null) {
            s.put("verdict", endedVerdict);
        }
        s.put("startedAt", info.started().toString());
        s.put("elapsedSeconds", Math.max(0, Duration.between(info.started(), now).toMillis() / 1000.0));
        s.put("plannedSeconds", planned(info).toMillis() / 1000.0);
        List<Progress> flying = endedVerdict == null ? inFlight.get() : List.of();
        String stage = null;
        long work = 0;
        ArrayNode suites = s.putArray("suites");
        for (Progress p : flying) {
            if (p.suiteId().contains("/") && stage == null) {
                stage = p.suiteId().substring(0, p.suiteId().indexOf('/'));
            }
            work += p.units();
            if (suites.size() < MAX_SUITES) {
                ObjectNode o = suites.addObject();
                o.put("id", p.suiteId());
                o.put("phase", p.phase());
                o.put("elapsedSeconds", p.elapsed().toMillis() / 1000.0);
                o.put("remainingSeconds", p.remaining().toMillis() / 1000.0);
                o.put("units", p.units());
                o.put("unit", p.unit());
                o.put("failures", p.failures());
            }
        }
        if (stage != null) {
            s.put("stage", stage);
        }
        s.put("work", work);
        s.put("failures", failures.get());
        if (firstFailure != null) {
            s.put("firstFailure", firstFailure);
        }
        Heat h = heat;
        if (h != null && h.hottest() != null) {
            s.put("hottestCelsius", h.hottest());
            s.put("hottestChannel", h.hottestChannel());
        }
        if (h != null && h.watts() != null) {
            s.put("watts", h.watts());
            s.put("wattsChannel", h.wattsChannel());
        }
        ObjectNode agent = s.putObject("agent");
        Instant last = h == null ? null : h.at();
        agent.put("samplerAlive", last != null && Duration.between(last, now).compareTo(Duration.ofSeconds(10)) <= 0);
        if (last != null) {
            agent.put("lastSampleAgeSeconds", Math.max(0, Duration.between(last, now).toMillis() / 1000.0));
        }
        int depth;
        try {
            depth = outboxDepth.getAsInt();
        } catch (RuntimeException e) {
            depth = -1;
        }
        agent.put("outboxDepth", depth);
        agent.put("heartbeatsFailed", failed.get());
        try {
            return Json.MAPPER.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The run's planned length: suites in sequence, each stage once (its members at once). */
    static Duration planned(RunInfo info) {
        Duration total = Duration.ZERO;
        java.util.Map<String, Duration> stages = new java.util.HashMap<>();
        for (PlannedSuite p : info.suites()) {
            Duration d = p.duration() == null ? Duration.ZERO : p.duration();
            if (p.id().contains("/")) {
                stages.merge(p.id().substring(0, p.id().indexOf('/')), d, (a, b) -> a.compareTo(b) >= 0 ? a : b);
            } else {
                total = total.plus(d);
            }
        }
        for (Duration d : stages.values()) {
            total = total.plus(d);
        }
        return total;
    }

    /** Sends one status; failures said once (and the recovery once), counted, never thrown. */
    void send(byte[] status) {
        String why;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.url() + "/v1/runs/" + run.runId() + "/heartbeat"))
                    .timeout(shorter(interval, config.timeout()))
                    .header("Content-Type", HeartbeatEnvelope.MEDIA_TYPE)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(HeartbeatEnvelope.seal(status, key)));
            if (config.token() != null) {
                b.header("Authorization", "Bearer " + config.token());
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 409) {
                return; // the run is sealed already (its bundle arrived first) or a newer heartbeat is stored: nothing to say
            }
            if (r.statusCode() / 100 == 2) {
                sent.incrementAndGet();
                if (failing) {
                    failing = false;
                    notice.accept("heartbeats reach " + config.url() + " again");
                }
                return;
            }
            String body = new String(r.body(), 0, Math.min(r.body().length, 300), java.nio.charset.StandardCharsets.UTF_8);
            why = "the service answered " + r.statusCode() + ": " + Uploader.snippet(body);
        } catch (IOException e) {
            why = dev.kiln.bundle.Why.of(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            why = e.toString();
        }
        failed.incrementAndGet();
        if (!failing) {
            failing = true;
            notice.accept("heartbeats to " + config.url() + " are failing (" + why + "); the run goes on: heartbeats never hold it up");
        }
    }
}
