package dev.kiln.acceptance;

/** Heartbeats and the floor on the default, embedded SQLite index. */
class SqliteFloorTest extends FloorContract {
    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + dir.resolve("index.db");
    }
}
