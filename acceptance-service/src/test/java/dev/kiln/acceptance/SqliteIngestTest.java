package dev.kiln.acceptance;

/** The ingest contract on the default, embedded SQLite index. */
class SqliteIngestTest extends IngestContract {
    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + data.resolve("index.db");
    }
}
