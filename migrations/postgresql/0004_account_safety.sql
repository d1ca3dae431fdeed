-- Account safety: the same tables as on SQLite (migrations/sqlite/0005_account_safety.sql), in
-- PostgreSQL's types.

ALTER TABLE tasks ADD COLUMN waiting_kind TEXT;
ALTER TABLE tasks ADD COLUMN waiting_reason TEXT;
ALTER TABLE tasks ADD COLUMN waiting_until TEXT;
CREATE INDEX tasks_waiting ON tasks (waiting_kind) WHERE waiting_kind IS NOT NULL;

ALTER TABLE devices ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;

CREATE TABLE default_limits (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    document BYTEA   NOT NULL
);

CREATE TABLE account_limits (
    key      TEXT  PRIMARY KEY,
    document BYTEA NOT NULL
);

CREATE TABLE account_restrictions (
    key    TEXT    PRIMARY KEY,
    reason TEXT    NOT NULL,
    at     TEXT    NOT NULL,
    until  TEXT    NOT NULL,
    strike INTEGER NOT NULL
);

CREATE TABLE account_actions (
    key    TEXT   NOT NULL,
    action TEXT   NOT NULL,
    bucket BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (key, action, bucket)
);

CREATE TABLE safety_counters (
    name TEXT   PRIMARY KEY,
    n    BIGINT NOT NULL
);
