"""Rebuild every view from the event log: empty the view tables, fold the log, write once.

The fold runs in memory (each view's `rebuilder()`), each event handed only to the folds that
read its type; the rows are then written with the tables' secondary indexes dropped and built
again after, which is much faster than maintaining them row by row. What differs between the
backends (reading the log, dropping indexes, the transaction) is the `RebuildSession` a
backend's maintenance module gives (`service/store/*/maintenance.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, get_args

from projections.projection import Handler, Projection, Sql
from projections.views import CHECKPOINT, all_views
from service.events import Event, decode_event, event_type

Progress = Callable[[int, int], None]  # (position folded, last position)
LogRow = tuple[int, str, int, bytes, str]  # position, stream_id, version, data, recorded_at


class RebuildSession(Protocol):
    """A backend's connection inside the rebuild's one transaction."""

    sql: Sql

    def last_position(self) -> int:
        """The log's last position."""

    def scan_log(self) -> Iterator[Sequence[LogRow]]:
        """The whole log in position order, in chunks."""

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop the tables' secondary indexes; the statements that create them again."""


def rebuild_views(
    session: RebuildSession, views: Sequence[Projection] | None = None, progress: Progress | None = None
) -> int:
    """Replace every view by a fold of the whole log (the caller commits); events folded."""
    views = tuple(all_views() if views is None else views)
    tables = [table for view in views for table in view.tables]
    total = session.last_position()
    indexes = session.drop_indexes(tables)
    for table in tables:
        session.sql.execute(f"DELETE FROM {table}")
    session.sql.execute("DELETE FROM checkpoints")
    folds = [view.rebuilder() for view in views]
    # Routed by the decoded event's class (its tag is the `type` column), so the column is not read.
    routes = {
        kind: handle for tag, handle in _routes(folds).items() for kind in get_args(Event) if event_type(kind) == tag
    }
    done, last = 0, 0
    decode = decode_event
    route = routes.get
    for rows in session.scan_log():
        for _position, stream_id, version, data, recorded_at in rows:
            event = decode(data)
            handle = route(event.__class__)
            if handle is not None:
                handle(stream_id, version, recorded_at, event)
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(last, total)
    for fold in folds:
        fold.write(session.sql)
    for sql in indexes:
        session.sql.execute(sql)
    if last:
        session.sql.execute("INSERT INTO checkpoints (name, position) VALUES (?, ?)", (CHECKPOINT, last))
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
