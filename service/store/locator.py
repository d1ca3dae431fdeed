"""Where the event log lives, as `--db` (or DROIDLEDGER_DB) names it.

path/to/droidledger.db            SQLite (the default: <data-dir>/droidledger.db)
sqlite:///path/to/droidledger.db  SQLite; sqlite:////abs/path.db is absolute
postgresql://user@host:5432/db    PostgreSQL: any libpq URL (postgres:// too)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


@dataclass(frozen=True)
class StoreLocator:
    """A backend and where its data is."""

    backend: str  # "sqlite" or "postgresql"
    target: str  # the SQLite path, or the libpq URL

    @property
    def path(self) -> Path:
        """The SQLite file (ValueError for PostgreSQL)."""
        if self.backend != "sqlite":
            raise ValueError(f"{self.display} is not a SQLite file")
        return Path(self.target)

    @property
    def display(self) -> str:
        """For logs and /health: a URL without its password."""
        if self.backend == "sqlite":
            return self.target
        parts = urlsplit(self.target)
        if parts.password is None:
            return self.target
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))


def locate(db: str | Path) -> StoreLocator:
    """The locator `--db` names (a path, sqlite:///path or a PostgreSQL URL)."""
    text = str(db)
    if text.startswith(POSTGRESQL_SCHEMES):
        return StoreLocator("postgresql", text)
    if text.startswith(SQLITE_SCHEME):
        return StoreLocator("sqlite", text[len(SQLITE_SCHEME) :])
    if "://" in text:
        raise ValueError(f"--db {text!r}: use a file path, sqlite:///path or postgresql://user@host:port/dbname")
    return StoreLocator("sqlite", text)
