"""The numbered migrations of each backend (`migrations/<backend>/NNNN_name.sql`), applied in
order at start, each in its own transaction with the version it brings the database to.

A database newer than the code is refused (SchemaTooNew) with one line saying what to do.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Protocol

from service.store.records import SchemaTooNew

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaHost(Protocol):
    """What a backend's connection offers the runner."""

    def schema_version(self) -> int:
        """The version recorded in the database (0 for a new one)."""

    def apply_migration(self, number: int, name: str, sql: str) -> None:
        """Run one migration and record `number` as the version, atomically."""


def available_migrations(backend: str) -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration shipped for `backend`, in order."""
    found = []
    for entry in resources.files("migrations").joinpath(backend).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"{backend} migrations must be numbered 1..n without gaps, found {numbers}")
    return found


def migrate(host: SchemaHost, backend: str) -> int:
    """Bring the database to the newest schema; the version it is at."""
    migrations = available_migrations(backend)
    newest = len(migrations)
    current = host.schema_version()
    if current > newest:
        raise SchemaTooNew(
            f"the database is at schema version {current}, but this droidledger knows only up to version "
            f"{newest}: upgrade droidledger, or use a copy of the database from before the upgrade"
        )
    for number, name, sql in migrations[current:]:
        try:
            host.apply_migration(number, name, sql)
        except Exception as exc:  # noqa: BLE001 - any failure names the migration
            raise RuntimeError(f"migration {backend}/{name} failed: {exc}") from exc
    return newest
