package dev.kiln.acceptance;

import dev.kiln.acceptance.BundleIndex.Work;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The floor's live state in the index's database (so every replica shows the same floor): each
 * running unit's latest heartbeat, one row per run, replaced only by a newer one from the same
 * station. A heartbeat is not evidence; the sealed bundle (table {@code bundles}) is. Portable SQL:
 * the upsert is {@code INSERT … ON CONFLICT … DO UPDATE … WHERE}, which SQLite and PostgreSQL share.
 */
final class FloorIndex {
    /** Rows the floor page reads at most (units heard from in the last hour). */
    static final int MAX_ROWS = 20_000;

    private final BundleIndex index;

    FloorIndex(BundleIndex index) {
        this.index = index;
    }

    /** One heartbeat as stored: every text already cut to its column. */
    record Beat(String runId, String serial, String station, String profile, String state, String verdict, String stage, String suites,
                long seq, long intervalMs, String startedAt, Double elapsedS, Double plannedS, Long work, long failures, String firstFailure,
                Double hottestC, Double watts, Boolean samplerAlive, Long outboxDepth, long receivedMs) {
    }

    /** What became of a heartbeat. */
    enum Stored {
        /** the newest for its run: shown */
        STORED,
        /** its run is sealed already: the bundle speaks for it now */
        SEALED,
        /** not newer than the one stored (replayed or out of order) */
        STALE,
        /** the run's heartbeats come from another station */
        OTHER_STATION
    }

    private static final String COLUMNS = "run_id, serial, station, profile, state, verdict, stage, suites, seq, interval_ms, started_at, "
            + "elapsed_s, planned_s, work, failures, first_failure, hottest_c, watts, sampler_alive, outbox_depth, received_ms";

    /**
     * Stores a heartbeat when it is its run's newest from its station and the run is not sealed: one
     * statement ({@code INSERT … SELECT … WHERE NOT EXISTS (the bundle) ON CONFLICT … DO UPDATE … WHERE
     * newer and same station}); why not, read only when it was not stored. On PostgreSQL the commit
     * does not wait for the WAL's flush ({@code synchronous_commit off}, this transaction only): a
     * heartbeat is not evidence, and the next one replaces it; a crash loses at most the last few.
     */
    Stored put(Beat b) throws SQLException {
        boolean pg = !index.sqlite();
        Work<Integer> upsert = c -> {
            if (pg) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET LOCAL synchronous_commit TO OFF");
                }
            }
            StringBuilder update = new StringBuilder();
            for (String col : COLUMNS.split(", ")) {
                if (!col.equals("run_id") && !col.equals("station")) {
                    update.append(update.isEmpty() ? "" : ", ").append(col).append(" = excluded.").append(col);
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO heartbeats (" + COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    + "?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM bundles WHERE run_id = ?) ON CONFLICT (run_id) DO UPDATE SET "
                    + update + " WHERE heartbeats.seq < excluded.seq AND heartbeats.station = excluded.station")) {
                int i = 1;
                p.setString(i++, b.runId());
                p.setString(i++, b.serial());
                p.setString(i++, b.station());
                p.setString(i++, b.profile());
                p.setString(i++, b.state());
                p.setString(i++, b.verdict());
                p.setString(i++, b.stage());
                p.setString(i++, b.suites());
                p.setLong(i++, b.seq());
                p.setLong(i++, b.intervalMs());
                p.setString(i++, b.startedAt());
                BundleIndex.setDouble(p, i++, b.elapsedS());
                BundleIndex.setDouble(p, i++, b.plannedS());
                setLong(p, i++, b.work());
                p.setLong(i++, b.failures());
                p.setString(i++, b.firstFailure());
                BundleIndex.setDouble(p, i++, b.hottestC());
                BundleIndex.setDouble(p, i++, b.watts());
                if (b.samplerAlive() == null) {
                    p.setNull(i++, Types.INTEGER);
                } else {
                    p.setInt(i++, b.samplerAlive() ? 1 : 0);
                }
                setLong(p, i++, b.outboxDepth());
                p.setLong(i++, b.receivedMs());
                p.setString(i, b.runId());
                return p.executeUpdate();
            }
        };
        int n = pg ? index.transaction(upsert) : index.with(upsert);
        if (n > 0) {
            return Stored.STORED;
        }
        return index.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM bundles WHERE run_id = ?")) {
                p.setString(1, b.runId());
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        return Stored.SEALED;
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT station FROM heartbeats WHERE run_id = ?")) {
                p.setString(1, b.runId());
                try (ResultSet r = p.executeQuery()) {
                    return r.next() && !r.getString(1).equals(b.station()) ? Stored.OTHER_STATION : Stored.STALE;
                }
            }
        });
    }

    private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.BIGINT);
        } else {
            p.setLong(i, v);
        }
    }

    /** A unit on the floor: its latest heartbeat and, once its bundle is stored, the sealed verdict. */
    record Unit(Beat beat, String sealedVerdict) {
        /** Silent for more than three of its intervals while it said it was running, and no bundle. */
        boolean lostContact(long nowMs) {
            return sealedVerdict == null && beat.state().equals("running") && nowMs - beat.receivedMs() > 3 * beat.intervalMs();
        }

        boolean running(long nowMs) {
            return sealedVerdict == null && beat.state().equals("running") && !lostContact(nowMs);
        }
    }

    /**
     * Every unit heard from since {@code sinceMs}, its newest heartbeat only (a unit that started another
     * run, or moved to another station, shows that one), ordered by station and serial; at most
     * {@link #MAX_ROWS} heartbeats read.
     */
    List<Unit> floor(long sinceMs) throws SQLException {
        return index.read(c -> {
            Map<String, Unit> bySerial = new LinkedHashMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT h." + COLUMNS.replace(", ", ", h.") + ", b.verdict FROM heartbeats h "
                    + "LEFT JOIN bundles b ON b.run_id = h.run_id WHERE h.received_ms >= ? ORDER BY h.station, h.serial, h.received_ms DESC "
                    + "LIMIT " + MAX_ROWS)) {
                p.setLong(1, sinceMs);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        Beat b = new Beat(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                                r.getString(7), r.getString(8), r.getLong(9), r.getLong(10), r.getString(11), BundleIndex.dbl(r, 12), BundleIndex.dbl(r, 13),
                                lng(r, 14), r.getLong(15), r.getString(16), BundleIndex.dbl(r, 17), BundleIndex.dbl(r, 18),
                                r.getObject(19) == null ? null : r.getInt(19) != 0, lng(r, 20), r.getLong(21));
                        Unit u = new Unit(b, r.getString(22));
                        bySerial.merge(b.serial(), u, (old, now) -> now.beat().receivedMs() > old.beat().receivedMs() ? now : old);
                    }
                }
            }
            return new ArrayList<>(bySerial.values());
        });
    }

    private static Long lng(ResultSet r, int i) throws SQLException {
        long v = r.getLong(i);
        return r.wasNull() ? null : v;
    }

    /** Heartbeats older than {@code beforeMs} removed (the floor shows the last hour; a day is kept). */
    int prune(long beforeMs) throws SQLException {
        return index.with(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM heartbeats WHERE received_ms < ?")) {
                p.setLong(1, beforeMs);
                return p.executeUpdate();
            }
        });
    }
}
