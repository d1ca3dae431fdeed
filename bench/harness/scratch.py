"""A new, empty store for one benchmark run: a SQLite file in a temporary folder, or, given a
PostgreSQL URL (`--db`), a schema of its own in that database, dropped at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg

from service.store.locator import StoreLocator, locate


def with_search_path(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to `schema`."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def scratch_store(db: str | None, folder: Path, name: str) -> Iterator[StoreLocator]:
    """Where the run's store lives; nothing of it is left afterwards."""
    if db is None or locate(db).backend == "sqlite":
        yield locate(db) if db else StoreLocator("sqlite", str(folder / f"{name}.db"))
        return
    schema = f"bench_{name}_{os.getpid()}"
    with psycopg.connect(db, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield locate(with_search_path(db, schema))
    finally:
        with psycopg.connect(db, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
