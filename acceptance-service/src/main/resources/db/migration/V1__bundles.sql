-- One row per stored bundle; the bundle bytes live in the blob directory under their sha256.
-- Portable SQL: the same migration runs on SQLite and PostgreSQL.
CREATE TABLE bundles (
    run_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    serial       VARCHAR(128) NOT NULL,
    verdict      VARCHAR(16)  NOT NULL,
    sha256       CHAR(64)     NOT NULL,
    station_key  CHAR(64)     NOT NULL,
    size_bytes   BIGINT       NOT NULL,
    received_at  VARCHAR(40)  NOT NULL
);

CREATE INDEX bundles_by_serial ON bundles (serial, received_at);
