"""Checks of a database file: integrity, views equal to a replay, open attempts, byte searches."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import msgspec

from projections.views import CHECKPOINT, all_views
from service.store import operations
from service.store.locator import StoreLocator

SIDE_TABLES = ("idempotency_keys", "secrets", "material_uses", "task_sequence")


def view_tables() -> list[str]:
    """Every table a projection writes (and replay rebuilds)."""
    return [table for view in all_views() for table in view.tables]


def copy_database(db: Path, folder: Path) -> Path:
    """Copy the db and its -wal (as a crash leaves them) into folder; the copy's path.

    Only for files no process is writing (a stopped or killed server). The -shm is not
    copied: it is an index SQLite rebuilds from the WAL.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / db.name
    for suffix in ("", "-wal"):
        source = Path(f"{db}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{target}{suffix}"))
    return target


def integrity(db: Path) -> str:
    """PRAGMA integrity_check's answer ("ok" when whole)."""
    conn = sqlite3.connect(db)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def dump(conn: sqlite3.Connection, tables: list[str]) -> dict[str, list[tuple]]:
    """Every row of the tables, sorted (views have no meaningful row order)."""
    return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in tables}


@dataclass
class ReplayCheck:
    """How the views of a database compare with a fold of its log."""

    events: int
    differences: dict[str, tuple[int, int]]  # table -> (rows only in the views, rows only in the replay)
    checkpoint: int | None
    last_position: int

    @property
    def equal(self) -> bool:
        return not self.differences and self.checkpoint == (self.last_position or None)


def views_equal_replay(db: Path) -> ReplayCheck:
    """Rebuild every view of `db` IN PLACE from its log and compare with the views it had.

    Run it on a copy: it rewrites the view tables.
    """
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        tables = view_tables()
        last = conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
        row = conn.execute("SELECT position FROM checkpoints WHERE name = ?", (CHECKPOINT,)).fetchone()
        before = dump(conn, tables)
        folded = operations.replay(StoreLocator("sqlite", str(db)))
        after = dump(conn, tables)
    finally:
        conn.close()
    differences = {}
    for table in tables:
        old, new = set(before[table]), set(after[table])
        if old != new or len(before[table]) != len(after[table]):
            differences[table] = (len(old - new), len(new - old))
    return ReplayCheck(events=folded, differences=differences, checkpoint=row[0] if row else None, last_position=last)


def task_streams(db: Path) -> dict[int, list[tuple[int, str, dict]]]:
    """Every task stream of the log: task id -> [(position, type, data)] in version order."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT stream_id, position, type, data FROM events WHERE stream_id LIKE 'task-%' "
            "ORDER BY stream_id, version"
        ).fetchall()
    finally:
        conn.close()
    streams: dict[int, list[tuple[int, str, dict]]] = {}
    for stream_id, position, kind, data in rows:
        streams.setdefault(int(stream_id[5:]), []).append((position, kind, msgspec.json.decode(data)))
    return streams


def open_attempts(streams: dict[int, list[tuple[int, str, dict]]]) -> dict[int, int]:
    """Tasks whose last `started` has no `completed` or `failed` after it: task id -> its position."""
    found = {}
    for task_id, events in streams.items():
        started = None
        for position, kind, _ in events:
            if kind == "started":
                started = position
            elif kind in ("completed", "failed"):
                started = None
        if started is not None:
            found[task_id] = started
    return found


def files_of(db: Path) -> list[Path]:
    """The db and its -wal and -shm, those that exist."""
    return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]


def occurrences(needle: bytes, paths: list[Path]) -> dict[str, int]:
    """How many times `needle` appears in each file's bytes (files with none are left out)."""
    hits = {}
    for path in paths:
        count = path.read_bytes().count(needle)
        if count:
            hits[str(path)] = count
    return hits
