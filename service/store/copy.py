"""`droidledger copy SRC DST`: a whole event log from one store to another (SQLite → PostgreSQL
when a farm outgrows one PC, PostgreSQL → SQLite for a laptop copy).

Every event keeps its position, stream, version, type, data and recorded_at; the side tables
(secrets, idempotency keys) come along; the views are rebuilt at the destination from the
copied log, in the same transaction, so a failed copy leaves the destination empty. The counts
of both ends are compared at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from projections.replay import rebuild_views
from service.store.locator import StoreLocator
from service.store.operations import maintenance
from service.store.records import StoreError

SIDE_TABLES = {
    "secrets": ("task_id", "name", "value"),
    "idempotency_keys": ("key", "body_hash", "response", "created_at"),
}
Progress = Callable[[int, int], None]


class DestinationNotEmpty(StoreError):
    """The destination already holds events: a copy never mixes two logs."""


@dataclass(frozen=True)
class CopyCounts:
    """What each end holds, for the check at the end."""

    events: int
    last_position: int
    side_rows: int
    tasks: int


def _counts(session) -> CopyCounts:
    one = lambda sql: next(iter(session.sql.execute(sql)))[0]  # noqa: E731
    return CopyCounts(
        events=one("SELECT COUNT(*) FROM events"),
        last_position=session.last_position(),
        side_rows=sum(one(f"SELECT COUNT(*) FROM {table}") for table in SIDE_TABLES),
        tasks=one("SELECT COUNT(*) FROM tasks"),
    )


def copy_log(source: StoreLocator, destination: StoreLocator, progress: Progress | None = None) -> CopyCounts:
    """Copy the log; the counts both ends agree on (StoreError if they do not)."""
    src = maintenance(source)
    try:
        dst = maintenance(destination)
        try:
            dst.begin()
            try:
                if dst.last_position():
                    raise DestinationNotEmpty(
                        f"{destination.display} already holds {dst.last_position()} events: copy into an empty database"
                    )
                total = src.last_position()
                for rows in src.scan_events():
                    dst.insert_events([tuple(row) for row in rows])
                    if progress:
                        progress(rows[-1][0], total)
                for table, columns in SIDE_TABLES.items():
                    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                    for rows in src.scan_table(table, columns):
                        dst.sql.executemany(insert, [tuple(row) for row in rows])
                with dst.bulk():
                    rebuild_views(dst)
                dst.commit()
            except BaseException:
                dst.rollback()
                raise
            copied, original = _counts(dst), _counts(src)
        finally:
            dst.close()
    finally:
        src.close()
    if copied != original:
        raise StoreError(
            f"the copy does not match its source: {copied} at {destination.display}, {original} at {source.display}"
        )
    return copied
