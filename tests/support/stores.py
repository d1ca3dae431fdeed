"""The stores a test can run on: a SQLite file, SQLite in memory, PostgreSQL (a schema of the
test's own, see tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.store.locator import StoreLocator, locate

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]
# The same, where the PostgreSQL runs belong to the slow tier (the fast tier keeps to SQLite).
BACKENDS_PG_SLOW = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[pytest.mark.postgresql, pytest.mark.slow]),
]
STORE_KINDS = [
    pytest.param("sqlite-file", id="sqlite-file"),
    pytest.param("sqlite-memory", id="sqlite-memory"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


def locator_for(kind: str, request: pytest.FixtureRequest, folder: Path) -> StoreLocator:
    """Where a test's store of this kind lives."""
    if kind == "postgresql":
        return locate(request.getfixturevalue("pg_url"))
    if kind == "sqlite-memory":
        return StoreLocator("sqlite", ":memory:")
    return StoreLocator("sqlite", str(folder / "droidledger.db"))


class DatabasesByFolder:
    """For servers on PostgreSQL: one schema per data directory, so that a server started again
    on the same data directory finds the same store (SQLite needs nothing: the file is there)."""

    def __init__(self, backend: str, request: pytest.FixtureRequest) -> None:
        self.backend = backend
        self._request = request
        self._urls: dict[Path, str] = {}

    def db_for(self, data_dir: Path) -> str | None:
        """`--db` for a server on this data directory (None: its SQLite file)."""
        if self.backend != "postgresql":
            return None
        folder = Path(data_dir).resolve()
        if folder not in self._urls:
            self._urls[folder] = self._request.getfixturevalue("new_pg_url")()
        return self._urls[folder]


async def snapshot(store) -> dict[str, list[tuple]]:
    """Every row of every table of a store (either backend), to prove that nothing changed."""
    if store.backend == "postgresql":
        listing = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
    else:
        listing = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    names = [row[0] for row in await store.fetchall(listing)]
    # By the first column (the log by position), ties in a stable order.
    return {
        name: sorted(await store.fetchall(f"SELECT * FROM {name}"), key=lambda row: (row[0], repr(row)))
        for name in names
    }
