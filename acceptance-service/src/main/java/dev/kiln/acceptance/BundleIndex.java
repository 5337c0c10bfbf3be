package dev.kiln.acceptance;

import dev.kiln.bundle.Receipt;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.flywaydb.core.Flyway;

/**
 * The index of stored bundles in a real database through JDBC: SQLite (embedded, the default) or
 * PostgreSQL, migrated by Flyway at start. SQLite: one connection (one writer). PostgreSQL: a HikariCP
 * pool whose connections are validated before use and replaced when the server restarts or ends them
 * (the four connections once opened at start were never reopened: after a database restart every
 * request was 503 until the service restarted), with a bounded wait for a connection and socket,
 * connect and statement timeouts, so a database that stops answering is a 503 within seconds, not a
 * request that hangs. Idempotency rests on the primary key: the first insert of a run id wins.
 */
public final class BundleIndex implements AutoCloseable {
    /** PostgreSQL connections at most. */
    static final int PG_POOL = 8;
    /** How long a request waits for a PostgreSQL connection before its 503. */
    static final long PG_WAIT_MS = 5_000;
    /** Driver timeouts unless the JDBC URL sets its own: connect (s), socket reads (s), statements (ms). */
    static final Map<String, String> PG_TIMEOUTS = Map.of("connectTimeout", "5", "socketTimeout", "30", "options", "-c statement_timeout=30000");

    private final BlockingQueue<Connection> pool; // SQLite: the one writer
    private final BlockingQueue<Connection> readers; // SQLite: read-only connections (WAL), so a page never waits for ingest or holds it up
    private final com.zaxxer.hikari.HikariDataSource pg; // PostgreSQL
    private final boolean sqlite;

