package dev.kiln.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.sun.net.httpserver.HttpExchange;
import dev.kiln.bundle.BundleNames;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The factory's view ({@code /ui/…}): server-rendered pages of units, one unit's runs, one run (its
 * summary, failures in plain words, inventory against its SKU, telemetry charts) and the line's yield,
 * with CSV of every table. Readable without JavaScript; Mustache escapes everything a bundle or a
 * person typed. With readers configured, a page needs a reader's credential: a bearer token, or the
 * session cookie a token login sets (signed with HMAC-SHA-256; see docs/dashboard.md).
 */
final class Dashboard {
    static final String COOKIE = "kiln_session";
    private static final java.time.Duration SESSION = java.time.Duration.ofHours(12);
    static final int PAGE_SIZE = 50;
    /** The last page number asked for at all: page × PAGE_SIZE stays far inside an int (2,147,483,647 once overflowed into a negative OFFSET: a 503). */
    static final int MAX_PAGE = 1_000_000;
    /** Units read from the index at a time for {@code units.csv}, which streams them all. */
    static final int CSV_CHUNK = 10_000;
    private int csvChunk = CSV_CHUNK;

    /** A smaller chunk, so a test sees an export read in several (this instance only). */
    Dashboard csvChunk(int units) {
        this.csvChunk = units;
        return this;
    }
    private static final List<String> VERDICTS = List.of("PASS", "FAIL", "INCOMPLETE", "ERROR");

