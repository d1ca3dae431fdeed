"""The event store: one interface (`interface.py`), two backends (`sqlite/`, `postgresql/`),
group commit shared by both (`writer.py`), where the log is (`locator.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from service.store.locator import StoreLocator

if TYPE_CHECKING:
    from service.store.interface import EventStore


def open_store(
    locator: StoreLocator, *, sync: str = "full", now: Callable[[], datetime] | None = None, **options
) -> EventStore:
    """The backend's store for `locator` (not running yet: use `async with store.running()`)."""
    if now is not None:
        options["now"] = now
    if locator.backend == "postgresql":
        from service.store.postgresql.store import PostgresEventStore

        return PostgresEventStore(locator.target, **options)
    from service.store.sqlite.store import SQLiteEventStore

    return SQLiteEventStore(locator.target, sync=sync, **options)
