"""What the CLI does to a SQLite database besides serving it: create or migrate it, rebuild its
views, back it up."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Iterator, Sequence

from projections.replay import LogRow, Progress, rebuild_views
from service.store.migrations import migrate
from service.store.sqlite.connection import SQLiteWriterConnection, open_connection

_CHUNK = 20_000


def prepare(path: Path, sync: str = "full") -> None:
    """Create the database, or bring it to the newest schema (SchemaTooNew if it is newer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(SQLiteWriterConnection(open_connection(path, sync=sync))) as conn:
        migrate(conn, "sqlite")


class SQLiteRebuildSession:
    """The rebuild's view of one connection, inside its transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.sql = conn

    def last_position(self) -> int:
        return self.sql.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]

    def scan_log(self) -> Iterator[Sequence[LogRow]]:
        cursor = self.sql.execute("SELECT position, stream_id, version, data, recorded_at FROM events ORDER BY position")
        while rows := cursor.fetchmany(_CHUNK):
            yield rows

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(tables))
        found = self.sql.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                 f"AND tbl_name IN ({marks})", list(tables)).fetchall()
        for name, _ in found:
            self.sql.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]


def replay_connection(conn: sqlite3.Connection, progress: Progress | None = None) -> int:
    """Rebuild every view on an open connection, in one transaction; events folded."""
    conn.execute("PRAGMA secure_delete = OFF")  # views hold no secrets; the log is not touched
    # The rewritten views stay in the page cache until COMMIT, and index builds sort in memory.
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA cache_size = -131072")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("BEGIN IMMEDIATE")
    try:
        folded = rebuild_views(SQLiteRebuildSession(conn), progress=progress)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(f"PRAGMA cache_size = {cache_size}")
        conn.execute("PRAGMA temp_store = DEFAULT")
    return folded


def replay(path: Path, progress: Progress | None = None) -> int:
    """Migrate the database and rebuild every view from its log; events folded."""
    with closing(SQLiteWriterConnection(open_connection(path))) as conn:
        migrate(conn, "sqlite")
        return replay_connection(conn.sql, progress)


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