    private final BundleIndex index;
    private final BlobStore blobs;
    private final Access access;
    private final byte[] sessionKey;
    private final boolean secureCookie;
    private final ObjectMapper json = new ObjectMapper();
    private final DefaultMustacheFactory templates = new DefaultMustacheFactory("dashboard");
    private final Map<String, Mustache> compiled = new ConcurrentHashMap<>();
    /** Drawn charts of recent runs: a sealed bundle never changes, so its charts never go stale. */
    /** Charts drawn since start (each a telemetry inflated and scanned): how coalescing is seen from outside. */
    static final java.util.concurrent.atomic.AtomicLong DRAWS = new java.util.concurrent.atomic.AtomicLong();
    /** Charts being drawn now, by bundle digest: a second request for the same run waits for the first. */
    private final Map<String, java.util.concurrent.CompletableFuture<Charts.Drawn>> drawing = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Charts.Drawn> chartCache = java.util.Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Charts.Drawn> e) {
            return size() > 64;
        }
    });

    Dashboard(BundleIndex index, BlobStore blobs, Access access, byte[] sessionKey, boolean secureCookie) {
        this.index = index;
        this.blobs = blobs;
        this.access = access;
        this.sessionKey = sessionKey.clone();
        this.secureCookie = secureCookie;
    }

    private FloorPage floorPage;

    /** The floor page reads the units in burn-in from here. */
    Dashboard withFloor(FloorIndex floor) {
        this.floorPage = new FloorPage(floor);
        return this;
    }

    /** Answers a request under {@code /ui}. */
    void handle(HttpExchange ex, String method, String path) throws IOException, SQLException {
        if (path.equals("/ui/static/kiln.css")) {
            Http.send(ex, 200, "text/css; charset=utf-8", resource("dashboard/kiln.css"));
            return;
        }
        if (path.equals("/ui/login")) {
            login(ex, method);
            return;
        }
        if (path.equals("/ui/logout") && method.equals("POST")) {
            Session s = session(ex.getRequestHeaders().getFirst("Cookie"));
            if (s != null) {
                index.revokeSession(s.sid(), s.expires()); // the cookie's value is refused from now on, by every replica
            }
            ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : ""));
            redirect(ex, "/ui/login");
            return;
        }
        Access.Principal who = reader(ex);
        boolean csv = path.endsWith(".csv");
        if (who == null) {
            if (csv) {
                sendText(ex, 401, "a reader's credential is required: a bearer token or a session (log in at /ui/login)\n");
            } else {
                redirect(ex, "/ui/login?next=" + enc(path + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery())));
            }
            return;
        }
        if (who instanceof Access.Station st) {
            page(ex, 403, "error", Map.of("title", "Not for stations", "message", "Station " + st.name() + " uploads; readers read."), who);
            return;
        }
        if (!method.equals("GET")) {
            page(ex, 405, "error", Map.of("title", "Not allowed", "message", method + " is not allowed here"), who);
            return;
        }
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if (path.equals("/ui") || path.equals("/ui/")) {
            redirect(ex, "/ui/units");
        } else if (path.equals("/ui/units") || path.equals("/ui/units.csv")) {
            units(ex, q, csv, who);
        } else if (path.startsWith("/ui/units/") && path.endsWith("/report.pdf")) {
            String raw = ex.getRequestURI().getRawPath();
            String enc = raw.substring(raw.indexOf("/ui/units/") + "/ui/units/".length(), raw.length() - "/report.pdf".length());
            report(ex, URLDecoder.decode(enc.replace("+", "%2B"), StandardCharsets.UTF_8), who);
        } else if (path.startsWith("/ui/units/")) {
            // the raw path, decoded once: a serial may hold '/' or '%' (the decoded path would be decoded twice)
            String raw = ex.getRequestURI().getRawPath();
            unit(ex, URLDecoder.decode(raw.substring(raw.indexOf("/ui/units/") + "/ui/units/".length()).replace("+", "%2B"), StandardCharsets.UTF_8), who);
        } else if (path.matches("/ui/runs/[0-9A-Za-z-]{1,64}/bundle")) {
            bundle(ex, path.substring("/ui/runs/".length(), path.length() - "/bundle".length()), who);
        } else if (path.startsWith("/ui/runs/")) {
            run(ex, path.substring("/ui/runs/".length()), who);
        } else if (path.equals("/ui/floor") && floorPage != null) {
            Map<String, Object> scope = floorPage.scope(System.currentTimeMillis());
            page(ex, 200, "floor", scope, who);
        } else if (path.equals("/ui/line")) {
            line(ex, q, who);
        } else if (path.matches("/ui/line/[a-z]+\\.csv")) {
            lineCsv(ex, path.substring("/ui/line/".length(), path.length() - 4), q);
        } else {
            notFound(ex, "No such page: " + path, who);
        }
    }

    // ---- access ----

    /** Who is asking: a bearer token, or a valid session cookie; null when neither (and reads need one). */
    private Access.Principal reader(HttpExchange ex) throws SQLException {
        if (access.isOpen()) {
            return access.authenticate(null);
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            return access.authenticate(auth);
        }
        Session s = session(ex.getRequestHeaders().getFirst("Cookie"));
        if (s == null || index.sessionRevoked(s.sid())) {
            return null;
        }
        return access.reader(s.reader(), hash -> MessageDigest.isEqual(tag(hash).getBytes(StandardCharsets.US_ASCII),
                s.tag().getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * What a session cookie says, once its signature holds and it has not expired: the reader, when
     * it expires, its own id (what a logout revokes), and a tag of the token it was opened with.
     */
    record Session(String reader, long expires, String sid, String tag) {
    }

    /** A token's tag in a session: a MAC of its hash, so the cookie says nothing of the token itself. */
    private String tag(String tokenHash) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(mac("token|" + tokenHash), 12));
    }

    /** The session a cookie holds, when its signature holds and it has not expired; else null. */
    Session session(String cookies) {
        if (cookies == null) {
            return null;
        }
        for (String c : cookies.split(";")) {
            String kv = c.trim();
            if (!kv.startsWith(COOKIE + "=")) {
                continue;
            }
            String v = kv.substring(COOKIE.length() + 1);
            int dot = v.indexOf('.');
            if (dot < 0) {
                return null;
            }
            String payload = v.substring(0, dot);
            byte[] given;
            try {
                given = Base64.getUrlDecoder().decode(v.substring(dot + 1));
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (!MessageDigest.isEqual(given, mac(payload))) {
                return null;
            }
            String text;
            try {
                text = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            // reader|expires|sid|tag (a reader's name may hold '|': the three fixed fields are taken from the right)
            int t = text.lastIndexOf('|');
            int s = t < 0 ? -1 : text.lastIndexOf('|', t - 1);
            int e = s < 0 ? -1 : text.lastIndexOf('|', s - 1);
            if (e < 0) {
                return null; // an older cookie, without an id: log in again
            }
            long expires;
            try {
                expires = Long.parseLong(text.substring(e + 1, s));
            } catch (NumberFormatException x) {
                return null;
            }
            if (expires < Instant.now().getEpochSecond()) {
                return null; // expired
            }
            return new Session(text.substring(0, e), expires, text.substring(s + 1, t), text.substring(t + 1));
        }
        return null;
    }

    /** A new session for {@code reader}, bound to the token whose hash is {@code tokenHash}. */
    String newSession(String reader, String tokenHash) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String sid = java.util.HexFormat.of().formatHex(id);
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                (reader + "|" + Instant.now().plus(SESSION).getEpochSecond() + "|" + sid + "|" + tag(tokenHash)).getBytes(StandardCharsets.UTF_8));
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(payload));
    }

    /** The host[:port] of an Origin header, or "" when it is not a URI. */
    private static String authority(String origin) {
        try {
            String a = java.net.URI.create(origin).getRawAuthority();
            return a == null ? "" : a;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private byte[] mac(String payload) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(sessionKey, "HmacSHA256"));
            return m.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void login(HttpExchange ex, String method) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        String next = safeNext(q.get("next"));
        if (method.equals("GET")) {
            page(ex, 200, "login", Map.of("next", next, "open", access.isOpen()), null);
            return;
        }
        if (!method.equals("POST")) {
            sendText(ex, 405, method + " is not allowed here\n");
            return;
        }
        // a login posted from another site's page is refused (a browser names the page's origin): with
        // SameSite=Strict and no other state change, this is what is left of login CSRF
        String origin = ex.getRequestHeaders().getFirst("Origin");
        String host = ex.getRequestHeaders().getFirst("Host");
        if (origin != null && !origin.equals("null") && (host == null || !host.equalsIgnoreCase(authority(origin)))) {
            sendText(ex, 403, "a login from another origin (" + origin + ") is refused\n");
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes(8192);
        Map<String, String> form = query(new String(body, StandardCharsets.US_ASCII));
        next = safeNext(form.getOrDefault("next", next));
        String token = form.getOrDefault("token", "");
        Access.Principal p = token.isBlank() ? null : access.authenticate("Bearer " + token);
        if (p == null || p instanceof Access.Station) {
            page(ex, 401, "login", Map.of("next", next, "error", p == null ? "That token is not a reader's." : "Station tokens upload; they cannot read."),
                    null);
            return;
        }
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + newSession(p.name(), Access.sha256(token.strip())) + "; Path=/ui; Max-Age=" + SESSION.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : ""));
        redirect(ex, next);
    }

    /** Only a path on this dashboard: a login link must not send a reader elsewhere. */
    private static String safeNext(String next) {
        return next != null && next.startsWith("/ui/") && !next.startsWith("//") && !next.contains("\\") ? next : "/ui/units";
    }

    // ---- pages ----

    private void units(HttpExchange ex, Map<String, String> q, boolean csv, Access.Principal who) throws IOException, SQLException {
        BundleIndex.UnitFilter f = new BundleIndex.UnitFilter(q.get("serial"), q.get("verdict"), q.get("sku"), q.get("station"),
                day(q.get("from")), day(q.get("to")));
        int page = intOr(q.get("page"), 1);
        if (q.get("page") != null && (page < 1 || page > MAX_PAGE)) {
            page(ex, 400, "error", Map.of("title", "Bad page", "message", "page must be a number from 1 to " + MAX_PAGE), who);
            return;
        }
        if (csv) {
            // every unit, streamed a chunk at a time (it once stopped silently at 100,000 rows, and held them all)
            ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"units.csv\"");
            ex.getResponseHeaders().set("Content-Type", "text/csv; charset=utf-8");
            // keyset pages in serial order: every unit exactly once even while runs arrive, and no count with every chunk
            List<BundleIndex.UnitRow> chunk = index.unitsAfter(f, null, csvChunk);
            ex.sendResponseHeaders(200, 0); // chunked
            try (java.io.Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(ex.getResponseBody(), StandardCharsets.UTF_8))) {
                w.write("serial,verdict,latest_run,received_at,sku,station,model,runs\n");
                while (true) {
                    for (BundleIndex.UnitRow u : chunk) {
                        w.write(Csv.row(u.serial(), u.verdict(), u.runId(), u.receivedAt(), u.sku(), u.station(), u.model(), Long.toString(u.runs())));
                    }
                    if (chunk.size() < csvChunk) {
                        break;
                    }
                    chunk = index.unitsAfter(f, chunk.getLast().serial(), csvChunk);
                }
            }
            return;
        }
        BundleIndex.Page<BundleIndex.UnitRow> p = index.units(f, (page - 1) * PAGE_SIZE, PAGE_SIZE);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BundleIndex.UnitRow u : p.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("serial", u.serial());
            m.put("href", "/ui/units/" + enc(u.serial()));
            m.put("verdict", u.verdict());
            m.put("runHref", "/ui/runs/" + u.runId());
            m.put("received", when(u.receivedAt()));
            m.put("sku", dash(u.sku()));
            m.put("station", dash(u.station()));
            m.put("model", dash(u.model()));
            m.put("runs", u.runs());
            rows.add(m);
        }
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("title", "Units");
        scope.put("units", rows);
        scope.put("total", p.total());
        scope.put("none", p.total() == 0);
        scope.put("serial", orEmpty(q.get("serial")));
        scope.put("from", orEmpty(day(q.get("from"))));
        scope.put("to", orEmpty(day(q.get("to"))));
        scope.put("verdicts", options(VERDICTS, q.get("verdict")));
        scope.put("skus", options(index.distinct("sku"), q.get("sku")));
        scope.put("stations", options(index.distinct("station"), q.get("station")));
        String keep = keep(q, "page");
        scope.put("csvHref", "/ui/units.csv" + (keep.isEmpty() ? "" : "?" + keep));
        long pages = Math.max(1, (p.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        scope.put("page", page);
        scope.put("pages", pages);
        if (page > 1) {
            scope.put("prevHref", "/ui/units?" + (keep.isEmpty() ? "" : keep + "&") + "page=" + (page - 1));
        }
        if (page < pages) {
            scope.put("nextHref", "/ui/units?" + (keep.isEmpty() ? "" : keep + "&") + "page=" + (page + 1));
        }
        page(ex, 200, "units", scope, who);
    }

    private void unit(HttpExchange ex, String serial, Access.Principal who) throws IOException, SQLException {
        List<BundleIndex.RunRow> runs = index.runsOf(serial);
        if (runs.isEmpty()) {
            notFound(ex, "No runs of unit " + serial + " have been received.", who);
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BundleIndex.RunRow r : runs) {
            Map<String, Object> m = runScope(r);
            rows.add(m);
        }
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("title", "Unit " + serial);
        scope.put("serial", serial);
        scope.put("runs", rows);
        scope.put("count", runs.size());
        scope.put("latest", runs.get(0).verdict());
        scope.put("reportHref", "/ui/units/" + enc(serial) + "/report.pdf");
        page(ex, 200, "unit", scope, who);
    }

    /**
     * {@code /ui/units/{serial}/report.pdf}: the unit's acceptance report, every run listed and the latest
     * in full from its sealed bundle (read from the store as a file, streamed), rendered by the same
     * code as {@code kiln report}; the same bytes for the same runs.
     */
    private void report(HttpExchange ex, String serial, Access.Principal who) throws IOException, SQLException {
        List<BundleIndex.RunRow> runs = index.runsOf(serial);
        if (runs.isEmpty()) {
            notFound(ex, "No runs of unit " + serial + " have been received.", who);
            return;
        }
        BundleIndex.RunRow latest = runs.get(0);
        // the same runs give the same bytes: a report asked for again (a floor lead's reload, a reader's script) is not rendered again
        StringBuilder key = new StringBuilder(serial);
        for (BundleIndex.RunRow r : runs) {
            key.append('\u0000').append(r.sha256()).append(r.station());
        }
        byte[] cached = reports.get(key.toString());
        if (cached != null) {
            sendReport(ex, serial, cached);
            return;
        }
        Optional<BlobStore.Stored> zip;
        try {
            zip = blob(latest);
        } catch (IOException e) {
            ex.getResponseHeaders().set("Retry-After", "5");
            page(ex, 503, "error", Map.of("title", "Blob store unavailable", "message", "The sealed bundle could not be read: " + e.getMessage()), who);
            return;
        }
        if (zip.isEmpty()) {
            page(ex, 500, "error", Map.of("title", "Bundle missing", "message", "Run " + latest.runId() + " is indexed but its bundle is not in the store."),
                    who);
            return;
        }
        byte[] pdf;
        try {
            List<dev.kiln.report.UnitReport.RunLine> lines = new ArrayList<>();
            for (BundleIndex.RunRow r : runs) {
                lines.add(new dev.kiln.report.UnitReport.RunLine(r.runId(), r.verdict(), r.profile(), r.started(), r.durationS(), r.station()));
            }
            pdf = dev.kiln.report.ReportPdf.render(dev.kiln.report.UnitReport.of(dev.kiln.bundle.ZipSource.of(zip.get().path()), latest.sha256(),
                    latest.stationKey(), lines, latest.station()));
        } finally {
            if (zip.get().temporary()) {
                java.nio.file.Files.deleteIfExists(zip.get().path());
            }
        }
        reports.put(key.toString(), pdf);
        sendReport(ex, serial, pdf);
    }

    private static void sendReport(HttpExchange ex, String serial, byte[] pdf) throws IOException {
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + serial.replaceAll("[^A-Za-z0-9._-]", "_") + ".report.pdf\"");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        Http.send(ex, 200, "application/pdf", pdf);
    }

    /** Reports rendered, by unit and runs (each a few hundred KB at most): the 32 asked for last. */
    private final Map<String, byte[]> reports = java.util.Collections.synchronizedMap(new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> e) {
            return size() > 32;
        }
    });

    private static Map<String, Object> runScope(BundleIndex.RunRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.runId());
        m.put("href", "/ui/runs/" + r.runId());
        m.put("bundleHref", "/ui/runs/" + r.runId() + "/bundle");
        m.put("serial", r.serial());
        m.put("serialHref", "/ui/units/" + enc(r.serial()));
        m.put("verdict", r.verdict());
        m.put("profile", dash(r.profile()));
        m.put("duration", r.durationS() == null ? "—" : duration(r.durationS()));
        m.put("station", dash(r.station()));
        m.put("key", r.stationKey().substring(0, Math.min(16, r.stationKey().length())));
        m.put("received", when(r.receivedAt()));
        m.put("started", when(r.started()));
        m.put("ended", when(r.ended()));
        m.put("sku", dash(r.sku()));
        m.put("model", dash(r.model()));
        m.put("failures", r.failureCount());
        m.put("size", String.format(Locale.ROOT, "%.1f KiB", r.sizeBytes() / 1024.0));
        return m;
    }

    /** The run's bundle as a checked file (never whole in the heap: a month-long run's is gigabytes). */
    private Optional<BlobStore.Stored> blob(BundleIndex.RunRow r) throws IOException {
        return blobs.file(r.sha256(), Spool.scratch());
    }

    private void bundle(HttpExchange ex, String runId, Access.Principal who) throws IOException, SQLException {
        Optional<BundleIndex.RunRow> r = index.run(runId);
        Optional<BlobStore.Stored> b;
        try {
            b = r.isEmpty() ? Optional.empty() : blobs.file(r.get().sha256(), Spool.scratch()); // streamed, never held whole
        } catch (IOException e) { // answered, never a dropped connection
            ex.getResponseHeaders().set("Retry-After", "5");
            page(ex, 503, "error", Map.of("title", "Blob store unavailable", "message", "The sealed bundle could not be read: " + e.getMessage()), who);
            return;
        }
        if (b.isEmpty()) {
            notFound(ex, "No bundle for run " + runId + ".", who);
            return;
        }
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + runId + ".kiln.zip\"");
        Http.sendFile(ex, dev.kiln.bundle.BundleNames.MEDIA_TYPE, b.get());
    }

    private void run(HttpExchange ex, String runId, Access.Principal who) throws IOException, SQLException {
        Optional<BundleIndex.RunRow> row = runId.matches("[0-9A-Za-z-]{1,64}") ? index.run(runId) : Optional.empty();
        if (row.isEmpty()) {
            notFound(ex, "No run " + runId + " has been received.", who);
            return;
        }
        Map<String, Object> scope = runScope(row.get());
        scope.put("title", "Run " + runId);
        List<String> notes = new ArrayList<>();
        Optional<BlobStore.Stored> zip;
        boolean storeDown = false;
        try {
            zip = blob(row.get());
        } catch (IOException e) { // the page still shows what the index knows, and says why the rest is missing
            zip = Optional.empty();
            storeDown = true;
            notes.add("The blob store did not give the sealed bundle (" + e.getMessage() + "): only the index's facts are shown.");
        }
        // a run's charts, once drawn, are kept: its telemetry (39 MB for a day of 64 channels) is then not inflated again;
        // and while one request draws them, others for the same bundle wait for it instead of inflating and drawing again
        String sha = row.get().sha256();
        Charts.Drawn cached = chartCache.get(sha);
        java.util.concurrent.CompletableFuture<Charts.Drawn> mine = null;
        java.util.concurrent.CompletableFuture<Charts.Drawn> theirs = null;
        if (cached == null && zip.isPresent()) {
            java.util.concurrent.CompletableFuture<Charts.Drawn> f = new java.util.concurrent.CompletableFuture<>();
            theirs = drawing.putIfAbsent(sha, f);
            mine = theirs == null ? f : null;
        }
        try {
            boolean waitedInVain = false;
            if (theirs != null) {
                try {
                    cached = theirs.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    // null: the bundle has no telemetry to draw
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    notes.add("The charts could not be drawn here now (another request was drawing them): reload to see them.");
                    waitedInVain = true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            Map<String, byte[]> files = zip.isPresent() ? entries(zip.get().path(), notes, names) : Map.of();
            if (zip.isEmpty() && !storeDown) {
                notes.add("The sealed bundle is missing from the store: only the index's facts are shown.");
            }
            JsonNode summary = parse(files.get(BundleNames.SUMMARY), BundleNames.SUMMARY, notes, zip.isPresent());
            JsonNode inventory = parse(files.get(BundleNames.INVENTORY), BundleNames.INVENTORY, notes, zip.isPresent());
            scope.put("reason", summary.path("reason").asText(""));
            List<Map<String, Object>> suites = new ArrayList<>();
            List<Map<String, Object>> failures = new ArrayList<>();
            List<Charts.Span> spans = new ArrayList<>();
            Map<String, Charts.Span> stageSpans = new LinkedHashMap<>();
            long failuresBeyond = 0;
            for (JsonNode s : summary.path("suites")) {
                Map<String, Object> m = new LinkedHashMap<>();
                String id = s.path("suiteId").asText("?");
                m.put("suite", id);
                m.put("outcome", s.path("outcome").asText("?"));
                m.put("required", s.path("required").asBoolean(true) ? "" : "optional");
                Double d = null;
                try {
                    Instant a = Instant.parse(s.path("started").asText());
                    Instant b = Instant.parse(s.path("ended").asText());
                    d = java.time.Duration.between(a, b).toMillis() / 1000.0;
                    String stage = id.contains("/") ? id.substring(0, id.indexOf('/')) : id;
                    Charts.Span prev = stageSpans.get(stage);
                    stageSpans.put(stage, prev == null ? new Charts.Span(stage, a, b)
                            : new Charts.Span(stage, a.isBefore(prev.start()) ? a : prev.start(), b.isAfter(prev.end()) ? b : prev.end()));
                } catch (RuntimeException e) {
                    // not started (skipped): no time
                }
                m.put("time", d == null ? "—" : duration(d));
                m.put("iterations", s.path("iterations").asLong(0));
                m.put("failures", s.path("failureCount").asLong(0));
                String standIn = s.path("standIn").asText("");
                String reason = s.path("reason").asText("");
                // a stand-in is never the engine: said on the run page whatever the outcome
                m.put("reason", standIn.isEmpty() ? reason : "on a stand-in: " + standIn + (reason.isEmpty() ? "" : "; " + reason));
                suites.add(m);
                for (JsonNode f : s.path("failures")) {
                    if (failures.size() >= RunFacts.MAX_FAILURES) { // listed up to the index's own bound, the rest counted
                        failuresBeyond++;
                        continue;
                    }
                    Map<String, Object> fm = new LinkedHashMap<>();
                    fm.put("suite", id);
                    fm.put("symptom", f.path("symptom").asText("?"));
                    fm.put("sentence", f.path("message").asText(""));
                    fm.put("location", dash(RunFacts.location(f.path("details"))));
                    fm.put("degraded", f.path("degraded").asBoolean(false));
                    failures.add(fm);
                }
                if (s.path("failureCount").asLong(0) > s.path("failures").size()) {
                    notes.add(id + ": " + s.path("failureCount").asLong() + " failures, the first " + s.path("failures").size() + " in full in the bundle.");
                }
            }
            if (failuresBeyond > 0) {
                notes.add(failuresBeyond + " more failure(s) in the bundle are not listed here (the first " + RunFacts.MAX_FAILURES + " are).");
            }
            spans.addAll(stageSpans.values());
            scope.put("suites", suites);
            scope.put("hasSuites", !suites.isEmpty());
            scope.put("failureList", failures);
            scope.put("hasFailures", !failures.isEmpty());
            // the inventory against its SKU
            List<Map<String, Object>> checks = new ArrayList<>();
            for (JsonNode c : inventory.path("checks")) {
                checks.add(Map.of("field", c.path("field").asText(), "expected", c.path("expected").asText(), "actual", c.path("actual").asText(),
                        "ok", c.path("ok").asBoolean(false)));
            }
            scope.put("checks", checks);
            scope.put("hasChecks", !checks.isEmpty());
            scope.put("skuName", inventory.path("sku").path("name").asText(""));
            JsonNode inv = inventory.path("inventory");
            List<Map<String, Object>> facts = new ArrayList<>();
            for (String k : List.of("model", "identifier", "chip", "os", "physicalCores", "logicalCpus", "memoryBytes")) {
                if (inv.has(k)) {
                    facts.add(Map.of("name", k, "value", inv.path(k).asText()));
                }
            }
            scope.put("inventory", facts);
            // telemetry
            // drawn from the stored file, the telemetry inflated as it is read (twice: its time range, then the drawing)
            boolean csv = mine != null && names.contains(BundleNames.TELEMETRY);
            List<Map<String, Object>> charts = new ArrayList<>();
            if (!csv && cached == null) {
                if (mine != null) {
                    mine.complete(null); // nothing to draw: those waiting say so too
                }
                if (zip.isPresent() && !waitedInVain) {
                    notes.add("This bundle has no telemetry (telemetry/samples.csv is missing): the rest of the run is shown.");
                }
            } else {
                Charts.Drawn drawn = cached;
                if (drawn == null) {
                    java.nio.file.Path file = zip.get().path();
                    try {
                        drawn = Charts.draw(() -> entry(file, BundleNames.TELEMETRY), spans);
                        DRAWS.incrementAndGet();
                        chartCache.put(sha, drawn);
                        if (mine != null) {
                            mine.complete(drawn);
                        }
                    } catch (IOException e) { // the page still shows the rest, says why the charts are missing, and caches nothing
                        notes.add("The telemetry could not be read to its end (" + e.getMessage() + "): no charts are drawn.");
                    }
                }
                if (drawn == null) {
                    // not drawn: said above
                } else if (drawn.damagedLines() > 0) {
                    notes.add("The telemetry has " + drawn.damagedLines() + " damaged line(s), skipped; the rest is drawn.");
                }
                if (drawn == null) {
                    drawn = new Charts.Drawn(List.of(), 0, 0, 0); // nothing to show, nothing more to say
                } else if (drawn.samples() == 0) {
                    notes.add("The telemetry holds no readable samples.");
                } else if (drawn.charts().isEmpty()) {
                    notes.add("The telemetry (" + drawn.samples() + " samples) has no temperature, clock, power or fan channel to draw.");
                }
                for (Charts.Chart c : drawn.charts()) {
                    List<Map<String, Object>> legend = new ArrayList<>();
                    for (int k = 0; k < c.series().size(); k++) {
                        legend.add(Map.of("channel", c.series().get(k), "colour", Charts.colour(k)));
                    }
                    Map<String, Object> cm = new LinkedHashMap<>();
                    cm.put("title", c.title());
                    cm.put("unit", c.unit());
                    cm.put("svg", c.svg());
                    cm.put("legend", legend);
                    cm.put("series", c.series().size());
                    cm.put("notDrawn", c.notDrawn() > 0 ? c.notDrawn() + " more channel(s) not drawn" : "");
                    charts.add(cm);
                }
                scope.put("samples", drawn.samples());
            }
            scope.put("charts", charts);
            scope.put("notes", notes);
            scope.put("hasNotes", !notes.isEmpty());
            page(ex, 200, "run", scope, who);
        } finally {
            if (mine != null) {
                mine.completeExceptionally(new IllegalStateException("not drawn")); // a failure on the way (a no-op once completed)
                drawing.remove(sha, mine);
            }
            if (zip.isPresent() && zip.get().temporary()) {
                java.nio.file.Files.deleteIfExists(zip.get().path());
            }
        }
    }

    /** The bundle's small files; the names of all its entries go to {@code names}. What cannot be read is noted, the rest kept. */
    private static Map<String, byte[]> entries(java.nio.file.Path zip, List<String> notes, java.util.Set<String> names) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(zip), 64 * 1024))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                if (List.of(BundleNames.SUMMARY, BundleNames.INVENTORY).contains(e.getName())) {
                    byte[] b = RunFacts.capped(in, e.getName(), notes);
                    if (b != null) {
                        out.put(e.getName(), b);
                    }
                }
            }
        } catch (IOException e) {
            notes.add("The bundle could not be read to its end (" + e.getMessage() + "): what was read is shown.");
        }
        return out;
    }

    /** One entry of a bundle's file as it inflates (the stream ends at the entry's end). */
    static java.io.InputStream entry(java.nio.file.Path zip, String name) throws IOException {
        ZipInputStream in = new ZipInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(zip), 64 * 1024));
        try {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().equals(name)) {
                    return in;
                }
            }
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        in.close();
        throw new IOException(name + " is no longer in " + zip);
    }

    private JsonNode parse(byte[] b, String name, List<String> notes, boolean haveBundle) {
        if (b == null) {
            if (haveBundle) {
                notes.add("The bundle has no " + name + ".");
            }
            return json.missingNode();
        }
        try {
            return json.readTree(b);
        } catch (IOException e) {
            notes.add(name + " does not parse: " + e.getMessage().lines().findFirst().orElse(""));
            return json.missingNode();
        }
    }

    private void line(HttpExchange ex, Map<String, String> q, Access.Principal who) throws IOException, SQLException {
        int days = Math.max(1, Math.min(366, intOr(q.get("days"), 14)));
        String from = LocalDate.now(ZoneOffset.UTC).minusDays(days - 1).toString();
        String week = LocalDate.now(ZoneOffset.UTC).minusDays(6).toString();
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("title", "Line");
        scope.put("days", days);
        List<Map<String, Object>> yield = new ArrayList<>();
        long maxRuns = 1;
        List<BundleIndex.Tally> byDay = index.byDay(from);
        for (BundleIndex.Tally t : byDay) {
            maxRuns = Math.max(maxRuns, t.total());
        }
        for (BundleIndex.Tally t : byDay) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", t.key());
            m.put("runs", t.total());
            m.put("passed", t.passed());
            m.put("failed", t.failed());
            m.put("yield", pct(t.total() == 0 ? 0 : t.passed() / (double) t.total()));
            m.put("bar", Math.round(100.0 * t.total() / maxRuns));
            m.put("passBar", t.total() == 0 ? 0 : Math.round(100.0 * t.passed() / maxRuns));
            yield.add(m);
        }
        scope.put("yield", yield);
        scope.put("suites", tallies(index.bySuite(from)));
        scope.put("skus", tallies(index.byColumn("sku", from)));
        scope.put("stations", tallies(index.byColumn("station", from)));
        List<Map<String, Object>> symptoms = new ArrayList<>();
        for (BundleIndex.Tally t : index.topSymptoms(week, 10)) {
            symptoms.add(Map.of("symptom", t.key(), "count", t.total(), "runs", t.failed()));
        }
        scope.put("symptoms", symptoms);
        page(ex, 200, "line", scope, who);
    }

    private static List<Map<String, Object>> tallies(List<BundleIndex.Tally> ts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BundleIndex.Tally t : ts) {
            out.add(Map.of("key", t.key(), "runs", t.total(), "failed", t.failed(), "rate", pct(t.rate())));
        }
        return out;
    }

    private void lineCsv(HttpExchange ex, String table, Map<String, String> q) throws IOException, SQLException {
        int days = Math.max(1, Math.min(366, intOr(q.get("days"), 14)));
        String from = LocalDate.now(ZoneOffset.UTC).minusDays(days - 1).toString();
        StringBuilder b = new StringBuilder();
        Function<List<BundleIndex.Tally>, String> rate = ts -> {
            StringBuilder s = new StringBuilder();
            for (BundleIndex.Tally t : ts) {
                s.append(Csv.row(t.key(), Long.toString(t.total()), Long.toString(t.failed()), String.format(Locale.ROOT, "%.4f", t.rate())));
            }
            return s.toString();
        };
        switch (table) {
            case "yield" -> {
                b.append("day,runs,passed,failed,yield\n");
                for (BundleIndex.Tally t : index.byDay(from)) {
                    b.append(Csv.row(t.key(), Long.toString(t.total()), Long.toString(t.passed()), Long.toString(t.failed()),
                            String.format(Locale.ROOT, "%.4f", t.total() == 0 ? 0 : t.passed() / (double) t.total())));
                }
            }
            case "suites" -> b.append("suite,runs,failed,failure_rate\n").append(rate.apply(index.bySuite(from)));
            case "skus" -> b.append("sku,runs,failed,failure_rate\n").append(rate.apply(index.byColumn("sku", from)));
            case "stations" -> b.append("station,runs,failed,failure_rate\n").append(rate.apply(index.byColumn("station", from)));
            case "symptoms" -> {
                b.append("symptom,seen,runs\n");
                for (BundleIndex.Tally t : index.topSymptoms(LocalDate.now(ZoneOffset.UTC).minusDays(6).toString(), 1000)) {
                    b.append(Csv.row(t.key(), Long.toString(t.total()), Long.toString(t.failed())));
                }
            }
            default -> {
                sendText(ex, 404, "no table " + table + " (yield, suites, skus, stations, symptoms)\n");
                return;
            }
        }
        sendCsv(ex, table + ".csv", b.toString());
    }

    private void notFound(HttpExchange ex, String message, Access.Principal who) throws IOException {
        page(ex, 404, "error", Map.of("title", "Not found", "message", message), who);
    }

    // ---- rendering ----

    private void page(HttpExchange ex, int status, String template, Map<String, Object> scope, Access.Principal who) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>(scope);
        s.putIfAbsent("title", "Kiln");
        if (who != null && !access.isOpen()) {
            s.put("reader", who.name());
        }
        StringWriter w = new StringWriter();
        compiled.computeIfAbsent(template, t -> templates.compile(t + ".mustache")).execute(w, s);
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        Http.send(ex, status, "text/html; charset=utf-8", w.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(HttpExchange ex, int status, String text) throws IOException {
        Http.send(ex, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendCsv(HttpExchange ex, String name, String csv) throws IOException {
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
        Http.send(ex, 200, "text/csv; charset=utf-8", csv.getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().set("Location", to);
        ex.sendResponseHeaders(303, -1);
    }

    private static byte[] resource(String name) throws IOException {
        try (var in = Dashboard.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return in.readAllBytes();
        }
    }

    // ---- small helpers ----

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                m.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                // a malformed escape: that field is ignored
            }
        }
        return m;
    }

    /** The query without {@code drop}, re-encoded, for links that keep the filter. */
    private static String keep(Map<String, String> q, String drop) {
        List<String> parts = new ArrayList<>();
        q.forEach((k, v) -> {
            if (!k.equals(drop) && v != null && !v.isEmpty()) {
                parts.add(enc(k) + "=" + enc(v));
            }
        });
        return String.join("&", parts);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String day(String s) {
        return s != null && s.matches("\\d{4}-\\d{2}-\\d{2}") ? s : null;
    }

    private static int intOr(String s, int d) {
        try {
            return s == null ? d : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return d;
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String dash(String s) {
        return s == null || s.isBlank() ? "—" : s;
    }

    private static List<Map<String, Object>> options(List<String> values, String selected) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String v : values) {
            out.add(Map.of("value", v, "selected", v.equals(selected)));
        }
        return out;
    }

    static String when(String iso) {
        if (iso == null) {
            return "—";
        }
        try {
            return Instant.parse(iso).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString().replace('T', ' ').replace("Z", " UTC");
        } catch (RuntimeException e) {
            return iso;
        }
    }

    static String duration(double s) {
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", t / 3600, t % 3600 / 60) : String.format(Locale.ROOT, "%dm %02ds", t / 60, t % 60);
    }

    private static String pct(double r) {
        return String.format(Locale.ROOT, "%.1f %%", r * 100);
    }

    /** CSV as RFC 4180 writes it, and safe to open in a spreadsheet: a cell that starts a formula is prefixed with a quote. */
    static final class Csv {
        private Csv() {
        }

        static String row(String... cells) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    b.append(',');
                }
                String c = cells[i] == null ? "" : cells[i];
                // a cell a spreadsheet would run as a formula; ';' too (the separator where ',' is a decimal point)
                if (!c.isEmpty() && "=+-@;\t\r".indexOf(c.charAt(0)) >= 0) {
                    c = "'" + c;
                }
                // quoted when it holds either separator, so no locale splits it into cells of its choosing
                if (c.indexOf(',') >= 0 || c.indexOf(';') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                    c = '"' + c.replace("\"", "\"\"") + '"';
                }
                b.append(c);
            }
            return b.append('\n').toString();
        }
    }
}
