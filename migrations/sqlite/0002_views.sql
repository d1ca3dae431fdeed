-- Views: projections of the event log, updated in the writer's transaction, rebuilt by replay.

-- Everything the API shows of a task (docs/api.md, "A task"). Deleted tasks have no row.
CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY,
    serial          TEXT    NOT NULL,
    username        TEXT,
    script_name     TEXT    NOT NULL,
    script_config   BLOB    NOT NULL,   -- normalised JSON, secrets redacted
    status          INTEGER NOT NULL,   -- 0 pending, 1 running, 2 completed, 3 failed
    source          TEXT    NOT NULL,
    start_time      TEXT,               -- due time, ISO 8601, NULL = as soon as the device is free
    retry_count     INTEGER NOT NULL,
    auto_retries    INTEGER NOT NULL,   -- automatic retries since creation or the last manual retry
    attempt         INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    error           TEXT,
    failed_step     TEXT,
    artifacts       BLOB,               -- JSON list of file names, from the last failed event
    stop_requested  INTEGER NOT NULL,
    stopped         INTEGER NOT NULL,   -- failed because a stop was requested
    progress_step   INTEGER,
    progress_steps  INTEGER,
    progress_name   TEXT,
    version         INTEGER NOT NULL    -- the stream version this row reflects
);

CREATE INDEX tasks_by_status ON tasks (status, id);
CREATE INDEX tasks_by_serial ON tasks (serial, status, id);
CREATE INDEX tasks_by_script ON tasks (script_name, id);

-- Counters behind GET /task/stats and the list's `total`: never a COUNT(*) on a request.
CREATE TABLE task_counts (
    serial      TEXT    NOT NULL,
    script_name TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (serial, script_name, source, status)
) WITHOUT ROWID;

-- The highest task id ever created (deleted tasks included), for id allocation.
CREATE TABLE task_sequence (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    last_id INTEGER NOT NULL
);

-- Phones as adb reports them, and what they have run.
CREATE TABLE devices (
    serial          TEXT    PRIMARY KEY,
    model           TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    online          INTEGER NOT NULL,
    busy            INTEGER NOT NULL,
    current_task_id INTEGER,
    current_deleted INTEGER NOT NULL,
    tasks_completed INTEGER NOT NULL,
    tasks_failed    INTEGER NOT NULL
) WITHOUT ROWID;

-- The account registry: which account lives on which phone.
CREATE TABLE accounts (
    key      TEXT PRIMARY KEY,          -- the compared form: no leading @, casefolded
    username TEXT NOT NULL,             -- as given
    serial   TEXT NOT NULL,
    package  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX accounts_by_serial ON accounts (serial, key);

-- How far the views have read the log; written in the same transaction as the views.
CREATE TABLE checkpoints (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;
