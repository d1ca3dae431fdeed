"""The stores a test can run on: a SQLite file, SQLite in memory, PostgreSQL (a schema of the
test's own, see tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.store.locator import StoreLocator, locate

BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql)]
STORE_KINDS = [pytest.param("sqlite-file", id="sqlite-file"), pytest.param("sqlite-memory", id="sqlite-memory"),
               pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql)]


def locator_for(kind: str, request: pytest.FixtureRequest, folder: Path) -> StoreLocator:
    """Where a test's store of this kind lives."""
    if kind == "postgresql":
        return locate(request.getfixturevalue("pg_url"))
    if kind == "sqlite-memory":
        return StoreLocator("sqlite", ":memory:")
    return StoreLocator("sqlite", str(folder / "droidledger.db"))


def db_flag(kind: str, request: pytest.FixtureRequest, folder: Path) -> list[str]:
    """The `--db` flags of a server process on this backend (none: the data dir's SQLite file)."""
    return ["--db", request.getfixturevalue("pg_url")] if kind == "postgresql" else []
