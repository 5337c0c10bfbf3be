package dev.kiln.acceptance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The ingest contract on a real PostgreSQL server: {@code .ci/run} installs and starts one from
 * Debian's packages and sets {@code KILN_TEST_PG_URL}; each test gets a schema of its own.
 */
@EnabledIfEnvironmentVariable(named = "KILN_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresIngestTest extends IngestContract {
    @Override
    String jdbcUrl() throws Exception {
        return freshSchema();
    }

    /** A schema of its own on the test server, as a JDBC URL. */
    static String freshSchema() throws Exception {
        String base = System.getenv("KILN_TEST_PG_URL");
        String schema = "kiln_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
