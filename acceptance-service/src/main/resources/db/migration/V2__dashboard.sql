-- What the dashboard pages need, indexed at ingest from the verified bundle (the sealed bundle stays
-- the source of truth: `kiln-acceptance reindex` rebuilds all of this from the blobs). Portable SQL:
-- the same migration runs on SQLite and PostgreSQL; strings are cut to the column widths in Java.
ALTER TABLE bundles ADD COLUMN profile VARCHAR(64);
ALTER TABLE bundles ADD COLUMN station VARCHAR(128);
ALTER TABLE bundles ADD COLUMN sku VARCHAR(128);
ALTER TABLE bundles ADD COLUMN model VARCHAR(128);
ALTER TABLE bundles ADD COLUMN started_at VARCHAR(40);
ALTER TABLE bundles ADD COLUMN ended_at VARCHAR(40);
ALTER TABLE bundles ADD COLUMN day CHAR(10);
ALTER TABLE bundles ADD COLUMN duration_s DOUBLE PRECISION;
ALTER TABLE bundles ADD COLUMN failure_count BIGINT;
ALTER TABLE bundles ADD COLUMN max_celsius DOUBLE PRECISION;
ALTER TABLE bundles ADD COLUMN max_watts DOUBLE PRECISION;
ALTER TABLE bundles ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;

CREATE INDEX bundles_by_received ON bundles (received_at);
CREATE INDEX bundles_by_day ON bundles (day, verdict);

-- one row per unit: its latest run (by receipt time) and how many it has
CREATE TABLE units (
    serial       VARCHAR(128) NOT NULL PRIMARY KEY,
    run_id       VARCHAR(64)  NOT NULL,
    verdict      VARCHAR(16)  NOT NULL,
    received_at  VARCHAR(40)  NOT NULL,
    sku          VARCHAR(128),
    station      VARCHAR(128),
    model        VARCHAR(128),
    runs         BIGINT       NOT NULL
);
CREATE INDEX units_by_received ON units (received_at);

CREATE TABLE run_suites (
    run_id        VARCHAR(64)  NOT NULL,
    suite         VARCHAR(128) NOT NULL,
    outcome       VARCHAR(16)  NOT NULL,
    duration_s    DOUBLE PRECISION,
    iterations    BIGINT,
    failure_count BIGINT,
    reason        VARCHAR(1000),
    PRIMARY KEY (run_id, suite)
);
CREATE INDEX run_suites_by_suite ON run_suites (suite, outcome);

CREATE TABLE run_failures (
    run_id    VARCHAR(64)   NOT NULL,
    seq       INTEGER       NOT NULL,
    suite     VARCHAR(128)  NOT NULL,
    symptom   VARCHAR(128)  NOT NULL,
    message   VARCHAR(2000) NOT NULL,
    location  VARCHAR(1000),
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX run_failures_by_symptom ON run_failures (symptom);

-- the line page's counts, kept at ingest so that it reads a few rows a day whatever the number of runs
CREATE TABLE daily (
    day      CHAR(10)     NOT NULL,
    sku      VARCHAR(128) NOT NULL,
    station  VARCHAR(128) NOT NULL,
    runs     BIGINT       NOT NULL,
    passed   BIGINT       NOT NULL,
    failed   BIGINT       NOT NULL,
    PRIMARY KEY (day, sku, station)
);

CREATE TABLE daily_suites (
    day      CHAR(10)     NOT NULL,
    suite    VARCHAR(128) NOT NULL,
    runs     BIGINT       NOT NULL,
    failed   BIGINT       NOT NULL,
    PRIMARY KEY (day, suite)
);

CREATE TABLE daily_symptoms (
    day      CHAR(10)     NOT NULL,
    symptom  VARCHAR(128) NOT NULL,
    seen     BIGINT       NOT NULL,
    runs     BIGINT       NOT NULL,
    PRIMARY KEY (day, symptom)
);
