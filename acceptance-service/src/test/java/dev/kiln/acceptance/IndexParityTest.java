package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stores a bundle's row and facts in one statement, SQLite in a transaction of several:
 * the same runs indexed on both leave the same rows in every table (suites skipped, repeated and
 * failed, failures of several symptoms, times missing or not finite, a unit's runs out of order,
 * a run stored twice). Needs a PostgreSQL server (KILN_TEST_PG_URL; .ci/run starts one).
 */
class IndexParityTest {
    private static final List<String> TABLES = List.of(
            "SELECT run_id, serial, verdict, sha256, station_key, size_bytes, received_at, profile, station, sku, model, started_at, ended_at, "
                    + "day, duration_s, failure_count, max_celsius, max_watts, indexed FROM bundles",
            "SELECT run_id, suite, outcome, duration_s, iterations, failure_count, reason FROM run_suites",
            "SELECT run_id, seq, suite, symptom, message, location FROM run_failures",
            "SELECT serial, run_id, verdict, received_at, sku, station, model, runs FROM units",
            "SELECT day, sku, station, runs, passed, failed FROM daily",
            "SELECT day, suite, runs, failed FROM daily_suites",
            "SELECT day, symptom, seen, runs FROM daily_symptoms");

    @TempDir
    Path dir;

    @Test
    void postgresqlAndSqliteIndexTheSameRuns() throws Exception {
        Postgres.inSchema(pgUrl -> parity(pgUrl));
    }

    private void parity(String pgUrl) throws Exception {
        try (BundleIndex lite = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db")); BundleIndex post = new BundleIndex(pgUrl)) {
            Random rnd = new Random(11);
            int stored = 0;
            for (int i = 0; i < 60; i++) {
                BundleIndex.Row row = row(rnd, i);
                RunFacts facts = facts(rnd, i);
                String station = i % 7 == 0 ? null : "rack" + rnd.nextInt(3);
                boolean a = lite.insertIfAbsent(row, facts, station);
                boolean b = post.insertIfAbsent(row, facts, station);
                assertEquals(a, b, "run " + i);
                stored += a ? 1 : 0;
                if (i % 10 == 3) { // the same run again: nothing written by either
                    assertFalse(lite.insertIfAbsent(row, facts, station));
                    assertFalse(post.insertIfAbsent(row, facts, station));
                }
            }
            assertEquals(60, stored);
            try (Connection l = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db")); Connection p = DriverManager.getConnection(pgUrl)) {
                for (String q : TABLES) {
                    List<String> fromLite = rows(l, q);
                    assertFalse(fromLite.isEmpty(), q);
                    assertEquals(fromLite, rows(p, q), q);
                }
            }
        }
    }

    /**
     * {@code reindex} beside a running service (another process, another connection pool): runs
     * arriving while the units and daily counts are rebuilt are counted once, never twice or not at
     * all. After the race, the counts must be what a rebuild on a quiet database gives.
     */
    @Test
    void aRebuildBesideArrivingRunsCountsEachRunOnce() throws Exception {
        Postgres.inSchema(this::race);
    }

    /** A suite id repeated in a run with different outcomes counts as its first occurrence (as run_suites keeps it), at ingest as at reindex. */
    @Test
    void aRepeatedSuiteCountsAsItsFirstAtIngestAndAtReindex() throws Exception {
        repeatedSuite("jdbc:sqlite:" + dir.resolve("repeat.db"));
        Postgres.inSchema(this::repeatedSuite);
    }

    /** Two runs of a unit received at the same instant: its latest is the greater run id, whichever arrived last, at ingest as at reindex. */
    @Test
    void aTieInReceiptGoesToTheGreaterRunIdAtIngestAndAtReindex() throws Exception {
        tie("jdbc:sqlite:" + dir.resolve("tie.db"));
        Postgres.inSchema(this::tie);
    }

