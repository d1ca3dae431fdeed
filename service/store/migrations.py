"""Apply the numbered migrations/*.sql files in order, each in its own transaction.

The schema version is SQLite's `user_version`. A database newer than the code is refused.
"""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNew(RuntimeError):
    """The database was written by a newer droidledger than this one."""


def available_migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the newest schema; returns the version it is at."""
    migrations = available_migrations()
    newest = len(migrations)
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > newest:
        raise SchemaTooNew(
            f"the database is at schema version {current}, but this droidledger knows "
            f"only up to version {newest}: upgrade droidledger, or use a copy of the "
            "database from before the upgrade"
        )
    for number, name, sql in migrations[current:]:
        _apply(conn, number, name, sql)
    return newest


def _apply(conn: sqlite3.Connection, number: int, name: str, sql: str) -> None:
    """Run one migration and record its number atomically."""
    in_autocommit = conn.isolation_level is None
    try:
        # executescript() commits a pending transaction first, then runs our BEGIN..COMMIT.
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise RuntimeError(f"migration {name} failed: {exc}") from exc
    assert in_autocommit or not conn.in_transaction
