"""What the CLI does to a store besides serving it, for either backend: create or migrate it,
hold it (so that a replay never runs beside a server), rebuild its views."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from projections.replay import Progress
from service.store.locator import StoreLocator
from service.store.records import StoreError


def prepare(locator: StoreLocator, sync: str = "full") -> None:
    """Create the database, or bring it to the newest schema (SchemaTooNew if it is newer)."""
    if locator.backend == "postgresql":
        from service.store.postgresql import maintenance

        maintenance.prepare(locator.target)
    else:
        from service.store.sqlite import maintenance

        maintenance.prepare(locator.path, sync)


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
    """Migrate the database and rebuild every view from its log; events folded."""
    if locator.backend == "postgresql":
        from service.store.postgresql import maintenance
    else:
        from service.store.sqlite import maintenance
    try:
        return maintenance.replay(locator.target if locator.backend == "postgresql" else locator.path, progress)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - the driver's errors, as the store's
        raise StoreError(str(exc)) from exc
