package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run the index stores, normalised once for both dialects and reindex (IndexParityTest checks they agree). */
class IndexedRunTest {
    private static final BundleIndex.Row ROW = new BundleIndex.Row("r1", "SN1", "FAIL", "ab", "key", 10, "2026-12-08T01:02:03Z");

    @Test
    void textIsCutToItsColumnRepeatedSuitesKeepTheFirstAndCountsFollow() {
        String longId = "s".repeat(200);
        RunFacts f = new RunFacts("p".repeat(100), "SKU-" + "k".repeat(200), "Mac16,5", "2026-12-08T00:00:00Z", "e".repeat(50), Double.NaN, 2,
                List.of(new RunFacts.Suite(longId + "-a", "FAIL", 1.5, 3, 1, "r".repeat(2000)),
                        new RunFacts.Suite(longId + "-b", "PASS", Double.POSITIVE_INFINITY, 1, 0, null), // the same id once cut: not kept
                        new RunFacts.Suite("memory", "SKIPPED", null, 0, 0, "no memory"),
                        new RunFacts.Suite("gpu", "HUNG", 2.0, 0, 0, null)),
                List.of(new RunFacts.Failure("cpu", "x".repeat(300), "m".repeat(5000), "l", false),
                        new RunFacts.Failure("cpu", "x".repeat(300), "again", null, false)),
                Double.NEGATIVE_INFINITY, 41.5, List.of());
        IndexedRun n = IndexedRun.of(ROW, f, "rack-" + "t".repeat(200));
        assertEquals(64, n.profile().length());
        assertEquals(128, n.sku().length());
        assertEquals(n.sku(), n.skuKey());
        assertEquals(128, n.station().length());
        assertEquals(40, n.ended().length());
        assertEquals("2026-12-08", n.day(), "the day it was received");
        assertNull(n.durationS(), "NaN is stored as NULL");
        assertNull(n.maxCelsius(), "so is an infinity");
        assertEquals(41.5, n.maxWatts());
        assertEquals(3, n.suites().size(), "the first of a repeated id (once cut) only: " + n.suites());
        assertEquals("FAIL", n.suites().getFirst().outcome());
        assertEquals(1000, n.suites().getFirst().reason().length());
        assertEquals(Map.of(longId.substring(0, 128), 1L, "gpu", 1L), n.daySuites(), "SKIPPED not counted; FAIL and HUNG failed");
        assertEquals(Map.of("x".repeat(128), 2L), n.symptoms());
        assertEquals(2000, n.failures().getFirst().message().length());
        assertTrue(n.counted());
    }

    @Test
    void aRunWithNeitherSuitesNorFailuresAddsNoPerSuiteCounts() {
        RunFacts f = new RunFacts(null, null, null, null, null, null, 0, List.of(), List.of(), null, null, List.of("results/summary.json"));
        IndexedRun n = IndexedRun.of(ROW, f, null);
        assertFalse(n.counted());
        assertEquals("", n.skuKey());
        assertEquals("", n.stationKey());
        assertNull(n.station());
    }
}
