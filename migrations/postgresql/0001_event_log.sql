-- The event log: append-only, one row per event. Positions are gap-free and commit in order:
-- every write transaction takes the log's advisory lock before it draws the next position.
CREATE TABLE events (
    position    BIGINT PRIMARY KEY,
    stream_id   TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    type        TEXT   NOT NULL,
    data        BYTEA  NOT NULL,   -- the msgspec JSON encoding of the tagged event Struct
    recorded_at TEXT   NOT NULL,   -- ISO 8601 with offset, UTC
    UNIQUE (stream_id, version)
);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP;
END
$$;

CREATE TRIGGER events_are_append_only_row BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

CREATE TRIGGER events_are_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
