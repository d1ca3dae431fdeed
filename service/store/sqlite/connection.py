"""SQLite connections with the settings every connection of droidledger shares, and the
writer's connection as the group-commit writer (`service/store/writer.py`) uses it."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

SYNC_MODES = ("full", "normal")
EVENT_INSERT = "INSERT INTO events (position, stream_id, version, type, data, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"
READER_PRAGMAS = ("PRAGMA busy_timeout = 5000", "PRAGMA query_only = ON")
NOW_SQL = "((julianday('now') - 2440587.5) * 86400.0)"  # unix seconds, with milliseconds
_LAST_POSITION = "SELECT COALESCE(MAX(position), 0) FROM events"


def open_connection(path: str | Path, *, sync: str = "full") -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN/COMMIT), WAL, secure delete.

    `sync` is `full` (an fsync per commit: nothing acknowledged is lost on power loss) or
    `normal` (in WAL, a power loss may lose the last commits, never corrupt the file).
    """
    if sync not in SYNC_MODES:
        raise ValueError(f"sync must be one of {SYNC_MODES}, got {sync!r}")
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {sync.upper()}")
    # Deleted content (secrets) is overwritten with zeros, not merely unlinked.
    conn.execute("PRAGMA secure_delete = ON")
    return conn


class SQLiteWriterConnection:
    """The one write connection: BEGIN IMMEDIATE takes SQLite's write lock for the batch."""

    broken = False  # a file (or memory) connection is never lost; its errors are the statement's
    now_sql = NOW_SQL

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.sql = conn

    # --- the writer -----------------------------------------------------------------------

    def begin(self) -> int:
        self.sql.execute("BEGIN IMMEDIATE")
        return self.sql.execute(_LAST_POSITION).fetchone()[0]

    def insert_events(self, rows: Sequence[tuple]) -> None:
        self.sql.executemany(EVENT_INSERT, rows)

    def stream_version(self, stream_id: str) -> int:
        return self.sql.execute(
            "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_id = ?", (stream_id,)
        ).fetchone()[0]

    def savepoint(self) -> None:
        self.sql.execute("SAVEPOINT one_append")

    def rollback_to_savepoint(self) -> None:
        self.sql.execute("ROLLBACK TO one_append")
        self.sql.execute("RELEASE one_append")

    def release_savepoint(self) -> None:
        self.sql.execute("RELEASE one_append")

    def commit(self, position: int) -> None:
        self.sql.execute("COMMIT")

    def pipeline(self) -> AbstractContextManager:
        """Statements run where they are (SQLite is in the process)."""
        return nullcontext()

    def rollback(self) -> None:
        try:
            if self.sql.in_transaction:
                self.sql.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # a broken connection has nothing left to roll back

    def is_conflict(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.IntegrityError)  # the writer then compares the streams' versions

    def close(self) -> None:
        self.sql.close()

    # --- migrations -----------------------------------------------------------------------

    def schema_version(self) -> int:
        return self.sql.execute("PRAGMA user_version").fetchone()[0]

    def apply_migration(self, number: int, name: str, sql: str) -> None:
        try:
            # executescript() commits a pending transaction first, then runs our BEGIN..COMMIT.
            self.sql.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlite3.Error:
            self.rollback()
            raise
