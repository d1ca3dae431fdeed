"""Rebuild every view from the event log: empty the view tables, fold the log, write once."""

from __future__ import annotations

import sqlite3
from typing import Callable, Sequence

from projections.projection import Projection
from projections.views import CHECKPOINT, all_views
from service.store.records import RecordedEvent

_CHUNK = 20_000

Progress = Callable[[int, int], None]  # (events folded, events in all)


def rebuild_views(conn: sqlite3.Connection, views: Sequence[Projection] | None = None,
                  progress: Progress | None = None) -> int:
    """Replace every view by a fold of the whole log, in one transaction; returns events folded."""
    views = tuple(all_views() if views is None else views)
    conn.execute("BEGIN IMMEDIATE")
    try:
        total = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        for view in views:
            for table in view.tables:
                conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM checkpoints")
        folds = [view.rebuilder() for view in views]
        feeds = [fold.feed for fold in folds]
        done, last = 0, 0
        cursor = conn.execute("SELECT position, stream_id, version, type, data, recorded_at FROM events ORDER BY position")
        while rows := cursor.fetchmany(_CHUNK):
            for row in rows:
                recorded = RecordedEvent(*row)
                for feed in feeds:
                    feed(recorded)
            done += len(rows)
            last = rows[-1][0]
            if progress:
                progress(done, total)
        for fold in folds:
            fold.write(conn)
        if last:
            conn.execute("INSERT INTO checkpoints (name, position) VALUES (?, ?)", (CHECKPOINT, last))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return done
