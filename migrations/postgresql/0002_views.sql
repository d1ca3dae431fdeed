-- Views: projections of the event log, updated in the writer's transaction, rebuilt by replay.
-- The same tables as on SQLite (migrations/sqlite/0002_views.sql), in PostgreSQL's types.

CREATE TABLE tasks (
    id              BIGINT  PRIMARY KEY,
    serial          TEXT    NOT NULL,
    username        TEXT,
    script_name     TEXT    NOT NULL,
    script_config   BYTEA   NOT NULL,   -- normalised JSON, secrets redacted
    status          INTEGER NOT NULL,   -- 0 pending, 1 running, 2 completed, 3 failed
    source          TEXT    NOT NULL,
    start_time      TEXT,               -- due time, ISO 8601, NULL = as soon as the device is free
    retry_count     INTEGER NOT NULL,
    auto_retries    INTEGER NOT NULL,
    attempt         INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    error           TEXT,
    failed_step     TEXT,
    artifacts       BYTEA,              -- JSON list of file names, from the last failed event
    stop_requested  INTEGER NOT NULL,
    stopped         INTEGER NOT NULL,
    progress_step   INTEGER,
    progress_steps  INTEGER,
    progress_name   TEXT,
    version         BIGINT  NOT NULL
);

CREATE INDEX tasks_by_status ON tasks (status, id);
CREATE INDEX tasks_by_serial ON tasks (serial, status, id);
CREATE INDEX tasks_by_script ON tasks (script_name, id);

CREATE TABLE task_counts (
    serial      TEXT    NOT NULL,
    script_name TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    n           BIGINT  NOT NULL,
    PRIMARY KEY (serial, script_name, source, status)
);

CREATE TABLE task_sequence (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    last_id BIGINT  NOT NULL
);

CREATE TABLE devices (
    serial          TEXT    PRIMARY KEY,
    model           TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    online          INTEGER NOT NULL,
    busy            INTEGER NOT NULL,
    current_task_id BIGINT,
    current_deleted INTEGER NOT NULL,
    tasks_completed BIGINT  NOT NULL,
    tasks_failed    BIGINT  NOT NULL
);

CREATE TABLE accounts (
    key      TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    serial   TEXT NOT NULL,
    package  TEXT NOT NULL
);

CREATE INDEX accounts_by_serial ON accounts (serial, key);

CREATE TABLE material_uses (
    path      TEXT   PRIMARY KEY,
    uses      BIGINT NOT NULL,
    last_used TEXT   NOT NULL
);

CREATE TABLE checkpoints (
    name     TEXT   PRIMARY KEY,
    position BIGINT NOT NULL
);
