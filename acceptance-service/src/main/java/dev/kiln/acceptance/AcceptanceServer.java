package dev.kiln.acceptance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.Receipt;
import dev.kiln.bundle.TrustStore;
import dev.kiln.bundle.Why;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The reference acceptance service (DESIGN §6): {@code PUT} and {@code GET /v1/bundles/{runId}},
 * {@code GET /v1/units/{serial}/bundles}, {@code GET /metrics}. A bundle is stored only when it
 * verifies against the trusted station keys and its signed run id is the one in the URL; the same
 * id and digest again answer 200 with the stored receipt; the same id with another digest 409.
 */
public final class AcceptanceServer implements AutoCloseable {
    private static final Pattern BUNDLE = Pattern.compile("/v1/bundles/([0-9A-Za-z-]{1,64})");
    private static final Pattern UNIT = Pattern.compile("/v1/units/([^/]{1,128})/bundles");
    /** The sealed bundle itself, as the station sent it (from whichever replica stored it). */
    private static final Pattern BUNDLE_BYTES = Pattern.compile("/v1/bundles/([0-9A-Za-z-]{1,64})/bundle");
    /** {@code PUT /v1/runs/{runId}/heartbeat}: a running unit's signed status (issue 31). */
    private static final Pattern HEARTBEAT = Pattern.compile("/v1/runs/([0-9A-Za-z-]{1,64})/heartbeat");
    private static final Pattern DIGEST = Pattern.compile("(?:^|,)\\s*sha-256=:([A-Za-z0-9+/=]+):");

    private final ObjectMapper json = new ObjectMapper();
    private final BundleIndex index;
    private final BlobStore blobs;
    private final TrustStore trust;
    /** The fast Ed25519 check, for bundles and heartbeats alike. */
    private final dev.kiln.bundle.SignatureCheck signatures;
    /** One verifier for every ingest (it holds no state of a request), with the fast Ed25519 check. */
    private final BundleVerifier verifier;
    private final ServiceOptions options;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer ingest;
    private final java.util.concurrent.Semaphore ingests;
    /** Bytes of request bodies held in memory at once, in KiB: max-ingests x max-bundle-bytes. */
    private final java.util.concurrent.Semaphore bodyBudget;
    /** This process's spool of uploads being received. */
    private final Spool spool;
    private final int bodyBudgetKiB;
    private final Access access;
    private final Dashboard dashboard;
    private final FloorIndex floor;
    /** When heartbeats older than a day were last removed (at most every 10 minutes, by whichever request comes). */
    private final java.util.concurrent.atomic.AtomicLong lastPrune = new java.util.concurrent.atomic.AtomicLong();
    /** The floor's units by station for Prometheus, refreshed from the database at each scrape. */
    private final io.micrometer.core.instrument.MultiGauge floorRunning;
    private final io.micrometer.core.instrument.MultiGauge floorLost;
    private final boolean tlsOn;

