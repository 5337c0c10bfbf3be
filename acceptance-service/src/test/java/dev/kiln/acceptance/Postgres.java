package dev.kiln.acceptance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** A test's own schema on the PostgreSQL server named by KILN_TEST_PG_URL (.ci/run starts one), dropped afterwards. */
final class Postgres {
    private Postgres() {
    }

    interface Body {
        void run(String jdbcUrl) throws Exception;
    }

    /** Runs {@code body} with the URL of a new schema; skipped (not passed) where no server is named. */
    static void inSchema(Body body) throws Exception {
        String pg = System.getenv("KILN_TEST_PG_URL");
        Assumptions.assumeTrue(pg != null, "KILN_TEST_PG_URL names no PostgreSQL server (.ci/run starts one)");
        String schema = "kiln_t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        try {
            body.run(pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        } finally {
            try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }
}
