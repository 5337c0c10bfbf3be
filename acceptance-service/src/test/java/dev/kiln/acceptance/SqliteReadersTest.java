package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SQLite, a page's read never holds up ingest: reads go through read-only connections beside the
 * one writer (WAL). Once every read and write shared the one connection: a slow page stalled every
 * station's upload behind it.
 */
class SqliteReadersTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void aReadInProgressDoesNotHoldUpAnInsert() throws Exception {
        // threads of their own (the common pool has one worker on a 2-CPU machine: the insert would queue behind the read)
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db"));
             java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return index.readForTest(c -> {
                        c.setAutoCommit(false); // a read transaction held open, as a long page query holds it
                        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM bundles")) {
                            r.next();
                            reading.countDown();
                            release.await(30, TimeUnit.SECONDS);
                            return r.getLong(1);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        } finally {
                            c.rollback();
                            c.setAutoCommit(true);
                        }
                    });
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            assertTrue(reading.await(10, TimeUnit.SECONDS));
            String run = TestBundles.newRunId();
            RunFacts facts = new RunFacts("smoke", null, null, null, null, null, 0, List.of(), List.of(), null, null, List.of());
            CompletableFuture<Boolean> insert = CompletableFuture.supplyAsync(() -> {
                try {
                    return index.insertIfAbsent(new BundleIndex.Row(run, "SN-R", "PASS", "0".repeat(64), "k", 1, java.time.Instant.now().toString()),
                            facts, "rack");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            assertTrue(insert.get(10, TimeUnit.SECONDS), "stored while the read is still open");
            assertEquals(0L, read.isDone() ? -1L : 0L, "the read is still holding its transaction");
            assertEquals(1, index.count(), "and a new read sees it");
            release.countDown();
            assertEquals(0L, read.get(10, TimeUnit.SECONDS), "the held read saw its own snapshot");
        }
    }
}