    public AcceptanceServer(InetSocketAddress bind, BundleIndex index, BlobStore blobs, TrustStore trust, ServiceOptions options)
            throws IOException {
        this.index = index;
        this.blobs = blobs;
        this.trust = trust;
        this.signatures = new FastEd25519();
        this.verifier = new BundleVerifier(trust, BundleLimits.defaults(), signatures);
        this.options = options;
        this.ingest = Timer.builder("kiln_acceptance_ingest").description("time to verify and store a bundle").register(metrics);
        this.ingests = new java.util.concurrent.Semaphore(options.limits().maxIngests(), true);
        this.bodyBudgetKiB = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(64, options.limits().maxIngests() * ((options.maxBundleBytes() + 1023 >> 10) + 1)));
        this.bodyBudget = new java.util.concurrent.Semaphore(bodyBudgetKiB, true);
        this.spool = new Spool(Spool.folderOf(Spool.UPLOADS), kib -> acquire(bodyBudget, kib));
        Spool.scratch(); // a dead process's half-sent downloads removed at start, not at the first download
        this.access = options.rules();
        byte[] key = options.sessionKey();
        if (key == null) {
            key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
        }
        this.floor = new FloorIndex(index);
        this.dashboard = new Dashboard(index, blobs, access, key, options.tls() != null || options.behindTlsProxy()).withFloor(floor);
        this.floorRunning = io.micrometer.core.instrument.MultiGauge.builder("kiln_floor_running_units")
                .description("units whose heartbeats say they are running, by station (heard from within three intervals)").register(metrics);
        this.floorLost = io.micrometer.core.instrument.MultiGauge.builder("kiln_floor_lost_contact_units")
                .description("running units silent for more than three heartbeat intervals, with no bundle, by station").register(metrics);
        this.tlsOn = options.tls() != null;
        ServiceLimits.applyConnectionLimits(options.limits());
        if (options.tls() != null) {
            HttpsServer s = HttpsServer.create(bind, 64);
            s.setHttpsConfigurator(new HttpsConfigurator(options.tls()) {
                @Override
                public void configure(HttpsParameters params) {
                    var p = options.tls().getDefaultSSLParameters();
                    p.setNeedClientAuth(options.needClientCert());
                    params.setSSLParameters(p);
                }
            });
            server = s;
        } else {
            server = HttpServer.create(bind, 64);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The dashboard, for tests that tune it (the size of an export's chunks). */
    Dashboard dashboardForTests() {
        return dashboard;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void count(String outcome) {
        Counter.builder("kiln_acceptance_bundles").tag("outcome", outcome).description("bundles received, by outcome")
                .register(metrics).increment();
    }

    private void handle(HttpExchange ex) throws IOException {
        // Not try-with-resources: that would close the exchange before a catch could answer, and a
        // client would see an empty reply instead of the documented 503/500.
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod().equals("HEAD") ? "GET" : ex.getRequestMethod(); // HEAD: GET's answer, no body
            if (tlsOn) {
                ex.getResponseHeaders().set("Strict-Transport-Security", "max-age=31536000"); // browsers keep to https
            }
            if (path.equals("/metrics") && method.equals("GET")) {
                // behind a reader's token when readers are configured: the counts say how a factory's line is going
                if (!access.isOpen()) {
                    Access.Principal reader = access.authenticate(ex.getRequestHeaders().getFirst("Authorization"));
                    if (reader == null) {
                        error(ex, 401, "a reader's bearer token is required for /metrics");
                        return;
                    }
                    if (reader instanceof Access.Station) {
                        error(ex, 403, "stations upload; /metrics is for readers");
                        return;
                    }
                }
                refreshFloorGauges();
                Http.send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/healthz")) {
                // live: the process answers (a restart would not help anything else); says whether reads need a
                // credential: a dashboard of open reads on a floor network is a finding
                Http.send(ex, 200, "text/plain", ("ok\nreads: " + (access.isOpen() ? "open" : "token") + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/readyz")) {
                // ready: the database and the blob store answer now (a load balancer sends uploads elsewhere meanwhile)
                List<String> down = new java.util.ArrayList<>();
                String db = index.unreachable();
                if (db != null) {
                    down.add("database: " + db);
                }
                try {
                    blobs.get("0".repeat(64));
                } catch (IOException e) {
                    down.add("blob store: " + e.getMessage());
                }
                if (!down.isEmpty()) {
                    ex.getResponseHeaders().set("Retry-After", "5");
                }
                Http.send(ex, down.isEmpty() ? 200 : 503, "text/plain", (down.isEmpty() ? "ready\n" : "not ready\n" + String.join("\n", down) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/") && method.equals("GET")) {
                ex.getResponseHeaders().set("Location", "/ui");
                ex.sendResponseHeaders(303, -1); // a browser pointed at the service finds the dashboard
                return;
            }
            if (path.equals("/ui") || path.startsWith("/ui/")) {
                dashboard.handle(ex, method, path); // the factory's pages: their own credentials (token or session)
                return;
            }
            // who is asking, before anything is looked up
            Access.Principal who = access.authenticate(ex.getRequestHeaders().getFirst("Authorization"));
            if (who == null) {
                error(ex, 401, "a valid bearer token is required");
                return;
            }
            if (!access.certificateAllowed(who, clientCertificate(ex))) {
                error(ex, 403, "the client certificate presented is not one " + who.name() + "'s token is bound to");
                return;
            }
            Matcher hb = HEARTBEAT.matcher(path);
            if (hb.matches()) {
                if (method.equals("PUT")) {
                    heartbeat(ex, hb.group(1), who);
                } else {
                    error(ex, 405, method + " is not allowed here: stations PUT heartbeats");
                }
                return;
            }
            Matcher b = BUNDLE.matcher(path);
            Matcher u = UNIT.matcher(path);
            Matcher bytes = BUNDLE_BYTES.matcher(path);
            if (bytes.matches() && method.equals("GET") && !(who instanceof Access.Station)) {
                Optional<BundleIndex.Row> row = index.find(bytes.group(1));
                if (row.isEmpty()) {
                    error(ex, 404, "no bundle for run " + bytes.group(1));
                    return;
                }
                Optional<BlobStore.Stored> blob;
                try {
                    blob = blobs.file(row.get().sha256(), Spool.scratch());
                } catch (IOException e) {
                    count("error");
                    ex.getResponseHeaders().set("Retry-After", "5");
                    error(ex, 503, "blob store unavailable: " + e.getMessage());
                    return;
                }
                if (blob.isEmpty()) {
                    error(ex, 500, "run " + bytes.group(1) + " is indexed but its blob " + row.get().sha256() + " is missing from the store");
                    return;
                }
                ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + bytes.group(1) + ".kiln.zip\"");
                Http.sendFile(ex, BundleNames.MEDIA_TYPE, blob.get());
                return;
            }
            if (bytes.matches()) {
                error(ex, who instanceof Access.Station ? 403 : 405, who instanceof Access.Station
                        ? "stations upload, readers read" : method + " is not allowed here");
                return;
            }
            if ((b.matches() || u.matches()) && method.equals("PUT") && who instanceof Access.Reader r) {
                error(ex, 403, "reader " + r.name() + " may not upload");
            } else if ((b.matches() || u.matches()) && method.equals("GET") && who instanceof Access.Station st) {
                error(ex, 403, "station " + st.name() + " may not read: stations upload, readers read");
            } else if (b.matches() && method.equals("PUT") && who instanceof Access.Station st && st.revoked()) {
                count("rejected");
                error(ex, 403, "station " + st.name() + " is revoked: it may upload nothing more (what it uploaded stays)");
            } else if (b.matches() && method.equals("PUT")) {
                put(ex, b.group(1), who);
            } else if (b.matches() && method.equals("GET")) {
                Optional<BundleIndex.Row> row = index.find(b.group(1));
                if (row.isPresent()) {
                    sendJson(ex, 200, json.valueToTree(row.get().receipt()));
                } else {
                    error(ex, 404, "no bundle for run " + b.group(1));
                }
            } else if (u.matches() && method.equals("GET")) {
                ArrayNode list = json.createArrayNode();
                for (BundleIndex.Row r : index.bySerial(u.group(1))) {
                    list.add(json.valueToTree(r));
                }
                sendJson(ex, 200, list);
            } else if (b.matches() || u.matches()) {
                error(ex, 405, method + " is not allowed here");
            } else {
                error(ex, 404, "no such resource: " + path);
            }
        } catch (SQLException e) {
            count("error");
            ex.getResponseHeaders().set("Retry-After", "5");
            error(ex, 503, "database unavailable: " + Why.of(e));
        } catch (RuntimeException e) {
            count("error");
            error(ex, 500, "internal error: " + e);
        } finally {
            ex.close();
        }
    }

    private void put(HttpExchange ex, String runId, Access.Principal who) throws IOException, SQLException {
        long started = System.nanoTime();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.split(";")[0].trim().equalsIgnoreCase(BundleNames.MEDIA_TYPE)) {
            count("rejected");
            error(ex, 415, "Content-Type must be " + BundleNames.MEDIA_TYPE);
            return;
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLong(length) > options.maxBundleBytes()) {
            count("rejected");
            drain(ex);
            error(ex, 413, "bundle of " + length + " bytes is over the limit of " + options.maxBundleBytes());
            return;
        }
        // Bodies are held in the heap up to Spool.IN_MEMORY and spooled to a file past that, as they arrive (a month-long
        // run's bundle is gigabytes), against a byte budget (max-ingests x max-bundle-bytes in all), taken
        // as the bytes arrive: a client dripping its upload holds only what it has sent, so slow senders
        // cannot stall everyone else's uploads. Past the budget an upload waits a moment, then gets 503.
        int[] heldKiB = {0};
        Spool.Body body = null;
        try {
            try {
                // a declared length bounds the read (and the budget taken); chunked bodies read to the limit + 1
                long declared = length == null ? -1 : parseLong(length);
                long limit = declared >= 0 ? declared : options.maxBundleBytes() + 1;
                long free = declared > Spool.IN_MEMORY ? java.nio.file.Files.getFileStore(spool.dir()).getUsableSpace() : Long.MAX_VALUE;
                if (declared > free) { // answered before a byte is written: the station retries later, nothing is half-stored
                    throw new Spool.Full(spool.dir() + " has " + free + " bytes free, the bundle is " + declared);
                }
                body = spool.receive(ex.getRequestBody(), limit, System.nanoTime() + options.limits().requestTime().toNanos(), heldKiB);
            } catch (Spool.Busy b) {
                busy(ex, "busy: " + bodyBudgetKiB + " KiB of uploads are being received; retry after 2 s");
                return;
            } catch (Spool.Full f) {
                count("error");
                ex.getResponseHeaders().set("Retry-After", "30");
                ex.getResponseHeaders().set("Connection", "close");
                error(ex, 503, "the service cannot spool the upload: " + f.getMessage());
                return;
            }
            if (body.timedOut()) {
                count("rejected");
                ex.getResponseHeaders().set("Connection", "close");
                error(ex, 408, "the bundle did not arrive within " + options.limits().requestTime().toSeconds() + " s");
                return;
            }
            if (body.size() > options.maxBundleBytes()) {
                count("rejected");
                drain(ex);
                error(ex, 413, "bundle is over the limit of " + options.maxBundleBytes() + " bytes");
                return;
            }
            // At most maxIngests bundles verified and stored at once (the CPU and the store's connections);
            // others wait a moment, then get 503 with Retry-After (stations retry).
            if (!acquire(ingests, 1)) {
                busy(ex, "busy: " + options.limits().maxIngests() + " uploads are being verified; retry after 2 s");
                return;
            }
            try {
                ingest(ex, runId, started, who, body);
            } finally {
                ingests.release();
            }
        } finally {
            if (body != null && body.file() != null) {
                java.nio.file.Files.deleteIfExists(body.file());
            }
            bodyBudget.release(heldKiB[0]);
        }
    }

    /** The floor's gauges from the units heard from in the last hour; a database that fails leaves them as they were. */
    private void refreshFloorGauges() {
        try {
            long now = System.currentTimeMillis();
            Map<String, long[]> byStation = new java.util.TreeMap<>();
            for (FloorIndex.Unit unit : floor.floor(now - 3_600_000L)) {
                long[] n = byStation.computeIfAbsent(unit.beat().station(), k -> new long[2]);
                n[0] += unit.running(now) ? 1 : 0;
                n[1] += unit.lostContact(now) ? 1 : 0;
            }
            floorRunning.register(byStation.entrySet().stream().map(e -> io.micrometer.core.instrument.MultiGauge.Row.of(
                    io.micrometer.core.instrument.Tags.of("station", e.getKey()), e.getValue()[0])).toList(), true);
            floorLost.register(byStation.entrySet().stream().map(e -> io.micrometer.core.instrument.MultiGauge.Row.of(
                    io.micrometer.core.instrument.Tags.of("station", e.getKey()), e.getValue()[1])).toList(), true);
        } catch (SQLException e) {
            // the scrape still answers with what it had
        }
    }

    private void heartbeatCount(String station, String outcome) {
        Counter.builder("kiln_acceptance_heartbeats").tag("station", station).tag("outcome", outcome)
                .description("heartbeats received, by station and outcome (stored, stale, sealed, refused)").register(metrics).increment();
    }

    /**
     * A running unit's heartbeat: from a station (or, with no access file, anyone holding a trusted
     * key), its envelope at most {@link HeartbeatEnvelope#MAX_BYTES}, signed by one of the station's
     * keys, its status checked, stored when it is its run's newest. 204 stored; 409 for a run already
     * sealed or a heartbeat not newer than the one stored (replayed, out of order); 403 for a reader, a
     * revoked station, another station's key or run; 413, 415, 422 for what cannot be one.
     */
    private void heartbeat(HttpExchange ex, String runId, Access.Principal who) throws IOException, SQLException {
        java.util.function.Function<String, java.security.PublicKey> keys;
        String station;
        Pattern serials = null;
        if (who instanceof Access.Reader r) {
            error(ex, 403, "reader " + r.name() + " may not send heartbeats: stations do");
            return;
        }
        if (who instanceof Access.Station st) {
            if (st.revoked()) {
                heartbeatCount(st.name(), "refused");
                error(ex, 403, "station " + st.name() + " is revoked: its heartbeats are refused");
                return;
            }
            station = st.name();
            keys = id -> st.keys().contains(id) ? trust.get(id) : null;
            serials = st.serials();
        } else {
            station = null;
            keys = trust::get;
        }
        String label = station == null ? "open" : station;
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.split(";")[0].trim().equalsIgnoreCase(dev.kiln.bundle.HeartbeatEnvelope.MEDIA_TYPE)) {
            heartbeatCount(label, "refused");
            error(ex, 415, "Content-Type must be " + dev.kiln.bundle.HeartbeatEnvelope.MEDIA_TYPE);
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes(dev.kiln.bundle.HeartbeatEnvelope.MAX_BYTES + 1);
        if (body.length > dev.kiln.bundle.HeartbeatEnvelope.MAX_BYTES) {
            heartbeatCount(label, "refused");
            drain(ex);
            error(ex, 413, "a heartbeat is at most " + dev.kiln.bundle.HeartbeatEnvelope.MAX_BYTES + " bytes");
            return;
        }
        dev.kiln.bundle.HeartbeatEnvelope.Opened opened;
        try {
            opened = dev.kiln.bundle.HeartbeatEnvelope.open(body, keys, signatures);
        } catch (dev.kiln.bundle.HeartbeatEnvelope.RefusedException e) {
            heartbeatCount(label, "refused");
            error(ex, e.unsigned() ? 403 : 422, e.getMessage());
            return;
        }
        if (station == null) {
            station = "key " + opened.keyId().substring(0, Math.min(12, opened.keyId().length()));
            label = station;
        }
        FloorIndex.Beat beat;
        try {
            beat = HeartbeatIntake.beat(opened.status(), runId, station, serials, Instant.now());
        } catch (HeartbeatIntake.Refused e) {
            heartbeatCount(label, "refused");
            error(ex, e.status, e.getMessage());
            return;
        }
        switch (floor.put(beat)) {
            case STORED -> {
                heartbeatCount(label, "stored");
                ex.sendResponseHeaders(204, -1);
                long now = System.currentTimeMillis();
                long last = lastPrune.get();
                if (now - last > 600_000 && lastPrune.compareAndSet(last, now)) {
                    floor.prune(now - 86_400_000L); // the floor shows an hour; a day is kept, the rest removed
                }
            }
            case SEALED -> {
                heartbeatCount(label, "sealed");
                error(ex, 409, "run " + runId + " is sealed: its bundle speaks for it now");
            }
            case STALE -> {
                heartbeatCount(label, "stale");
                error(ex, 409, "a heartbeat of run " + runId + " as new as this one (seq " + beat.seq() + ") is stored: replayed or out of order");
            }
            case OTHER_STATION -> {
                heartbeatCount(label, "refused");
                error(ex, 403, "run " + runId + "'s heartbeats come from another station");
            }
        }
    }

    private boolean acquire(java.util.concurrent.Semaphore s, int permits) {
        try {
            return s.tryAcquire(permits, options.limits().ingestWait().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void busy(HttpExchange ex, String message) throws IOException {
        count("busy");
        ex.getResponseHeaders().set("Retry-After", "2");
        ex.getResponseHeaders().set("Connection", "close");
        error(ex, 503, message);
    }

    private void ingest(HttpExchange ex, String runId, long started, Access.Principal who, Spool.Body body) throws IOException, SQLException {
        byte[] raw = body.sha256();
        String hex = HexFormat.of().formatHex(raw);
        String digestHeader = ex.getRequestHeaders().getFirst("Content-Digest");
        Matcher d = digestHeader == null ? null : DIGEST.matcher(digestHeader);
        if (d == null || !d.find()) {
            count("rejected");
            error(ex, 400, "a Content-Digest header with sha-256 is required (RFC 9530)");
            return;
        }
        if (!d.group(1).equals(Base64.getEncoder().encodeToString(raw))) {
            count("rejected");
            error(ex, 400, "Content-Digest does not match the body: damaged in transit");
            return;
        }
        // Verified before anything is looked up or answered: garbage or an untrusted bundle PUT to a
        // stored run id gets 422, never a 409 that tells it the stored digest. Verification streams from the
        // spooled file, so a bomb (or a month of telemetry) costs a buffer of memory.
        BundleVerifier.Result v = verifier.verify(body.source());
        Admission.Refusal refused = Admission.refusal(v, runId, who);
        if (refused != null) {
            // The very bytes already stored are answered as stored, whatever changed since (a key revoked,
            // a serial pattern narrowed): a station retrying a delivery the service holds must not
            // quarantine it, and the client learns nothing it did not send.
            Optional<BundleIndex.Row> existing = index.find(runId);
            if (existing.isPresent() && existing.get().sha256().equals(hex)) {
                answerExisting(ex, existing.get(), hex);
                return;
            }
            count("rejected");
            if (refused.status() == 403) {
                error(ex, 403, refused.reasons().getFirst());
            } else {
                reject(ex, refused.status(), refused.reasons());
            }
            return;
        }
        // A valid, trusted bundle: its bytes are written while its facts are read; its row only once the
        // bytes are durable (a row never names a blob that is not there).
        java.util.concurrent.Future<?> stored = executor.submit(() -> {
            if (body.file() != null) {
                blobs.put(hex, body.file());
            } else {
                blobs.put(hex, body.bytes());
            }
            return null;
        });
        RunFacts facts = RunFacts.of(body.source());
        try {
            stored.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof IOException io)) {
                throw new IllegalStateException(e.getCause());
            }
            count("error");
            ex.getResponseHeaders().set("Retry-After", "5");
            error(ex, 503, "blob store unavailable: " + io.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            count("error");
            ex.getResponseHeaders().set("Retry-After", "5");
            error(ex, 503, "interrupted while storing the bundle");
            return;
        }
        String nul = facts.nulField();
        String absurd = nul == null ? Admission.absurdEnd(facts.ended(), Instant.now()) : null;
        if (nul != null || absurd != null) {
            // a permanent refusal the station quarantines (PostgreSQL answered it with an error the service
            // turned into 503, so the station retried forever); the bytes just written are named by no row
            try {
                blobs.delete(hex);
            } catch (IOException e) {
                // an unreferenced blob is left: harmless bytes, never served
            }
            count("rejected");
            reject(ex, 422, List.of(nul != null ? nul + Admission.NUL_REFUSED : absurd));
            return;
        }
        // a placeholder serial ("unknown", "To Be Filled By O.E.M.") is filed as a unit of its own run: two machines that
        // lack a serial are never one unit, a FAIL of one never hidden behind a PASS of the other
        BundleIndex.Row row = new BundleIndex.Row(runId, dev.kiln.bundle.BundleIdentity.unitOf(v.predicate().path("serial").asText(), runId),
                v.predicate().path("verdict").asText(),
                hex, v.keyId(), body.size(), Instant.now().toString());
        // what the dashboard shows, indexed with the row in one transaction (the bundle stays the source)
        String station = who instanceof Access.Station st ? st.name() : "key " + v.keyId().substring(0, Math.min(12, v.keyId().length()));
        if (index.insertIfAbsent(row, facts, station)) {
            count("stored");
            ingest.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            sendJson(ex, 201, json.valueToTree(row.receipt()));
            return;
        }
        // The run was stored before (a retry, or another request or replica first): the same bytes are
        // 200; other bytes are a conflict (409), and the blob written for them is removed, since no
        // row names it or can (the run id is inside the signed bytes).
        BundleIndex.Row existing = index.find(runId).orElseThrow(() -> new SQLException("run " + runId + " is neither new nor stored"));
        if (!existing.sha256().equals(hex)) {
            try {
                blobs.delete(hex);
            } catch (IOException e) {
                // an unreferenced blob is left: harmless bytes, never served (no row names them)
            }
        }
        answerExisting(ex, existing, hex);
    }

    /**
     * Reads and discards what is left of a refused body (up to 256 MiB), so the client, still
     * sending, can read the answer instead of seeing the connection reset.
     */
    private static void drain(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        byte[] sink = new byte[64 * 1024];
        long left = 256L << 20;
        for (int n; left > 0 && (n = in.read(sink)) > 0; ) {
            left -= n;
        }
    }

    private void answerExisting(HttpExchange ex, BundleIndex.Row row, String hex) throws IOException {
        if (row.sha256().equals(hex)) {
            count("duplicate");
            sendJson(ex, 200, json.valueToTree(row.receipt()));
        } else {
            count("conflict");
            reject(ex, 409, List.of("run " + row.runId() + " is already stored with sha256 " + row.sha256()));
        }
    }

    private void reject(HttpExchange ex, int status, List<String> reasons) throws IOException {
        Receipt r = new Receipt(null, null, null, false, reasons, null, null, null);
        sendJson(ex, status, json.valueToTree(r));
    }

    private void error(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode n = json.createObjectNode().put("error", message);
        n.putArray("reasons").add(message);
        sendJson(ex, status, n);
    }

    private void sendJson(HttpExchange ex, int status, com.fasterxml.jackson.databind.JsonNode body) throws IOException {
        Http.send(ex, status, "application/json", json.writeValueAsBytes(body));
    }

    /** The SHA-256 (hex) of the client certificate presented over TLS, or null (plain http, or none). */
    static String clientCertificate(HttpExchange ex) {
        if (!(ex instanceof com.sun.net.httpserver.HttpsExchange hx) || hx.getSSLSession() == null) {
            return null;
        }
        try {
            java.security.cert.Certificate[] chain = hx.getSSLSession().getPeerCertificates();
            return chain.length == 0 ? null : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** For tests and the benchmark. */
    public static String digestHex(byte[] data) {
        return BundleWriter.sha256(data);
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Stops at once (a replica lost mid-ingest, as far as its clients can tell); a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
