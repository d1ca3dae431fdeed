"""What a view must offer the writer (live updates) and replay (rebuild from the log)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from service.events import Event
from service.store.records import RecordedEvent


class Sql(Protocol):
    """The writer's connection inside its transaction, on the writer's thread.

    Statements use `?` placeholders and SQL that SQLite and PostgreSQL both read (upserts name
    their conflict target; no `INSERT OR REPLACE`, no two-argument `max`); each backend's
    connection translates the placeholders.
    """

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Iterable[tuple]:
        """Run one statement; its rows, if it returns any."""

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        """Run one statement for each row of parameters."""


# How replay hands a fold one event: its stored stream id, version, recorded_at and the decoded event.
Handler = Callable[[str, int, str, Event], None]


class Rebuild(Protocol):
    """An in-memory fold of the whole log, written out once at the end."""

    types: frozenset[str]  # the event types it reads; replay hands it only those
    handlers: dict[str, Handler]  # one per type of `types`; replay calls them in position order

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one event (events arrive in position order)."""

    def write(self, conn: Sql) -> None:
        """Insert the folded rows into the emptied tables."""


class Projection(Protocol):
    """A view kept current by the writer, inside the transaction of the events it reflects."""

    tables: tuple[str, ...]

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """Update the view for newly appended events (called inside the write transaction)."""

    def rebuilder(self) -> Rebuild:
        """A fold that recreates the view from an empty state."""
