package dev.kiln.acceptance;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code kiln-acceptance reindex}: rebuilds what the dashboard indexes (each run's facts, suites,
 * failures, telemetry summary, and every unit's latest run) from the sealed bundles in the blob
 * store, which stay the source of truth. Safe to run again; a run whose blob is missing or unreadable
 * is named and counted, and the exit code says so (65).
 */
@Command(name = "reindex", mixinStandardHelpOptions = true,
        description = "Rebuild the dashboard's index from the stored bundles (run with the same --data, --db and --blob-store as the service).")
final class Reindex extends StoreOptions implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    Reindex(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(data)) {
            err.println("kiln-acceptance: --data " + data + " is not a directory");
            return 78;
        }
        BlobStore blobs;
        try {
            blobs = blobStore();
        } catch (IllegalArgumentException | java.io.IOException e) {
            err.println("kiln-acceptance: " + dev.kiln.bundle.Why.of(e));
            return 78;
        }
        int done = 0;
        int lost = 0;
        try (BundleIndex index = new BundleIndex(indexUrl())) {
            for (BundleIndex.Row r : index.all()) {
                Optional<BlobStore.Stored> blob;
                try {
                    blob = blobs.file(r.sha256(), Spool.scratch()); // checked, read as it inflates, never whole
                } catch (java.io.IOException e) {
                    blob = Optional.empty();
                    err.println("kiln-acceptance: run " + r.runId() + ": " + dev.kiln.bundle.Why.of(e));
                }
                if (blob.isEmpty()) {
                    lost++;
                    err.println("kiln-acceptance: run " + r.runId() + ": its bundle " + r.sha256() + " is not in the store; its row is left as it is");
                    continue;
                }
                String station = index.run(r.runId()).map(BundleIndex.RunRow::station).filter(s -> s != null && !s.isBlank())
                        .orElse("key " + r.stationKey().substring(0, Math.min(12, r.stationKey().length())));
                try {
                    index.reindex(r, RunFacts.of(dev.kiln.bundle.ZipSource.of(blob.get().path())), station);
                } finally {
                    if (blob.get().temporary()) {
                        Files.deleteIfExists(blob.get().path());
                    }
                }
                done++;
            }
            index.rebuildUnits();
        }
        out.println("reindexed " + done + " run(s) from their bundles" + (lost > 0 ? "; " + lost + " bundle(s) missing from the store" : ""));
        return lost > 0 ? 65 : 0;
    }
}
