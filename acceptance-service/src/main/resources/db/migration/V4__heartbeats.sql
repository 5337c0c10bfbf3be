-- The floor, live (issue 31): each running unit's latest heartbeat, one row per run, replaced only by a
-- newer one (a higher seq). A heartbeat is not evidence: a run's verdict is its sealed bundle's (bundles).
-- Portable SQL: SQLite and PostgreSQL; strings are cut to the column widths in Java.
CREATE TABLE heartbeats (
    run_id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    serial         VARCHAR(128) NOT NULL,
    station        VARCHAR(128) NOT NULL,
    profile        VARCHAR(64),
    state          VARCHAR(16)  NOT NULL,
    verdict        VARCHAR(16),
    stage          VARCHAR(128),
    suites         VARCHAR(1000),
    seq            BIGINT       NOT NULL,
    interval_ms    BIGINT       NOT NULL,
    started_at     VARCHAR(40),
    elapsed_s      DOUBLE PRECISION,
    planned_s      DOUBLE PRECISION,
    work           BIGINT,
    failures       BIGINT,
    first_failure  VARCHAR(300),
    hottest_c      DOUBLE PRECISION,
    watts          DOUBLE PRECISION,
    sampler_alive  INTEGER,
    outbox_depth   BIGINT,
    received_ms    BIGINT       NOT NULL
);
CREATE INDEX heartbeats_by_received ON heartbeats (received_ms);