    public BundleIndex(String jdbcUrl) throws SQLException {
        this.sqlite = jdbcUrl.startsWith("jdbc:sqlite:");
        Flyway.configure().dataSource(jdbcUrl, null, null).locations("classpath:db/migration").load().migrate();
        if (!sqlite) {
            this.pool = null;
            this.readers = null;
            this.pg = openPool(jdbcUrl);
            return;
        }
        this.pg = null;
        this.readers = new ArrayBlockingQueue<>(SQLITE_READERS);
        this.pool = new ArrayBlockingQueue<>(1);
        Connection c = DriverManager.getConnection(jdbcUrl);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL"); // a receipt is a promise: the row is on disk first
            s.execute("PRAGMA busy_timeout=5000");
        }
        pool.add(c);
        for (int i = 0; i < SQLITE_READERS; i++) {
            Connection r = DriverManager.getConnection(jdbcUrl);
            try (Statement s = r.createStatement()) {
                s.execute("PRAGMA query_only=1");
                s.execute("PRAGMA busy_timeout=5000");
            }
            readers.add(r);
        }
    }

    /** True on SQLite, false on PostgreSQL. */
    boolean sqlite() {
        return sqlite;
    }

    /** SQLite's read-only connections: pages and lookups read beside the one writer (WAL lets them). */
    static final int SQLITE_READERS = 2;

    /** A read: on SQLite one of the read-only connections, never the writer's; on PostgreSQL the pool. */
    <T> T read(Work<T> w) throws SQLException {
        if (readers == null) {
            return with(w);
        }
        return borrow(readers, w);
    }

    /** Runs {@code w} on a connection taken from {@code q}, given back after. */
    private static <T> T borrow(BlockingQueue<Connection> q, Work<T> w) throws SQLException {
        Connection c;
        try {
            c = q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted waiting for a database connection");
        }
        try {
            return w.run(c);
        } finally {
            q.add(c);
        }
    }

    /** Runs {@code w} on a read connection: for tests that hold one while something else goes on. */
    <T> T readForTest(Work<T> w) throws SQLException {
        return read(w);
    }

    private static com.zaxxer.hikari.HikariDataSource openPool(String jdbcUrl) throws SQLException {
        com.zaxxer.hikari.HikariConfig h = new com.zaxxer.hikari.HikariConfig();
        h.setPoolName("kiln-index");
        h.setJdbcUrl(jdbcUrl);
        h.setMaximumPoolSize(PG_POOL);
        h.setMinimumIdle(1);
        h.setConnectionTimeout(PG_WAIT_MS); // the bounded wait: then SQLTransientConnectionException, a 503
        h.setValidationTimeout(2_000); // a connection idle a moment is checked (isValid) before it is handed out
        h.setKeepaliveTime(30_000);
        h.setMaxLifetime(600_000);
        PG_TIMEOUTS.forEach((k, v) -> {
            if (!jdbcUrl.contains(k + "=")) { // the URL's own value wins
                h.addDataSourceProperty(k, v);
            }
        });
        try {
            return new com.zaxxer.hikari.HikariDataSource(h);
        } catch (RuntimeException e) {
            throw new SQLException("cannot open the PostgreSQL pool: " + e.getMessage(), e);
        }
    }

    /** Whether the database answers a trivial query now (for {@code /readyz}): null when it does, else why not. */
    String unreachable() {
        try {
            // a read connection: a balancer polling /readyz every few seconds never takes SQLite's one writer from ingest
            return read(c -> {
                try (Statement s = c.createStatement()) {
                    s.setQueryTimeout(2);
                    s.execute("SELECT 1");
                }
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            return dev.kiln.bundle.Why.of(e);
        }
    }

    /** A stored bundle's row. */
    public record Row(String runId, String serial, String verdict, String sha256, String stationKey, long sizeBytes,
                      String receivedAt) {
        public Receipt receipt() {
            return new Receipt(runId, sha256, receivedAt, true, List.of(), serial, verdict, stationKey);
        }
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T with(Work<T> w) throws SQLException {
        if (pg != null) {
            try (Connection c = pg.getConnection()) { // validated, or a fresh one; returned to the pool (autocommit reset) on close
                return w.run(c);
            }
        }
        return borrow(pool, w);
    }

    /** {@link #with}, the work in one transaction: committed when it returns, rolled back when it throws. */
    <T> T transaction(Work<T> w) throws SQLException {
        return with(c -> {
            c.setAutoCommit(false);
            try {
                T result = w.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /**
     * Ends a dashboard session before its expiry, for every replica on this database; rows whose
     * session would have expired anyway are dropped at the same time.
     */
    public void revokeSession(String sid, long expiresAtEpochSecond) throws SQLException {
        transaction(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO revoked_sessions (sid, expires_at) VALUES (?, ?) ON CONFLICT (sid) DO NOTHING");
                 PreparedStatement gone = c.prepareStatement("DELETE FROM revoked_sessions WHERE expires_at < ?")) {
                p.setString(1, sid);
                p.setLong(2, expiresAtEpochSecond);
                p.executeUpdate();
                gone.setLong(1, java.time.Instant.now().getEpochSecond());
                gone.executeUpdate();
            }
            return null;
        });
    }

    /** Whether a dashboard session was ended before its expiry. */
    public boolean sessionRevoked(String sid) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM revoked_sessions WHERE sid = ?")) {
                p.setString(1, sid);
                try (ResultSet r = p.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    public Optional<Row> find(String runId) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT run_id, serial, verdict, sha256, station_key, size_bytes, received_at FROM bundles WHERE run_id = ?")) {
                p.setString(1, runId);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(row(r)) : Optional.empty();
                }
            }
        });
    }

    public List<Row> bySerial(String serial) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT run_id, serial, verdict, sha256, station_key, size_bytes, "
                    + "received_at FROM bundles WHERE serial = ? ORDER BY received_at, run_id")) {
                p.setString(1, serial);
                List<Row> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(row(r));
                    }
                }
                return out;
            }
        });
    }

    public long count() throws SQLException {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM bundles")) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    // ---- the dashboard's index (V2__dashboard.sql) ----

    static String cut(String s, int max) {
        return IndexedRun.cut(s, max);
    }

    /**
     * Stores a verified bundle's row and what the dashboard needs of it, in one transaction: the
     * bundle's columns, its suites and failures, and its unit's latest run. Returns true when this call
     * stored it (the run id was new).
     */
    public boolean insertIfAbsent(Row row, RunFacts facts, String station) throws SQLException {
        IndexedRun n = IndexedRun.of(row, facts, station); // normalised once: both dialects bind the same values
        if (!sqlite) {
            return with(c -> insertPostgres(c, row, n));
        }
        return transaction(c -> {
            boolean inserted;
            // the row and its facts in one statement; its suites, failures, unit and counts after it, only when new
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO bundles (run_id, serial, verdict, sha256, station_key, size_bytes, received_at, profile, station, sku, model, "
                            + "started_at, ended_at, day, duration_s, failure_count, max_celsius, max_watts, indexed) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (run_id) DO NOTHING")) {
                p.setString(1, row.runId());
                p.setString(2, row.serial());
                p.setString(3, row.verdict());
                p.setString(4, row.sha256());
                p.setString(5, row.stationKey());
                p.setLong(6, row.sizeBytes());
                p.setString(7, row.receivedAt());
                factColumns(p, 8, n);
                inserted = p.executeUpdate() == 1;
            }
            if (inserted) {
                writeDetails(c, row, n);
                try (PreparedStatement p = c.prepareStatement("INSERT INTO units (serial, run_id, verdict, received_at, sku, station, model, runs) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (serial) DO UPDATE SET runs = units.runs + 1, "
                        + "run_id = CASE WHEN " + NEWER + " THEN excluded.run_id ELSE units.run_id END, "
                        + "verdict = CASE WHEN " + NEWER + " THEN excluded.verdict ELSE units.verdict END, "
                        + "sku = CASE WHEN " + NEWER + " THEN excluded.sku ELSE units.sku END, "
                        + "station = CASE WHEN " + NEWER + " THEN excluded.station ELSE units.station END, "
                        + "model = CASE WHEN " + NEWER + " THEN excluded.model ELSE units.model END, "
                        + "received_at = CASE WHEN " + NEWER + " THEN excluded.received_at ELSE units.received_at END")) {
                    p.setString(1, row.serial());
                    p.setString(2, row.runId());
                    p.setString(3, row.verdict());
                    p.setString(4, row.receivedAt());
                    p.setString(5, n.sku());
                    p.setString(6, n.station());
                    p.setString(7, n.model());
                    p.executeUpdate();
                }
                count(c, row, n);
            }
            return inserted;
        });
    }

    /**
     * Whether an arriving run replaces its unit's latest: received later, or at the same instant
     * with the greater run id, as the rebuild chooses (a tie once went to whichever arrived last, so
     * ingest and reindex could name different latest runs).
     */
    private static final String NEWER = "(excluded.received_at > units.received_at OR excluded.received_at = units.received_at "
            + "AND excluded.run_id > units.run_id)";

    /**
     * The PostgreSQL form of {@link #insertIfAbsent}: the row, its suites and failures, its unit and the
     * day's counts in one statement (data-modifying CTEs, the lists as arrays), so one round trip and
     * one commit per bundle, and the rows every ingest updates (the unit, the day's counts) stay locked
     * only for the end of that statement. Everything after the row is written only when the row was
     * (each part selects from the row's {@code RETURNING}). Same columns and values as the SQLite path.
     */
    private static boolean insertPostgres(Connection c, Row row, IndexedRun n) throws SQLException {
        List<IndexedRun.Suite> suites = n.suites();
        String day = n.day();
        try (PreparedStatement p = c.prepareStatement("WITH b AS ("
                + "INSERT INTO bundles (run_id, serial, verdict, sha256, station_key, size_bytes, received_at, profile, station, sku, model, "
                + "started_at, ended_at, day, duration_s, failure_count, max_celsius, max_watts, indexed) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (run_id) DO NOTHING RETURNING run_id), "
                + "s AS (INSERT INTO run_suites (run_id, suite, outcome, duration_s, iterations, failure_count, reason) "
                + "SELECT b.run_id, x.suite, x.outcome, x.d, x.it, x.fc, x.reason FROM b, "
                + "unnest(?::varchar[], ?::varchar[], ?::float8[], ?::int8[], ?::int8[], ?::varchar[]) AS x(suite, outcome, d, it, fc, reason) "
                + "ON CONFLICT (run_id, suite) DO NOTHING), "
                + "f AS (INSERT INTO run_failures (run_id, seq, suite, symptom, message, location) "
                + "SELECT b.run_id, x.seq, x.suite, x.symptom, x.message, x.location FROM b, "
                + "unnest(?::int4[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[]) AS x(seq, suite, symptom, message, location)), "
                + "u AS (INSERT INTO units (serial, run_id, verdict, received_at, sku, station, model, runs) "
                + "SELECT ?, b.run_id, ?, ?, ?, ?, ?, 1 FROM b ON CONFLICT (serial) DO UPDATE SET runs = units.runs + 1, "
                + "run_id = CASE WHEN " + NEWER + " THEN excluded.run_id ELSE units.run_id END, "
                + "verdict = CASE WHEN " + NEWER + " THEN excluded.verdict ELSE units.verdict END, "
                + "sku = CASE WHEN " + NEWER + " THEN excluded.sku ELSE units.sku END, "
                + "station = CASE WHEN " + NEWER + " THEN excluded.station ELSE units.station END, "
                + "model = CASE WHEN " + NEWER + " THEN excluded.model ELSE units.model END, "
                + "received_at = CASE WHEN " + NEWER + " THEN excluded.received_at ELSE units.received_at END), "
                + "d AS (INSERT INTO daily (day, sku, station, runs, passed, failed) SELECT ?, ?, ?, 1, ?, ? FROM b "
                + "ON CONFLICT (day, sku, station) DO UPDATE SET runs = daily.runs + 1, passed = daily.passed + excluded.passed, "
                + "failed = daily.failed + excluded.failed), "
                + "ds AS (INSERT INTO daily_suites (day, suite, runs, failed) SELECT ?, x.suite, 1, x.failed FROM b, "
                + "unnest(?::varchar[], ?::int8[]) AS x(suite, failed) "
                + "ON CONFLICT (day, suite) DO UPDATE SET runs = daily_suites.runs + 1, failed = daily_suites.failed + excluded.failed), "
                + "dy AS (INSERT INTO daily_symptoms (day, symptom, seen, runs) SELECT ?, x.symptom, x.seen, 1 FROM b, "
                + "unnest(?::varchar[], ?::int8[]) AS x(symptom, seen) "
                + "ON CONFLICT (day, symptom) DO UPDATE SET seen = daily_symptoms.seen + excluded.seen, runs = daily_symptoms.runs + 1) "
                + "SELECT COUNT(*) FROM b")) {
            int i = 1;
            p.setString(i++, row.runId());
            p.setString(i++, row.serial());
            p.setString(i++, row.verdict());
            p.setString(i++, row.sha256());
            p.setString(i++, row.stationKey());
            p.setLong(i++, row.sizeBytes());
            p.setString(i++, row.receivedAt());
            factColumns(p, i, n);
            i += 11;
            p.setArray(i++, c.createArrayOf("varchar", suites.stream().map(IndexedRun.Suite::id).toArray()));
            p.setArray(i++, c.createArrayOf("varchar", suites.stream().map(IndexedRun.Suite::outcome).toArray()));
            p.setArray(i++, c.createArrayOf("float8", suites.stream().map(IndexedRun.Suite::durationS).toArray()));
            p.setArray(i++, c.createArrayOf("int8", suites.stream().map(IndexedRun.Suite::iterations).toArray()));
            p.setArray(i++, c.createArrayOf("int8", suites.stream().map(IndexedRun.Suite::failureCount).toArray()));
            p.setArray(i++, c.createArrayOf("varchar", suites.stream().map(IndexedRun.Suite::reason).toArray()));
            List<IndexedRun.Failure> fs = n.failures();
            p.setArray(i++, c.createArrayOf("int4", java.util.stream.IntStream.range(0, fs.size()).boxed().toArray()));
            p.setArray(i++, c.createArrayOf("varchar", fs.stream().map(IndexedRun.Failure::suite).toArray()));
            p.setArray(i++, c.createArrayOf("varchar", fs.stream().map(IndexedRun.Failure::symptom).toArray()));
            p.setArray(i++, c.createArrayOf("varchar", fs.stream().map(IndexedRun.Failure::message).toArray()));
            p.setArray(i++, c.createArrayOf("varchar", fs.stream().map(IndexedRun.Failure::location).toArray()));
            p.setString(i++, row.serial());
            p.setString(i++, row.verdict());
            p.setString(i++, row.receivedAt());
            p.setString(i++, n.sku());
            p.setString(i++, n.station());
            p.setString(i++, n.model());
            p.setString(i++, day);
            p.setString(i++, n.skuKey());
            p.setString(i++, n.stationKey());
            p.setLong(i++, row.verdict().equals("PASS") ? 1 : 0);
            p.setLong(i++, row.verdict().equals("FAIL") ? 1 : 0);
            p.setString(i++, day); // as on SQLite: no per-suite counts without suites or failures
            p.setArray(i++, c.createArrayOf("varchar", n.counted() ? n.daySuites().keySet().toArray() : new Object[0]));
            p.setArray(i++, c.createArrayOf("int8", n.counted() ? n.daySuites().values().toArray() : new Object[0]));
            p.setString(i++, day);
            p.setArray(i++, c.createArrayOf("varchar", n.symptoms().keySet().toArray()));
            p.setArray(i, c.createArrayOf("int8", n.symptoms().values().toArray()));
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1) == 1;
            }
        }
    }

    /** The facts' columns of {@code bundles}, from parameter {@code at} on (11 of them). */
    private static void factColumns(PreparedStatement p, int at, IndexedRun n) throws SQLException {
        p.setString(at, n.profile());
        p.setString(at + 1, n.station());
        p.setString(at + 2, n.sku());
        p.setString(at + 3, n.model());
        p.setString(at + 4, n.started());
        p.setString(at + 5, n.ended());
        p.setString(at + 6, n.day());
        setDouble(p, at + 7, n.durationS());
        p.setLong(at + 8, n.failureCount());
        setDouble(p, at + 9, n.maxCelsius());
        setDouble(p, at + 10, n.maxWatts());
    }

    /** A stored run's facts rewritten (reindex): its columns, suites and failures, replacing any there were. */
    private static void writeFacts(Connection c, Row row, IndexedRun n) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE bundles SET profile = ?, station = ?, sku = ?, model = ?, started_at = ?, "
                + "ended_at = ?, day = ?, duration_s = ?, failure_count = ?, max_celsius = ?, max_watts = ?, indexed = 1 WHERE run_id = ?")) {
            factColumns(p, 1, n);
            p.setString(12, row.runId());
            p.executeUpdate();
        }
        for (String table : List.of("run_suites", "run_failures")) {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM " + table + " WHERE run_id = ?")) {
                p.setString(1, row.runId());
                p.executeUpdate();
            }
        }
        writeDetails(c, row, n);
    }

    /** A run's suites and failures (none there yet). */
    private static void writeDetails(Connection c, Row row, IndexedRun n) throws SQLException {
        if (!n.suites().isEmpty()) {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO run_suites (run_id, suite, outcome, duration_s, iterations, failure_count, "
                    + "reason) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, suite) DO NOTHING")) {
                for (IndexedRun.Suite s : n.suites()) {
                    p.setString(1, row.runId());
                    p.setString(2, s.id());
                    p.setString(3, s.outcome());
                    setDouble(p, 4, s.durationS());
                    p.setLong(5, s.iterations());
                    p.setLong(6, s.failureCount());
                    p.setString(7, s.reason());
                    p.addBatch();
                }
                p.executeBatch();
            }
        }
        if (!n.failures().isEmpty()) {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO run_failures (run_id, seq, suite, symptom, message, location) "
                    + "VALUES (?, ?, ?, ?, ?, ?)")) {
                int seq = 0;
                for (IndexedRun.Failure x : n.failures()) {
                    p.setString(1, row.runId());
                    p.setInt(2, seq++);
                    p.setString(3, x.suite());
                    p.setString(4, x.symptom());
                    p.setString(5, x.message());
                    p.setString(6, x.location());
                    p.addBatch();
                }
                p.executeBatch();
            }
        }
    }

    /**
     * The day of a run for the line page: the day the service received it (UTC). The signed {@code ended}
     * is kept as a fact ({@code ended_at}) but never picks the day: a station's date (any string once)
     * put a run in a window of its choosing, a future date in every window forever.
     */
    static String day(Row row, RunFacts f) {
        String when = row.receivedAt();
        return when != null && when.length() >= 10 ? when.substring(0, 10) : "unknown";
    }

    /** Adds one stored run to the line page's daily counts (same transaction as its row). */
    private static void count(Connection c, Row row, IndexedRun n) throws SQLException {
        String day = n.day();
        try (PreparedStatement p = c.prepareStatement("INSERT INTO daily (day, sku, station, runs, passed, failed) VALUES (?, ?, ?, 1, ?, ?) "
                + "ON CONFLICT (day, sku, station) DO UPDATE SET runs = daily.runs + 1, passed = daily.passed + excluded.passed, "
                + "failed = daily.failed + excluded.failed")) {
            p.setString(1, day);
            p.setString(2, n.skuKey());
            p.setString(3, n.stationKey());
            p.setLong(4, row.verdict().equals("PASS") ? 1 : 0);
            p.setLong(5, row.verdict().equals("FAIL") ? 1 : 0);
            p.executeUpdate();
        }
        if (!n.counted()) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO daily_suites (day, suite, runs, failed) VALUES (?, ?, 1, ?) "
                + "ON CONFLICT (day, suite) DO UPDATE SET runs = daily_suites.runs + 1, failed = daily_suites.failed + excluded.failed")) {
            for (var e : n.daySuites().entrySet()) {
                p.setString(1, day);
                p.setString(2, e.getKey());
                p.setLong(3, e.getValue());
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO daily_symptoms (day, symptom, seen, runs) VALUES (?, ?, ?, 1) "
                + "ON CONFLICT (day, symptom) DO UPDATE SET seen = daily_symptoms.seen + excluded.seen, runs = daily_symptoms.runs + 1")) {
            for (var e : n.symptoms().entrySet()) {
                p.setString(1, day);
                p.setString(2, e.getKey());
                p.setLong(3, e.getValue());
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    /** A finite number, else SQL NULL. */
    static void setDouble(PreparedStatement p, int i, Double v) throws SQLException {
        if (v == null || !Double.isFinite(v)) {
            p.setNull(i, java.sql.Types.DOUBLE);
        } else {
            p.setDouble(i, v);
        }
    }

    /** Rewrites one stored run's dashboard facts from its bundle (reindex). */
    void reindex(Row row, RunFacts facts, String station) throws SQLException {
        transaction(c -> {
            writeFacts(c, row, IndexedRun.of(row, facts, station));
            return null;
        });
    }

    /**
     * Rebuilds the units table (each unit's latest run and its count) and the line page's daily
     * counts from the runs (reindex). Safe beside a running service: on PostgreSQL the counts'
     * tables are locked against writers first (readers go on), so a run arriving meanwhile waits and
     * is then counted by its own ingest, once; without the lock, its upsert and this rebuild's inserts
     * collided (a duplicate key: the ingest or the rebuild failed) or counted it twice. SQLite has
     * one writer at a time already.
     */
    void rebuildUnits() throws SQLException {
        transaction(c -> {
            try (Statement s = c.createStatement()) {
                if (!sqlite) {
                    s.execute("LOCK TABLE units, daily, daily_suites, daily_symptoms IN EXCLUSIVE MODE");
                }
                s.executeUpdate("DELETE FROM units");
                s.executeUpdate("INSERT INTO units (serial, run_id, verdict, received_at, sku, station, model, runs) "
                        + "SELECT b.serial, b.run_id, b.verdict, b.received_at, b.sku, b.station, b.model, n.runs FROM bundles b "
                        + "JOIN (SELECT serial, COUNT(*) AS runs, MAX(received_at) AS latest FROM bundles GROUP BY serial) n "
                        + "ON n.serial = b.serial AND n.latest = b.received_at "
                        + "WHERE b.run_id = (SELECT MAX(b2.run_id) FROM bundles b2 WHERE b2.serial = b.serial AND b2.received_at = n.latest)");
                s.executeUpdate("DELETE FROM daily");
                s.executeUpdate("INSERT INTO daily (day, sku, station, runs, passed, failed) SELECT COALESCE(day, 'unknown'), COALESCE(sku, ''), "
                        + "COALESCE(station, ''), COUNT(*), SUM(CASE WHEN verdict = 'PASS' THEN 1 ELSE 0 END), "
                        + "SUM(CASE WHEN verdict = 'FAIL' THEN 1 ELSE 0 END) FROM bundles GROUP BY COALESCE(day, 'unknown'), COALESCE(sku, ''), COALESCE(station, '')");
                s.executeUpdate("DELETE FROM daily_suites");
                s.executeUpdate("INSERT INTO daily_suites (day, suite, runs, failed) SELECT COALESCE(b.day, 'unknown'), s.suite, COUNT(*), "
                        + "SUM(CASE WHEN s.outcome IN ('FAIL', 'HUNG') THEN 1 ELSE 0 END) FROM run_suites s JOIN bundles b ON b.run_id = s.run_id "
                        + "WHERE s.outcome <> 'SKIPPED' GROUP BY COALESCE(b.day, 'unknown'), s.suite");
                s.executeUpdate("DELETE FROM daily_symptoms");
                s.executeUpdate("INSERT INTO daily_symptoms (day, symptom, seen, runs) SELECT COALESCE(b.day, 'unknown'), f.symptom, COUNT(*), "
                        + "COUNT(DISTINCT f.run_id) FROM run_failures f JOIN bundles b ON b.run_id = f.run_id GROUP BY COALESCE(b.day, 'unknown'), f.symptom");
                return null;
            }
        });
    }

    /** Every stored run, oldest first, for reindex. */
    List<Row> all() throws SQLException {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT run_id, serial, verdict, sha256, station_key, size_bytes, "
                    + "received_at FROM bundles ORDER BY received_at, run_id")) {
                List<Row> out = new ArrayList<>();
                while (r.next()) {
                    out.add(row(r));
                }
                return out;
            }
        });
    }

    /** A run as the pages show it. */
    record RunRow(String runId, String serial, String verdict, String sha256, String stationKey, long sizeBytes, String receivedAt,
                  String profile, String station, String sku, String model, String started, String ended, Double durationS,
                  long failureCount, Double maxCelsius, Double maxWatts) {
    }

    private static final String RUN_COLUMNS = "run_id, serial, verdict, sha256, station_key, size_bytes, received_at, profile, station, sku, "
            + "model, started_at, ended_at, duration_s, failure_count, max_celsius, max_watts";

    private static RunRow runRow(ResultSet r) throws SQLException {
        return new RunRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getLong(6), r.getString(7),
                r.getString(8), r.getString(9), r.getString(10), r.getString(11), r.getString(12), r.getString(13), dbl(r, 14), r.getLong(15),
                dbl(r, 16), dbl(r, 17));
    }

    static Double dbl(ResultSet r, int i) throws SQLException {
        double v = r.getDouble(i);
        return r.wasNull() ? null : v;
    }

    Optional<RunRow> run(String runId) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM bundles WHERE run_id = ?")) {
                p.setString(1, runId);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(runRow(r)) : Optional.empty();
                }
            }
        });
    }

    /** A unit's runs, newest first. */
    List<RunRow> runsOf(String serial) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM bundles WHERE serial = ? ORDER BY received_at DESC, run_id DESC")) {
                p.setString(1, serial);
                List<RunRow> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(runRow(r));
                    }
                }
                return out;
            }
        });
    }

    /** One unit's latest run. */
    record UnitRow(String serial, String runId, String verdict, String receivedAt, String sku, String station, String model, long runs) {
    }

    /**
     * The units page's filter; null or blank fields do not filter.
     *
     * @param serial part of a serial (matched literally, case-sensitive)
     * @param from   first day (yyyy-mm-dd) of the latest run's receipt, inclusive
     * @param to     last day, inclusive
     */
    record UnitFilter(String serial, String verdict, String sku, String station, String from, String to) {
        private static boolean set(String s) {
            return s != null && !s.isBlank();
        }

        /** The WHERE clause, its parameters added to {@code params}: everything a person typed is a parameter, never SQL. */
        String where(List<Object> params) {
            List<String> and = new ArrayList<>();
            if (set(serial)) {
                and.add("serial LIKE ? ESCAPE '!'");
                params.add("%" + serial.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
            }
            for (String[] eq : new String[][] {{"verdict", verdict}, {"sku", sku}, {"station", station}}) {
                if (set(eq[1])) {
                    and.add(eq[0] + " = ?"); // a column name from this list, never from the request
                    params.add(eq[1]);
                }
            }
            if (set(from)) {
                and.add("received_at >= ?");
                params.add(from);
            }
            if (set(to)) {
                and.add("received_at < ?");
                params.add(to + "\uffff"); // the whole last day: every time stamp of that day sorts below it
            }
            return and.isEmpty() ? "" : " WHERE " + String.join(" AND ", and);
        }
    }

    /** A page of units, newest latest run first, and how many match in all. */
    record Page<T>(List<T> rows, long total) {
    }

    Page<UnitRow> units(UnitFilter f, int offset, int limit) throws SQLException {
        return read(c -> {
            List<Object> params = new ArrayList<>();
            String where = f.where(params);
            long total;
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM units" + where)) {
                bind(p, params);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    total = r.getLong(1);
                }
            }
            List<UnitRow> rows = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT serial, run_id, verdict, received_at, sku, station, model, runs FROM units" + where
                    + " ORDER BY received_at DESC, serial LIMIT ? OFFSET ?")) {
                List<Object> all = new ArrayList<>(params);
                all.add(limit);
                all.add(offset);
                bind(p, all);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        rows.add(new UnitRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                                r.getString(7), r.getLong(8)));
                    }
                }
            }
            return new Page<>(rows, total);
        });
    }

    /**
     * The units whose serial sorts after {@code after} (null: from the first), at most {@code limit},
     * in serial order: a keyset page on the primary key, so an export reads every unit exactly once
     * even while runs arrive (a unit's latest run moves it in the dashboard's order, never in this
     * one), and counts nothing.
     */
    List<UnitRow> unitsAfter(UnitFilter f, String after, int limit) throws SQLException {
        return read(c -> {
            List<Object> params = new ArrayList<>();
            String where = f.where(params);
            if (after != null) {
                where += (where.isEmpty() ? " WHERE " : " AND ") + "serial > ?";
                params.add(after);
            }
            List<UnitRow> rows = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT serial, run_id, verdict, received_at, sku, station, model, runs FROM units" + where
                    + " ORDER BY serial LIMIT ?")) {
                params.add(limit);
                bind(p, params);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        rows.add(new UnitRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                                r.getString(7), r.getLong(8)));
                    }
                }
            }
            return rows;
        });
    }

    private static void bind(PreparedStatement p, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof Integer n) {
                p.setInt(i + 1, n);
            } else {
                p.setString(i + 1, (String) v);
            }
        }
    }

    /** A row of the line page: a key (day, suite, SKU, station, symptom), how many, how many failed, and, for days, how many passed. */
    record Tally(String key, long total, long failed, long passed) {
        double rate() {
            return total == 0 ? 0 : failed / (double) total;
        }
    }

    private List<Tally> tallies(String sql, String fromDay) throws SQLException {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, fromDay);
                List<Tally> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        String key = r.getString(1);
                        out.add(new Tally(key == null || key.isEmpty() ? "(none)" : key, r.getLong(2), r.getLong(3), r.getLong(4)));
                    }
                }
                return out;
            }
        });
    }

    /** Runs per day since {@code fromDay}: key day, total runs, failed (FAIL), and passed. */
    List<Tally> byDay(String fromDay) throws SQLException {
        return tallies("SELECT day, SUM(runs), SUM(failed), SUM(passed) FROM daily WHERE day >= ? GROUP BY day ORDER BY day", fromDay);
    }

    /** Suite runs since {@code fromDay} by suite (a skipped suite did not run: not counted): total, failed (FAIL or HUNG). */
    List<Tally> bySuite(String fromDay) throws SQLException {
        return tallies("SELECT suite, SUM(runs), SUM(failed), 0 FROM daily_suites WHERE day >= ? GROUP BY suite ORDER BY suite", fromDay);
    }

    /** Runs since {@code fromDay} by SKU or station: total, failed (FAIL). */
    List<Tally> byColumn(String column, String fromDay) throws SQLException {
        if (!List.of("sku", "station").contains(column)) {
            throw new IllegalArgumentException(column);
        }
        return tallies("SELECT " + column + ", SUM(runs), SUM(failed), 0 FROM daily WHERE day >= ? GROUP BY " + column + " ORDER BY " + column, fromDay);
    }

    /** The most frequent failure symptoms since {@code fromDay}: times seen (total) and in how many runs (failed). */
    List<Tally> topSymptoms(String fromDay, int limit) throws SQLException {
        List<Tally> all = tallies("SELECT symptom, SUM(seen), SUM(runs), 0 FROM daily_symptoms WHERE day >= ? GROUP BY symptom "
                + "ORDER BY SUM(seen) DESC, symptom", fromDay);
        return all.subList(0, Math.min(limit, all.size()));
    }

    /** Distinct values of a units column, for the filter menus. */
    List<String> distinct(String column) throws SQLException {
        if (!List.of("sku", "station", "verdict").contains(column)) {
            throw new IllegalArgumentException(column);
        }
        return read(c -> {
            // SKUs and stations from the daily counts (a few rows a day), verdicts from the units
            String from = column.equals("verdict") ? "units" : "daily";
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT DISTINCT " + column + " FROM " + from + " WHERE " + column
                    + " IS NOT NULL AND " + column + " <> '' ORDER BY " + column)) {
                List<String> out = new ArrayList<>();
                while (r.next()) {
                    out.add(r.getString(1));
                }
                return out;
            }
        });
    }

    private static Row row(ResultSet r) throws SQLException {
        return new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getLong(6), r.getString(7));
    }

    @Override
    public void close() throws SQLException {
        if (pg != null) {
            pg.close();
            return;
        }
        for (Connection c : pool) {
            c.close();
        }
        for (Connection c : readers) {
            c.close();
        }
    }
}
