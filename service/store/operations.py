"""What the CLI does to a store besides serving it, for either backend: create or migrate it,
hold it (so that a replay or a copy never runs beside a server), rebuild its views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from projections.replay import Progress, rebuild_views
from service.store.locator import StoreLocator


def prepare(locator: StoreLocator, sync: str = "full") -> None:
    """Create the database, or bring it to the newest schema (SchemaTooNew if it is newer)."""
    maintenance(locator, sync).close()


def maintenance(locator: StoreLocator, sync: str = "full"):
    """A connection of its own to the (migrated) database, for work done in one transaction."""
    if locator.backend == "postgresql":
        from service.store.postgresql.maintenance import PostgresMaintenance

        return PostgresMaintenance(locator.target)
    from service.store.sqlite.maintenance import SQLiteMaintenance

    return SQLiteMaintenance(locator.path, sync)


def exists(locator: StoreLocator) -> bool:
    """Whether there is a database to work on (a PostgreSQL database is there once it answers)."""
    return locator.backend == "postgresql" or locator.path.exists()


@contextmanager
def hold(locator: StoreLocator, purpose: str, *, serving: bool = False) -> Iterator[None]:
    """Hold the database for `purpose` (DatabaseInUse when a server holds it).

    `serving`: a server's hold. On SQLite one server holds a file alone; several servers may
    share one PostgreSQL database, but a replay or a copy holds it alone.
    """
    if locator.backend == "postgresql":
        from service.store.postgresql.maintenance import AdvisoryHold

        with AdvisoryHold(locator.target, purpose, shared=serving):
            yield
        return
    from service.store.sqlite.lock import DatabaseLock

    lock = DatabaseLock(locator.path)
    lock.acquire(purpose)
    try:
        yield
    finally:
        lock.release()


def replay(locator: StoreLocator, progress: Progress | None = None) -> int:
    """Rebuild every view from the log, in one transaction; events folded."""
    session = maintenance(locator)
    try:
        with session.bulk():
            session.begin()
            try:
                folded = rebuild_views(session, progress=progress)
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.close()
    return folded
