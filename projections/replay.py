"""Rebuild every view from the event log: empty the view tables, fold the log, write once.

The fold runs in memory (each view's `rebuilder()`), each event handed only to the folds that
read its type; the rows are then written with the tables' indexes dropped and rebuilt after,
which is much faster than maintaining them row by row.
"""

from __future__ import annotations

import sqlite3
from typing import Callable, Sequence, get_args

from projections.projection import Handler, Projection
from projections.views import CHECKPOINT, all_views
from service.events import Event, decode_event, event_type

_CHUNK = 20_000

Progress = Callable[[int, int], None]  # (events folded, events in all)


def rebuild_views(conn: sqlite3.Connection, views: Sequence[Projection] | None = None,
                  progress: Progress | None = None) -> int:
    """Replace every view by a fold of the whole log, in one transaction; returns events folded."""
    views = tuple(all_views() if views is None else views)
    tables = [table for view in views for table in view.tables]
    conn.execute("PRAGMA secure_delete = OFF")  # views hold no secrets; the log is not touched
    # The rewritten views stay in the page cache until COMMIT, and index builds sort in memory.
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA cache_size = -131072")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("BEGIN IMMEDIATE")
    try:
        total = conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
        indexes = _drop_indexes(conn, tables)
        for table in tables:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM checkpoints")
        folds = [view.rebuilder() for view in views]
        # Routed by the decoded event's class (its tag is the `type` column), so the column is not read.
        routes = {kind: handle for tag, handle in _routes(folds).items() for kind in get_args(Event)
                  if event_type(kind) == tag}
        done, last = 0, 0
        decode = decode_event
        route = routes.get
        cursor = conn.execute("SELECT position, stream_id, version, data, recorded_at FROM events ORDER BY position")
        while rows := cursor.fetchmany(_CHUNK):
            for position, stream_id, version, data, recorded_at in rows:
                event = decode(data)
                handle = route(event.__class__)
                if handle is not None:
                    handle(stream_id, version, recorded_at, event)
            done += len(rows)
            last = rows[-1][0]
            if progress:
                progress(last, total)
        for fold in folds:
            fold.write(conn)
        for sql in indexes:
            conn.execute(sql)
        if last:
            conn.execute("INSERT INTO checkpoints (name, position) VALUES (?, ?)", (CHECKPOINT, last))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(f"PRAGMA cache_size = {cache_size}")
        conn.execute("PRAGMA temp_store = DEFAULT")
    return done


def _routes(folds: list) -> dict[str, Handler]:
    """One handler per event type: the fold's, or, when several folds read the type, one
    function calling each in turn."""
    handlers: dict[str, list[Handler]] = {}
    for fold in folds:
        for kind in fold.types:
            handlers.setdefault(kind, []).append(fold.handlers[kind])
    return {kind: found[0] if len(found) == 1 else _fan_out(*found) for kind, found in handlers.items()}


def _fan_out(*handlers: Handler) -> Handler:
    def handle(stream_id: str, version: int, recorded_at: str, event: object) -> None:
        for one in handlers:
            one(stream_id, version, recorded_at, event)
    return handle


def _drop_indexes(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    """Drop the secondary indexes of the view tables; returns the SQL that recreates them."""
    marks = ",".join("?" * len(tables))
    found = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                         f"AND tbl_name IN ({marks})", tables).fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]
