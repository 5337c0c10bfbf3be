-- Dashboard sessions ended before their expiry (a logout): refused by every replica sharing this
-- database until the session would have expired anyway. Portable SQL: SQLite and PostgreSQL.
CREATE TABLE revoked_sessions (
    sid         VARCHAR(32) NOT NULL PRIMARY KEY,
    expires_at  BIGINT      NOT NULL
);
