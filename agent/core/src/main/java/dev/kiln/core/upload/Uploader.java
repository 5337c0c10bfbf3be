package dev.kiln.core.upload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.Receipt;
import dev.kiln.core.outbox.BundleLock;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;

/**
 * Delivers sealed bundles to the acceptance service (DESIGN §6): {@code PUT /v1/bundles/{runId}}
 * with {@code Content-Digest}; retries network errors, 408, 429 and 5xx with exponential backoff
 * and full jitter, honouring {@code Retry-After}, with no time limit unless the caller gives a
 * deadline; after an ambiguous failure (a timeout, a reset once the body was sent, a garbled
 * answer) asks {@code GET /v1/bundles/{runId}} before sending again; quarantines a bundle the
 * service refuses for good, with its reason; and lets a bundle leave {@code pending/} only against
 * a receipt naming its digest.
 */
public final class Uploader {
    private static final int MAX_ANSWER = 64 * 1024;
    /** Deliveries in flight at once during a drain. */
    public static final int PARALLEL = 8;

    /** Waits between attempts (a test passes one that does not really sleep). */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** What became of one bundle. */
    public enum Outcome {
        DELIVERED, QUARANTINED, PENDING, NOT_ALLOWED,
        /** Gone from pending/, and neither a receipt nor a quarantined copy says where: moved by hand. */
        GONE
    }

    /**
     * @param bundle  the file (where it was in pending/)
     * @param outcome what became of it
     * @param detail  the receipt's digest, the quarantine reason, or the last error
     */
    public record Delivery(Path bundle, Outcome outcome, String detail) {
    }

    private final ServiceConfig config;
    private final Outbox outbox;
    private final Duration retention;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator jitter;
    private final Consumer<String> log;
    private final HttpClient http;

    public Uploader(ServiceConfig config, Outbox outbox, Duration retention, Clock clock, Sleeper sleeper,
                    RandomGenerator jitter, Consumer<String> log) {
        this.config = config;
        this.outbox = outbox;
        this.retention = retention;
        this.clock = clock;
        this.sleeper = sleeper;
        this.jitter = jitter;
        this.log = log;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? config.timeout() : Duration.ofSeconds(10));
        SSLContext tls = Tls.context(config);
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    /**
     * Delivers every pending bundle, oldest first, {@value #PARALLEL} at a time (each delivery is
     * independent and idempotent, and a loopback service answers faster than one connection can
     * feed it); stops starting new ones once the service refuses us (401/403).
     */
    public List<Delivery> drain(Instant deadline) throws IOException, InterruptedException {
        return drain(outbox.pending(), deadline);
    }

