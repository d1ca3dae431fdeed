"""PostgreSQL connections (psycopg 3): the SQL both backends share, translated; the writer's
connection as the group-commit writer (`service/store/writer.py`) uses it.

The global order needs no gap: every write transaction takes the log's advisory lock before it
draws its positions (the next after the last committed one), so positions commit in order and a
reader never sees position 42 while 41 can still commit. Writers of every process take turns,
each holding the lock for one group commit.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors

NOTIFY_CHANNEL = "droidledger_log"
CONNECT_TIMEOUT_S = 10
# A writer's transaction holds the log's lock; one whose process froze (SIGSTOP, a swapped-out VM)
# or whose PC fell off the network between two statements would stall every writer of the farm.
# The server ends such a session after this long idle inside a transaction (its locks go with it);
# the writer's own statements follow each other within milliseconds.
IDLE_IN_TRANSACTION_S = 5


_LOCK_KEY = "hashtextextended(COALESCE(current_schema(), '') || ':droidledger:' || {}, 0)"
LOCK_KEY_OF = _LOCK_KEY.format("%s")
"""The SQL of an advisory lock's key, the lock's kind a parameter: the farm's schema and the kind,
hashed. Advisory locks are the database's, so farms in different schemas of one database never share
one. Kinds: `log` (held by one write transaction at a time, of any process), `migration`, `server`
(shared by every server; a replay or a copy takes it alone), `scheduling`, `agent:<name>`."""


def lock_key(kind: str) -> str:
    """LOCK_KEY_OF for one of our fixed kinds, written into the statement (a literal, no parameter)."""
    if not kind.isalpha():
        raise ValueError(f"not a fixed lock kind: {kind!r}")
    return _LOCK_KEY.format(f"'{kind}'")


_BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock({lock_key('log')}); SELECT COALESCE(MAX(position), 0) FROM events"


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """Our `?` placeholders in psycopg's style (a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


@lru_cache(maxsize=64)
def _event_insert(rows: int) -> str:
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * rows)
    return f"INSERT INTO events (position, stream_id, version, type, data, recorded_at) VALUES {values}"


def _returns_rows(sql: str) -> bool:
    return sql.lstrip()[:6].upper() in ("SELECT", "WITH R", "VALUES") or " RETURNING " in sql.upper()


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection:
    """A connection named after this process (pg_stat_activity shows who holds what)."""
    return psycopg.connect(
        url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S, application_name=f"droidledger pid {os.getpid()}"
    )


class PostgresSql:
    """`Sql` (projections/projection.py) over a psycopg connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Iterable[tuple]:
        cursor = self.conn.execute(translate(sql), params or None)
        # In a pipeline a statement's rows (and its description) arrive only when fetched.
        return cursor.fetchall() if _returns_rows(sql) else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(translate(sql), rows)


NOW_SQL = "EXTRACT(EPOCH FROM clock_timestamp())::DOUBLE PRECISION"  # the server's clock, not the statement's start


class PostgresWriterConnection:
    """The writer's connection: transactions issued by hand, under the log's advisory lock."""

    now_sql = NOW_SQL

    def __init__(self, conn: psycopg.Connection) -> None:
        # No server-side prepared statements: a statement psycopg prepares inside a pipeline that
        # an error aborts is never created, and the next use of its name fails ("prepared
        # statement _pg3_N does not exist"). The writer's statements are few and cheap to parse.
        conn.prepare_threshold = None
        conn.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_S}s'")
        self.sql = PostgresSql(conn)
        self._conn = conn

    @property
    def broken(self) -> bool:
        """Lost (the server restarted, the network went): the writer opens a new one."""
        return self._conn.closed or self._conn.broken

    # --- the writer -----------------------------------------------------------------------

    def begin(self) -> int:
        # One round trip; each statement of it takes its own snapshot, so the last one, run once
        # the lock is held, sees every earlier writer's commit.
        cursor = self._conn.execute(_BEGIN)
        cursor.nextset()
        cursor.nextset()
        return cursor.fetchone()[0]

    def insert_events(self, rows: Sequence[tuple]) -> None:
        # One statement per 1,000 rows: far fewer messages than a statement per row.
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            self._conn.execute(_event_insert(len(chunk)), [value for row in chunk for value in row])

    def stream_version(self, stream_id: str) -> int:
        return self._conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_id = %s", (stream_id,)
        ).fetchone()[0]

    def savepoint(self) -> None:
        self._conn.execute("SAVEPOINT one_append")

    def rollback_to_savepoint(self) -> None:
        self._conn.execute("ROLLBACK TO SAVEPOINT one_append")
        self._conn.execute("RELEASE SAVEPOINT one_append")

    def release_savepoint(self) -> None:
        self._conn.execute("RELEASE SAVEPOINT one_append")

    def commit(self, position: int) -> None:
        # The notification is delivered at commit, in commit order, to every process that listens
        # on the database; it names the farm's schema (listeners of other schemas ignore it).
        self._conn.execute(
            "SELECT pg_notify(%s, COALESCE(current_schema(), '') || ':' || %s)", (NOTIFY_CHANNEL, str(position))
        )
        self._conn.execute("COMMIT")

    def pipeline(self) -> AbstractContextManager:
        """Send the batch's statements without waiting for each answer (one round trip where
        no statement's rows are needed before the commit)."""
        return self._conn.pipeline()

    def rollback(self) -> None:
        try:
            if not self.broken:
                self._conn.execute("ROLLBACK")
        except psycopg.Error:
            pass  # nothing left to roll back on a lost connection

    def is_conflict(self, error: BaseException) -> bool:
        return isinstance(error, errors.UniqueViolation)

    def close(self) -> None:
        try:
            self._conn.close()
        except psycopg.Error:
            pass

    # --- migrations -----------------------------------------------------------------------

    def schema_version(self) -> int:
        found = self._conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
        if not found:
            return 0
        row = self._conn.execute("SELECT version FROM schema_version").fetchone()
        return row[0] if row else 0

    def apply_migration(self, number: int, name: str, sql: str) -> None:
        with self._conn.transaction():
            # Two processes starting at once: the second waits, then finds the work done.
            self._conn.execute(f"SELECT pg_advisory_xact_lock({lock_key('migration')})")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)"
            )
            row = self._conn.execute("SELECT version FROM schema_version").fetchone()
            if row is not None and row[0] >= number:
                return
            self._conn.execute(sql)
            self._conn.execute(
                "INSERT INTO schema_version (one, version) VALUES (1, %s) ON CONFLICT (one) "
                "DO UPDATE SET version = excluded.version",
                (number,),
            )
