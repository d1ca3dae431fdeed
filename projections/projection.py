"""What a view must offer the writer (live updates) and replay (rebuild from the log)."""

from __future__ import annotations

import sqlite3
from typing import Callable, Protocol, Sequence

from service.events import Event
from service.store.records import RecordedEvent


# How replay hands a fold one event: its stored stream id, version, recorded_at and the decoded event.
Handler = Callable[[str, int, str, Event], None]


class Rebuild(Protocol):
    """An in-memory fold of the whole log, written out once at the end."""

    types: frozenset[str]  # the event types it reads; replay hands it only those
    handlers: dict[str, Handler]  # one per type of `types`; replay calls them in position order

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one event (events arrive in position order)."""

    def write(self, conn: sqlite3.Connection) -> None:
        """Insert the folded rows into the emptied tables."""


class Projection(Protocol):
    """A view kept current by the writer, inside the transaction of the events it reflects."""

    tables: tuple[str, ...]

    def apply(self, conn: sqlite3.Connection, events: Sequence[RecordedEvent]) -> None:
        """Update the view for newly appended events (called inside the write transaction)."""

    def rebuilder(self) -> Rebuild:
        """A fold that recreates the view from an empty state."""
