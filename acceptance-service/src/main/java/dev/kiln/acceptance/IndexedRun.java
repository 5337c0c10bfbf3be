package dev.kiln.acceptance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run as the index stores it, normalised once: every text cut to what its column holds, numbers
 * that are not finite made null, the suites the first of each id, the line page's per-day counts.
 * Both dialects of ingest (SQLite row by row, PostgreSQL in one statement) and reindex bind this
 * same value, so they cannot store a run differently (issue 30; {@code IndexParityTest} checks it).
 *
 * @param day          the day it counts for: the day the service received it (UTC)
 * @param skuKey       the SKU as the daily counts key it ({@code ""} for none)
 * @param stationKey   the station as the daily counts key it ({@code ""} for none)
 * @param daySuites    per suite id, 1 where it failed (FAIL, HUNG), 0 where it ran otherwise; SKIPPED left out
 * @param symptoms     per symptom, how many of the run's failures had it
 * @param counted      whether the run adds per-suite and per-symptom counts (it has suites or failures)
 */
record IndexedRun(String profile, String station, String sku, String model, String started, String ended, String day,
                  Double durationS, long failureCount, Double maxCelsius, Double maxWatts, String skuKey, String stationKey,
                  List<Suite> suites, List<Failure> failures, Map<String, Long> daySuites, Map<String, Long> symptoms, boolean counted) {

    static final int TEXT = 128;

    record Suite(String id, String outcome, Double durationS, long iterations, long failureCount, String reason) {
    }

    record Failure(String suite, String symptom, String message, String location) {
    }

    static IndexedRun of(BundleIndex.Row row, RunFacts f, String station) {
        Map<String, Suite> first = new LinkedHashMap<>(); // what run_suites keeps: the first of a repeated id
        for (RunFacts.Suite su : f.suites()) {
            first.putIfAbsent(cut(su.id(), TEXT), new Suite(cut(su.id(), TEXT), cut(su.outcome(), 16), finite(su.durationS()), su.iterations(),
                    su.failureCount(), cut(su.reason(), 1000)));
        }
        List<Suite> suites = List.copyOf(first.values());
        Map<String, Long> daySuites = new TreeMap<>();
        for (Suite su : suites) {
            if (!su.outcome().equals("SKIPPED")) {
                daySuites.put(su.id(), su.outcome().equals("FAIL") || su.outcome().equals("HUNG") ? 1L : 0L);
            }
        }
        List<Failure> failures = f.failures().stream()
                .map(x -> new Failure(cut(x.suite(), TEXT), cut(x.symptom(), TEXT), cut(x.message(), 2000), cut(x.location(), 1000))).toList();
        Map<String, Long> symptoms = new TreeMap<>();
        for (Failure x : failures) {
            symptoms.merge(x.symptom(), 1L, Long::sum);
        }
        String st = cut(station, TEXT);
        String sku = cut(f.sku(), TEXT);
        return new IndexedRun(cut(f.profile(), 64), st, sku, cut(f.model(), TEXT), cut(f.started(), 40), cut(f.ended(), 40),
                BundleIndex.day(row, f), finite(f.durationS()), f.failureCount(), finite(f.maxCelsius()), finite(f.maxWatts()),
                sku == null ? "" : sku, st == null ? "" : st, suites, failures, daySuites, symptoms,
                !daySuites.isEmpty() || !failures.isEmpty());
    }

    /** At most {@code max} characters of {@code s} (null stays null). */
    static String cut(String s, int max) {
        return s == null ? null : s.length() <= max ? s : s.substring(0, max);
    }

    private static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }
}
