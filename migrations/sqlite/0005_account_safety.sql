-- Account safety: limits, rests after the platform's warnings, what each account did per quarter
-- hour, why a pending task waits, paused phones. Views of the log, rebuilt by replay.

-- While a held pending task waits for its account: why, and until when (ISO 8601).
ALTER TABLE tasks ADD COLUMN waiting_kind TEXT;
ALTER TABLE tasks ADD COLUMN waiting_reason TEXT;
ALTER TABLE tasks ADD COLUMN waiting_until TEXT;
CREATE INDEX tasks_waiting ON tasks (waiting_kind) WHERE waiting_kind IS NOT NULL;

-- A paused phone finishes its current task and starts no other until resumed.
ALTER TABLE devices ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;

-- The limits of every account that sets none of its own (JSON: daily, working_hours, timezone, cooldown_hours).
CREATE TABLE default_limits (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    document BLOB    NOT NULL
);

-- An account's own limits (same JSON; a field left null falls back on the defaults).
CREATE TABLE account_limits (
    key      TEXT PRIMARY KEY,          -- the account's compared form
    document BLOB NOT NULL
) WITHOUT ROWID;

-- The last rest of each account, until cleared (it may have ended: compare `until` with now).
CREATE TABLE account_restrictions (
    key    TEXT    PRIMARY KEY,
    reason TEXT    NOT NULL,
    at     TEXT    NOT NULL,            -- when the warning was met
    until  TEXT    NOT NULL,
    strike INTEGER NOT NULL             -- the n-th warning within 7 days
) WITHOUT ROWID;

-- Actions each account did, per action and quarter hour (unix time of its start, UTC).
CREATE TABLE account_actions (
    key    TEXT    NOT NULL,
    action TEXT    NOT NULL,
    bucket INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (key, action, bucket)
) WITHOUT ROWID;

-- Holds by kind ("held:daily_limit", ...) and restrictions ("restrictions") since the log began.
CREATE TABLE safety_counters (
    name TEXT    PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;
