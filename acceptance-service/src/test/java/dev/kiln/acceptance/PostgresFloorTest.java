package dev.kiln.acceptance;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Heartbeats and the floor on a real PostgreSQL server (a schema of its own per test). */
@EnabledIfEnvironmentVariable(named = "KILN_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresFloorTest extends FloorContract {
    @Override
    String jdbcUrl() throws Exception {
        return PostgresIngestTest.freshSchema();
    }
}