    private List<Delivery> drain(List<Path> pending, Instant deadline) throws IOException, InterruptedException {
        List<java.util.concurrent.Future<Delivery>> futures = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean refused = new java.util.concurrent.atomic.AtomicBoolean();
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL)) {
            for (Path p : pending) {
                futures.add(pool.submit(() -> {
                    if (refused.get()) {
                        return new Delivery(p, Outcome.PENDING, "not tried: the service refused us");
                    }
                    Delivery d = deliver(p, deadline);
                    // Another process has it in hand: wait for its outcome (read from the outbox once
                    // its lock is free) rather than report a bundle as pending that is being delivered.
                    while (d.outcome() == Outcome.PENDING && BUSY.equals(d.detail())
                            && (deadline == null || clock.instant().isBefore(deadline))) {
                        sleeper.sleep(BUSY_POLL);
                        d = deliver(p, deadline);
                    }
                    if (d.outcome() == Outcome.NOT_ALLOWED) {
                        refused.set(true);
                    }
                    return d;
                }));
            }
            List<Delivery> out = new ArrayList<>();
            for (java.util.concurrent.Future<Delivery> f : futures) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
            return out;
        }
    }

    /**
     * Delivers one bundle; returns PENDING when the deadline (null: none) passes first. Another
     * process delivering the same bundle holds its {@link BundleLock}: then this one leaves it
     * (PENDING, "being delivered by another process"), or reports it gone once delivered.
     */
    public Delivery deliver(Path bundle, Instant deadline) throws IOException, InterruptedException {
        try (BundleLock lock = BundleLock.tryAcquire(outbox.state(), bundle)) {
            if (lock == null) {
                return new Delivery(bundle, Outcome.PENDING, BUSY);
            }
            if (!Files.exists(bundle)) {
                return elsewhere(bundle);
            }
            return deliverLocked(bundle, deadline);
        }
    }

    /** The detail of a bundle another process is delivering. */
    public static final String BUSY = "being delivered by another process";

    /** How often a drain looks again at a bundle another process is delivering. */
    private static final Duration BUSY_POLL = Duration.ofMillis(200);

    /**
     * One pass of {@code kiln upload --watch}: every pending bundle that is due (its backoff after a
     * failure has run out), each tried until {@code perBundle} has passed, then left for a later pass
     * with its error and next attempt recorded. A bundle that keeps failing therefore never holds up
     * the others, and bundles sealed meanwhile are found by the next pass, which re-reads pending/.
     */
    public List<Delivery> drainDue(Duration perBundle) throws IOException, InterruptedException {
        Instant now = clock.instant();
        List<Path> due = outbox.pending().stream().filter(p -> !outbox.status(p).nextAttempt().isAfter(now)).toList();
        return drain(due, clock.instant().plus(perBundle));
    }

    private Delivery deliverLocked(Path bundle, Instant deadline) throws IOException, InterruptedException {
        int before = outbox.status(bundle).attempts();
        byte[] raw;
        try {
            String tooLarge = Outbox.tooLarge(bundle);
            if (tooLarge != null) { // no service takes it
                return quarantined(bundle, tooLarge);
            }
            raw = sha256(bundle);
        } catch (java.nio.file.NoSuchFileException gone) {
            return elsewhere(bundle);
        }
        String hex = HexFormat.of().formatHex(raw);
        String runId = Outbox.runId(bundle);
        boolean ambiguous = false;
        String lastError = "";
        for (int attempt = 0; ; attempt++) {
            Duration wait = null;
            if (ambiguous) {
                Answer a = send(HttpRequest.newBuilder(config.bundle(runId)).GET());
                if (a.status == 200) {
                    Receipt r = receipt(a.body, runId);
                    if (r != null && r.sha256().equals(hex)) {
                        return delivered(bundle, r);
                    }
                    if (r != null) {
                        return quarantined(bundle, "the service holds another bundle for run " + runId + " (sha256 " + r.sha256() + ")");
                    }
                    lastError = "the service answered GET with something that is not a receipt: " + snippet(a.body);
                } else if (a.status == 404) {
                    ambiguous = false; // it did not get it: send again
                } else if (a.status == -1) {
                    if (a.tlsRefused) {
                        outbox.recordAttempt(bundle, a.error);
                        return new Delivery(bundle, Outcome.NOT_ALLOWED, a.error);
                    }
                    lastError = a.error;
                } else {
                    lastError = a.describe("GET");
                    wait = retryAfter(a);
                }
            }
            if (!ambiguous) {
                HttpRequest.Builder put = HttpRequest.newBuilder(config.bundle(runId))
                        // sent from the file as it is read (a sealed bundle never changes; the digest header
                        // makes the service refuse one that did): a bundle of gigabytes costs a buffer here
                        .PUT(HttpRequest.BodyPublishers.ofFile(bundle))
                        .header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE)
                        .header("Content-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(raw) + ":");
                Answer a = send(put);
                switch (a.status) {
                    case 200, 201 -> {
                        Receipt r = receipt(a.body, runId);
                        if (r != null && r.sha256().equals(hex) && r.accepted()) {
                            return delivered(bundle, r);
                        }
                        ambiguous = true;
                        lastError = "the service answered " + a.status + " without a matching receipt: " + snippet(a.body);
                    }
                    case 409 -> {
                        return quarantined(bundle, "refused (409): the service holds another bundle for run " + runId + ": " + reason(a.body));
                    }
                    case 400, 413, 415, 422 -> {
                        return quarantined(bundle, "refused (" + a.status + "): " + reason(a.body));
                    }
                    case 401, 403 -> {
                        String why = "not allowed (" + a.status + "): check the token or client certificate: " + reason(a.body);
                        outbox.recordAttempt(bundle, why);
                        return new Delivery(bundle, Outcome.NOT_ALLOWED, why);
                    }
                    case -1 -> {
                        if (a.tlsRefused) {
                            outbox.recordAttempt(bundle, a.error);
                            return new Delivery(bundle, Outcome.NOT_ALLOWED, a.error);
                        }
                        lastError = a.error;
                        ambiguous = a.ambiguous;
                    }
                    default -> {
                        lastError = a.describe("PUT");
                        if (a.status == 408 || a.status == 429 || a.status >= 500) {
                            wait = retryAfter(a);
                        } else {
                            // 404, 405, a redirect...: the URL is not an acceptance service
                            String why = "the service answered " + a.status + " to PUT " + config.bundle(runId)
                                    + ": is the service URL right? " + snippet(a.body);
                            outbox.recordAttempt(bundle, why);
                            return new Delivery(bundle, Outcome.NOT_ALLOWED, why);
                        }
                    }
                }
            }
            Duration backoff = wait != null ? wait : backoff(before + attempt);
            outbox.recordAttempt(bundle, lastError, backoff);
            if (deadline != null && clock.instant().plus(backoff).isAfter(deadline)) {
                return new Delivery(bundle, Outcome.PENDING, lastError);
            }
            log.accept(bundle.getFileName() + ": " + lastError + "; retrying in " + backoff.toMillis() + " ms");
            sleeper.sleep(backoff);
        }
    }

    private Delivery delivered(Path bundle, Receipt r) throws IOException {
        if (!outbox.markSent(bundle, r, retention)) {
            return elsewhere(bundle);
        }
        log.accept(bundle.getFileName() + ": delivered, receipt " + r.sha256() + " at " + r.receivedAt());
        return new Delivery(bundle, Outcome.DELIVERED, r.sha256());
    }

    /**
     * A bundle another process took out of pending/ first: what became of it, read from the outbox
     * (its receipt in sent/, or its copy in quarantine/), so that "delivered" is said only against
     * a receipt and never of a bundle the service refused.
     */
    private Delivery elsewhere(Path bundle) throws IOException {
        Outbox.Where w = outbox.whereIs(bundle);
        return switch (w.state()) {
            case "sent" -> new Delivery(bundle, Outcome.DELIVERED, w.detail() + " (delivered by another process)");
            case "quarantined" -> new Delivery(bundle, Outcome.QUARANTINED, w.detail() + " (quarantined by another process)");
            default -> new Delivery(bundle, Outcome.GONE, "no longer in pending/, with no receipt and not in quarantine/");
        };
    }

    private Delivery quarantined(Path bundle, String reason) throws IOException {
        outbox.quarantine(bundle, reason);
        log.accept(bundle.getFileName() + ": quarantined: " + reason);
        return new Delivery(bundle, Outcome.QUARANTINED, reason);
    }

    /** Full jitter: uniform in [0, min(max, base * 2^attempt)]. */
    Duration backoff(int attempt) {
        long cap = Math.min(config.retryMaxDelay().toMillis(), config.retryBaseDelay().toMillis() << Math.min(attempt, 30));
        if (cap <= 0) {
            return Duration.ZERO;
        }
        synchronized (jitter) { // drains deliver in parallel; the generator is not thread-safe
            return Duration.ofMillis(jitter.nextLong(cap + 1));
        }
    }

    /** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
    Duration retryAfter(Answer a) {
        if (a.retryAfter == null) {
            return null;
        }
        String v = a.retryAfter.trim();
        try {
            return Duration.ofSeconds(Math.min(Long.parseLong(v), 3600));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(clock.instant(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
    }

    /** One HTTP exchange, with the failure classified. */
    static final class Answer {
        int status = -1;
        String body = "";
        String retryAfter;
        String error;
        boolean ambiguous;
        boolean tlsRefused;

        String describe(String method) {
            return "the service answered " + status + " to " + method + (body.isBlank() ? "" : ": " + snippet(body));
        }
    }

    private Answer send(HttpRequest.Builder b) throws InterruptedException {
        b.timeout(config.timeout());
        if (config.token() != null) {
            b.header("Authorization", "Bearer " + config.token());
        }
        Answer a = new Answer();
        try {
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            a.status = r.statusCode();
            a.retryAfter = r.headers().firstValue("Retry-After").orElse(null);
            try (InputStream in = r.body()) {
                a.body = new String(in.readNBytes(MAX_ANSWER), StandardCharsets.UTF_8);
            }
        } catch (ConnectException e) {
            a.error = "cannot connect to " + config.url() + ": " + dev.kiln.bundle.Why.of(e);
            a.ambiguous = false; // nothing was sent
        } catch (javax.net.ssl.SSLHandshakeException e) {
            a.error = "TLS handshake with " + config.url() + " failed (check the CA file and the client certificate): " + e.getMessage();
            a.tlsRefused = true; // a certificate problem does not fix itself by retrying
        } catch (HttpTimeoutException e) {
            a.status = -1;
            a.error = "no answer within " + config.timeout().toMillis() + " ms";
            a.ambiguous = true;
        } catch (IOException e) {
            a.status = -1;
            a.error = "connection failed: " + e;
            a.ambiguous = true; // the body may have reached the service
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof javax.net.ssl.SSLException ssl) {
                    // TLS 1.3 refuses a client certificate after the handshake looked done: same problem
                    a.error = "TLS with " + config.url() + " failed (check the CA file and the client certificate): " + ssl.getMessage();
                    a.tlsRefused = true;
                }
            }
        }
        return a;
    }

    private static Receipt receipt(String body, String runId) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n == null || !n.isObject() || !runId.equals(n.path("runId").asText()) || !n.path("sha256").isTextual()) {
                return null;
            }
            return Json.MAPPER.treeToValue(n, Receipt.class);
        } catch (IOException e) {
            return null;
        }
    }

    private static String reason(String body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n != null && n.path("reasons").isArray() && !n.path("reasons").isEmpty()) {
                List<String> rs = new ArrayList<>();
                n.path("reasons").forEach(x -> rs.add(x.asText()));
                return String.join("; ", rs);
            }
            if (n != null && n.path("error").isTextual()) {
                return n.path("error").asText();
            }
        } catch (IOException notJson) {
            // fall through to the text
        }
        return snippet(body);
    }

    static String snippet(String body) {
        String s = body.replaceAll("\\s+", " ").strip();
        return s.isEmpty() ? "(empty)" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** The file's SHA-256, read in 64 KiB steps. */
    private static byte[] sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return sha.digest();
    }

}