    private void tie(String url) throws Exception {
        try (BundleIndex index = new BundleIndex(url)) {
            RunFacts f = new RunFacts("standard", "m4max-64g", "Mac16,5", null, null, null, 0, List.of(), List.of(), null, null, List.of());
            String at = "2026-11-10T10:00:00Z";
            String greater = "ffffffff-0000-0000-0000-000000000000";
            assertTrue(index.insertIfAbsent(new BundleIndex.Row(greater, "C02T", "PASS", "%064x".formatted(1), "key", 10, at), f, "rack1"));
            assertTrue(index.insertIfAbsent(new BundleIndex.Row("00000000-0000-0000-0000-000000000001", "C02T", "FAIL", "%064x".formatted(2), "key", 10,
                    at), f, "rack2"));
            try (Connection c = DriverManager.getConnection(url)) {
                List<String> ingested = rows(c, TABLES.get(3));
                assertEquals(1, ingested.size());
                assertTrue(ingested.get(0).startsWith("C02T|" + greater + "|PASS|"), ingested.toString());
                index.rebuildUnits();
                assertEquals(ingested, rows(c, TABLES.get(3)));
            }
        }
    }

    private void repeatedSuite(String url) throws Exception {
        try (BundleIndex index = new BundleIndex(url)) {
            RunFacts f = new RunFacts("standard", "m4max-64g", "Mac16,5", "2026-11-10T09:00:00Z", "2026-11-10T10:00:00Z", 600.0, 0,
                    List.of(new RunFacts.Suite("cpu", "SKIPPED", 1.0, 0, 0, "no device"), new RunFacts.Suite("cpu", "FAIL", 2.0, 3, 1, null),
                            new RunFacts.Suite("memory", "FAIL", 3.0, 4, 1, null), new RunFacts.Suite("memory", "PASS", 4.0, 5, 0, null)),
                    List.of(), null, null, List.of());
            assertTrue(index.insertIfAbsent(new BundleIndex.Row(UUID.randomUUID().toString(), "C02R", "FAIL", "%064x".formatted(7), "key", 10,
                    "2026-11-10T10:00:00Z"), f, "rack1"));
            try (Connection c = DriverManager.getConnection(url)) {
                List<String> ingested = rows(c, TABLES.get(5));
                assertEquals(List.of("2026-11-10|memory|1.0|1.0|"), ingested, "cpu's first is SKIPPED: not counted; memory's first FAILed");
                index.rebuildUnits();
                assertEquals(ingested, rows(c, TABLES.get(5)));
            }
        }
    }

    @Test
    void aRebuildBesideArrivingRunsCountsEachRunOnceOnSqlite() throws Exception {
        race("jdbc:sqlite:" + dir.resolve("race.db"));
    }

