-- Agents (docs/agents.md): the same tables as migrations/sqlite/0006_agents.sql.

ALTER TABLE devices ADD COLUMN agent TEXT;
ALTER TABLE devices ADD COLUMN incarnation TEXT;
ALTER TABLE devices ADD COLUMN agent_lost INTEGER NOT NULL DEFAULT 0;

ALTER TABLE tasks ADD COLUMN dispatched_agent TEXT;
ALTER TABLE tasks ADD COLUMN dispatched_incarnation TEXT;

CREATE TABLE agents (
    name        TEXT PRIMARY KEY,
    incarnation TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         BIGINT NOT NULL,
    lease_s     DOUBLE PRECISION NOT NULL,
    shard       TEXT NOT NULL,
    state       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    reason      TEXT
);

CREATE TABLE agent_heartbeats (
    name        TEXT PRIMARY KEY,
    incarnation TEXT NOT NULL,
    beat_at     DOUBLE PRECISION NOT NULL
);
