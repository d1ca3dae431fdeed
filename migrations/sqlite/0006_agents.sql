-- Agents (docs/agents.md): which agent incarnation owns each phone, which pending task was given
-- to a phone's agent, the agents themselves (views of the log), and their heartbeats (beside it).

ALTER TABLE devices ADD COLUMN agent TEXT;
ALTER TABLE devices ADD COLUMN incarnation TEXT;
ALTER TABLE devices ADD COLUMN agent_lost INTEGER NOT NULL DEFAULT 0;

ALTER TABLE tasks ADD COLUMN dispatched_agent TEXT;
ALTER TABLE tasks ADD COLUMN dispatched_incarnation TEXT;

-- Each agent name's last incarnation, from agent-started / agent-stopped / agent-lost.
CREATE TABLE agents (
    name        TEXT PRIMARY KEY,
    incarnation TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    lease_s     REAL NOT NULL,
    shard       TEXT NOT NULL,
    state       TEXT NOT NULL,          -- alive, stopped or lost
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    reason      TEXT
) WITHOUT ROWID;

-- Liveness, not history: each live incarnation renews its row; the database's clock (unix seconds).
CREATE TABLE agent_heartbeats (
    name        TEXT PRIMARY KEY,
    incarnation TEXT NOT NULL,
    beat_at     REAL NOT NULL
) WITHOUT ROWID;