    private void race(String url) throws Exception {
        try (BundleIndex service = new BundleIndex(url); BundleIndex reindex = new BundleIndex(url)) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger rebuilds = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            java.util.concurrent.Future<?> rebuilding = pool.submit(() -> {
                while (!done.get()) {
                    reindex.rebuildUnits();
                    rebuilds.incrementAndGet();
                    // a rebuild after another, not one unbroken lock: SQLite's writers wait 5 s at most
                    // (busy_timeout), polling every 100 ms by then, and would miss short gaps on a loaded machine
                    Thread.sleep(150);
                }
                return null;
            });
            List<java.util.concurrent.Future<?>> arriving = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int from = t * 150;
                arriving.add(pool.submit(() -> {
                    Random rnd = new Random(from);
                    for (int i = from; i < from + 150; i++) {
                        // rebuilds must run while runs arrive: the first half waits for one, the last run for two
                        // (on a fast machine all 450 once arrived between two rebuilds, and the race was not run)
                        if (i == from + 75 || i == from + 149) {
                            int want = i == from + 75 ? 1 : 2;
                            long until = System.nanoTime() + 30_000_000_000L;
                            while (rebuilds.get() < want && System.nanoTime() < until) {
                                Thread.sleep(5);
                            }
                        }
                        assertTrue(service.insertIfAbsent(row(rnd, i), facts(rnd, i), "rack" + (i % 3)));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : arriving) {
                f.get();
            }
            done.set(true);
            rebuilding.get();
            pool.shutdown();
            assertTrue(rebuilds.get() >= 2, "rebuilds ran while runs arrived: " + rebuilds.get());
            List<String> counts = List.of(TABLES.get(3), TABLES.get(4), TABLES.get(5), TABLES.get(6));
            List<List<String>> raced = new ArrayList<>();
            try (Connection p = DriverManager.getConnection(url)) {
                for (String q : counts) {
                    raced.add(rows(p, q));
                }
                reindex.rebuildUnits(); // on a quiet database
                for (int k = 0; k < counts.size(); k++) {
                    assertEquals(rows(p, counts.get(k)), raced.get(k), counts.get(k) + " after " + rebuilds.get() + " rebuilds beside 450 arriving runs");
                }
            }
        }
    }

    private static BundleIndex.Row row(Random rnd, int i) {
        String serial = "C02" + rnd.nextInt(8); // a few units with several runs each, received out of order
        String verdict = List.of("PASS", "FAIL", "INCOMPLETE", "PASS").get(rnd.nextInt(4));
        String at = "2026-11-" + (10 + rnd.nextInt(5)) + "T0" + rnd.nextInt(10) + ":00:00Z";
        return new BundleIndex.Row(new UUID(i, rnd.nextLong()).toString(), serial, verdict, String.format("%064x", i), "key" + (i % 3), 1000 + i, at);
    }

    private static RunFacts facts(Random rnd, int i) {
        List<RunFacts.Suite> suites = new ArrayList<>();
        List<RunFacts.Failure> failures = new ArrayList<>();
        String[] ids = {"cpu", "memory", "gpu", "neural-engine", "thermal"};
        String[] outcomes = {"PASS", "FAIL", "SKIPPED", "HUNG", "ERROR"};
        int n = i % 5 == 0 ? 0 : 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
            String id = ids[rnd.nextInt(ids.length)]; // sometimes repeated: the first one is the run's
            Double d = switch (rnd.nextInt(4)) {
                case 0 -> null;
                case 1 -> Double.NaN;
                default -> rnd.nextInt(600) + 0.5;
            };
            suites.add(new RunFacts.Suite(id, outcomes[rnd.nextInt(outcomes.length)], d, rnd.nextInt(100), rnd.nextInt(3),
                    rnd.nextBoolean() ? null : "reason " + k));
        }
        int nf = i % 4 == 0 ? 1 + rnd.nextInt(3) : 0;
        for (int k = 0; k < nf; k++) {
            failures.add(new RunFacts.Failure(ids[rnd.nextInt(2)], List.of("memory-miscompare", "cpu-mismatch").get(rnd.nextInt(2)),
                    "message " + k, rnd.nextBoolean() ? null : "address 0x" + Integer.toHexString(rnd.nextInt()), false));
        }
        String ended = i % 9 == 0 ? null : "2026-11-" + (10 + rnd.nextInt(5)) + "T10:00:00Z";
        return new RunFacts(i % 6 == 0 ? null : "standard", i % 8 == 0 ? null : "m4max-64g", "Mac16,5", "2026-11-10T09:00:00Z", ended,
                rnd.nextBoolean() ? null : 600.0, failures.size(), suites, failures, rnd.nextBoolean() ? null : 80.5, null, List.of());
    }

    /** Every row of a query as one line, the rows sorted; numbers written alike for both databases. */
    private static List<String> rows(Connection c, String q) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(q)) {
            int cols = r.getMetaData().getColumnCount();
            while (r.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= cols; i++) {
                    Object v = r.getObject(i);
                    b.append(v == null ? "null" : v instanceof Number num ? String.valueOf(num.doubleValue()) : v.toString().strip()).append('|');
                }
                out.add(b.toString());
            }
        }
        out.sort(null);
        assertTrue(out.stream().distinct().count() == out.size(), "no row twice in " + q);
        return out;
    }
}
