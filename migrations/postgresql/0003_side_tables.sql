-- State kept beside the log on purpose: never part of an event.

-- Idempotency-Key: a hash of the body, never the body, and the first successful response.
CREATE TABLE idempotency_keys (
    key         TEXT             PRIMARY KEY,
    body_hash   TEXT             NOT NULL,
    response    BYTEA            NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL   -- unix seconds, for the 24-hour window
);

-- Secrets named by tasks (the ChatGPT api_key), deleted when the task is deleted.
CREATE TABLE secrets (
    task_id BIGINT NOT NULL,
    name    TEXT   NOT NULL,
    value   TEXT   NOT NULL,
    PRIMARY KEY (task_id, name)
);
