"""What the CLI does to a PostgreSQL database besides serving it: create or migrate its schema,
hold it (servers share it; a replay or a copy holds it alone), rebuild its views."""

from __future__ import annotations

from contextlib import closing
from typing import Iterator, Sequence

import psycopg

from projections.replay import LogRow, Progress, rebuild_views
from service.store.locator import locate
from service.store.migrations import migrate
from service.store.postgresql.connection import (
    LOG_LOCK, SERVER_LOCK, PostgresSql, PostgresWriterConnection, connect,
)
from service.store.records import DatabaseInUse

_CHUNK = 20_000


def prepare(url: str) -> None:
    """Bring the database to the newest schema (SchemaTooNew if it is newer)."""
    with closing(PostgresWriterConnection(connect(url))) as conn:
        migrate(conn, "postgresql")


class AdvisoryHold:
    """A session-level advisory lock held on a connection of its own for as long as the block runs."""

    def __init__(self, url: str, purpose: str, *, shared: bool) -> None:
        self.url = url
        self.purpose = purpose
        self.shared = shared
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> "AdvisoryHold":
        conn = connect(self.url)
        take = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
        if not conn.execute(f"SELECT {take}(%s)", (SERVER_LOCK,)).fetchone()[0]:
            holders = [row[0] for row in conn.execute(
                "SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.pid <> pg_backend_pid() ORDER BY 1")]
            conn.close()
            raise DatabaseInUse(f"{locate(self.url).display} is in use by {', '.join(holders) or 'another process'}; "
                                f"stop it before you {self.purpose}")
        self._conn = conn
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()  # the session's locks go with it
            self._conn = None


class PostgresRebuildSession:
    """The rebuild's view of one connection, inside its transaction."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.sql = PostgresSql(conn)

    def last_position(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]

    def scan_log(self) -> Iterator[Sequence[LogRow]]:
        with self.conn.cursor(name="replay_scan") as cursor:  # server side: the log is not loaded at once
            cursor.itersize = _CHUNK
            cursor.execute("SELECT position, stream_id, version, data, recorded_at FROM events ORDER BY position")
            while rows := cursor.fetchmany(_CHUNK):
                yield rows

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        found = self.conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (list(tables),)).fetchall()
        for name, _ in found:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]


def replay(url: str, progress: Progress | None = None) -> int:
    """Migrate the database and rebuild every view from its log, in one transaction; events folded."""
    with closing(connect(url)) as conn:
        migrate(PostgresWriterConnection(conn), "postgresql")
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOG_LOCK,))  # no append meanwhile
            return rebuild_views(PostgresRebuildSession(conn), progress=progress)

