"""What every test folder shares: the suite's two tiers, and PostgreSQL.

Tiers: `make check` runs every test not marked `slow`; `make test` runs all. Whole folders are
slow by what they do: real server processes (e2e), long reliability runs, the virtual farm
driven through adbutils and uiautomator2 (devices, sim) and the browser (browser).

PostgreSQL: tests that use `pg_url` (or are marked `postgresql`) run against the server named
by DROIDLEDGER_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test), in a database this
session creates and drops, each test in a schema of its own. Where no server answers they are
deselected with one line saying why, except under CI (the environment variable CI set), where
an unreachable server fails the run.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest

SLOW_FOLDERS = frozenset({"e2e", "reliability", "devices", "sim", "browser"})
TESTS = Path(__file__).parent
PG_SERVER = os.environ.get("DROIDLEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
_schemas = itertools.count(1)


def _unreachable() -> str | None:
    """Why the PostgreSQL server cannot be used, or None."""
    try:
        psycopg.connect(PG_SERVER, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"no PostgreSQL server answers at {PG_SERVER} ({str(exc).strip().splitlines()[0]})"
    return None


def _wants_postgresql(item: pytest.Item) -> bool:
    return "pg_database" in getattr(item, "fixturenames", ()) or item.get_closest_marker("postgresql") is not None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against the PostgreSQL server of DROIDLEDGER_TEST_PG")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(item.path).relative_to(TESTS)
        if relative.parts[0] in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
    wanted = [item for item in items if _wants_postgresql(item)]
    if not wanted:
        return
    reason = _unreachable()
    if reason is None:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI is set and {reason}: start PostgreSQL (see .ci/run)")
    config.hook.pytest_deselected(items=wanted)
    items[:] = [item for item in items if not _wants_postgresql(item)]
    config.stash[_SKIPPED] = f"{len(wanted)} PostgreSQL tests skipped: {reason}"


_SKIPPED = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if _SKIPPED in config.stash:
        terminalreporter.write_line(config.stash[_SKIPPED], yellow=True)


def _with_database(url: str, name: str, **query: str) -> str:
    parts = urlsplit(url)
    extra = "&".join(f"{key}={quote(value)}" for key, value in query.items())
    return urlunsplit(parts._replace(path=f"/{name}", query="&".join(q for q in (parts.query, extra) if q)))


@pytest.fixture(scope="session")
def pg_database() -> str:
    """The URL of a database of this session's own, dropped at the end."""
    name = f"droidledger_test_{os.getpid()}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(PG_SERVER, name)
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def new_pg_url(pg_database):
    """`new_pg_url()`: a URL whose connections work in a new schema of their own (an empty store)."""

    def new() -> str:
        schema = f"test_{next(_schemas)}"
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return _with_database(pg_database, urlsplit(pg_database).path.lstrip("/"), options=f"-csearch_path={schema}")

    return new


@pytest.fixture
def pg_url(new_pg_url) -> str:
    """A URL of an empty store of the test's own."""
    return new_pg_url()
