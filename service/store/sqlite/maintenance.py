"""What the CLI does to a SQLite database besides serving it: create or migrate it, rebuild its
views, copy its log, back it up — through one connection of its own (`SQLiteMaintenance`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from service.store.migrations import migrate
from service.store.sqlite.connection import SQLiteWriterConnection, open_connection

CHUNK = 20_000


def prepare(path: Path, sync: str = "full") -> None:
    """Create the database, or bring it to the newest schema (SchemaTooNew if it is newer)."""
    SQLiteMaintenance(path, sync).close()


class SQLiteMaintenance:
    """One connection to a (migrated) database, for work done in one transaction."""

    def __init__(self, path: Path, sync: str = "full") -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = SQLiteWriterConnection(open_connection(path, sync=sync))
        try:
            migrate(self.conn, "sqlite")
        except BaseException:
            self.conn.close()
            raise
        self.sql = self.conn.sql

    def insert_events(self, rows: Sequence[tuple]) -> None:
        """Rows of `events`, as they are (a copy, a benchmark's data set)."""
        self.conn.insert_events(rows)

    def begin(self) -> None:
        """The transaction, holding the write lock."""
        self.sql.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.sql.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()

    def last_position(self) -> int:
        return self.sql.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]

    def scan_log(self) -> Iterator[Sequence[tuple]]:
        """(position, stream_id, version, data, recorded_at) in position order, in chunks."""
        yield from self._chunks("SELECT position, stream_id, version, data, recorded_at FROM events ORDER BY position")

    def scan_events(self) -> Iterator[Sequence[tuple]]:
        """Whole rows of the log in position order, in chunks."""
        yield from self._chunks(
            "SELECT position, stream_id, version, type, data, recorded_at FROM events ORDER BY position"
        )

    def scan_table(self, table: str, columns: Sequence[str]) -> Iterator[Sequence[tuple]]:
        """Every row of a table, in chunks."""
        yield from self._chunks(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1")

    def _chunks(self, query: str) -> Iterator[Sequence[tuple]]:
        cursor = self.sql.execute(query)
        while rows := cursor.fetchmany(CHUNK):
            yield rows

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(tables))
        found = self.sql.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            list(tables),
        ).fetchall()
        for name, _ in found:
            self.sql.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def bulk(self) -> _BulkSettings:
        """Settings for rewriting whole views: secure delete off (views hold no secrets), a
        large page cache and in-memory sorts, restored after."""
        return _BulkSettings(self.sql)


class _BulkSettings:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.cache_size = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA secure_delete = OFF")
        self.conn.execute("PRAGMA cache_size = -131072")
        self.conn.execute("PRAGMA temp_store = MEMORY")

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("PRAGMA secure_delete = ON")
        self.conn.execute(f"PRAGMA cache_size = {self.cache_size}")
        self.conn.execute("PRAGMA temp_store = DEFAULT")


def backup(path: Path, target: Path) -> str:
    """A consistent copy of a (possibly live) database; its integrity check ("ok")."""
    source = sqlite3.connect(path)
    dest = sqlite3.connect(target)
    try:
        # One step: one read snapshot of the WAL database, which blocks no writer. A backup in
        # several steps starts over whenever another process commits between two of them, so
        # under steady writes it never finished.
        source.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE")
        return dest.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error:
        dest.close()
        target.unlink(missing_ok=True)  # a failed copy is no backup
        raise
    finally:
        dest.close()
        source.close()
