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
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.flywaydb.core.Flyway;

/**
 * The index of stored bundles in a real database through JDBC: SQLite (embedded, the default) or
 * PostgreSQL, migrated by Flyway at start. A small pool of connections (one for SQLite, which
 * allows one writer). Idempotency rests on the primary key: the first insert of a run id wins.
 */
public final class BundleIndex implements AutoCloseable {
    private final BlockingQueue<Connection> pool;
    private final boolean sqlite;

    public BundleIndex(String jdbcUrl) throws SQLException {
        this.sqlite = jdbcUrl.startsWith("jdbc:sqlite:");
        Flyway.configure().dataSource(jdbcUrl, null, null).locations("classpath:db/migration").load().migrate();
        int size = sqlite ? 1 : 4;
        this.pool = new ArrayBlockingQueue<>(size);
        for (int i = 0; i < size; i++) {
            Connection c = DriverManager.getConnection(jdbcUrl);
            if (sqlite) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=FULL"); // a receipt is a promise: the row is on disk first
                    s.execute("PRAGMA busy_timeout=5000");
                }
            }
            pool.add(c);
        }
    }

    /** A stored bundle's row. */
    public record Row(String runId, String serial, String verdict, String sha256, String stationKey, long sizeBytes,
                      String receivedAt) {
        public Receipt receipt() {
            return new Receipt(runId, sha256, receivedAt, true, List.of(), serial, verdict, stationKey);
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T with(Work<T> w) throws SQLException {
        Connection c;
        try {
            c = pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted waiting for a database connection");
        }
        try {
            return w.run(c);
        } finally {
            pool.add(c);
        }
    }

    public Optional<Row> find(String runId) throws SQLException {
        return with(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT run_id, serial, verdict, sha256, station_key, size_bytes, received_at FROM bundles WHERE run_id = ?")) {
                p.setString(1, runId);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(row(r)) : Optional.empty();
                }
            }
        });
    }

    /** Inserts unless the run id is already there; returns true when this call inserted it. */
    public boolean insertIfAbsent(Row row) throws SQLException {
        return with(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO bundles (run_id, serial, verdict, sha256, station_key, size_bytes, received_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING")) {
                p.setString(1, row.runId());
                p.setString(2, row.serial());
                p.setString(3, row.verdict());
                p.setString(4, row.sha256());
                p.setString(5, row.stationKey());
                p.setLong(6, row.sizeBytes());
                p.setString(7, row.receivedAt());
                return p.executeUpdate() == 1;
            }
        });
    }

    public List<Row> bySerial(String serial) throws SQLException {
        return with(c -> {
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
        return with(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM bundles")) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    private static Row row(ResultSet r) throws SQLException {
        return new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getLong(6), r.getString(7));
    }

    @Override
    public void close() throws SQLException {
        for (Connection c : pool) {
            c.close();
        }
    }
}
