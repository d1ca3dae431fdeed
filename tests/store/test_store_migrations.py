"""Migrations, on each backend: a new database is created at the newest schema, re-opening
changes nothing, an older one is brought up to date, a newer one is refused, a failing
migration leaves the version before."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg
import pytest

from service.events import TaskCreated
from service.store import migrations, open_store
from service.store.migrations import available_migrations, migrate
from service.store.postgresql.connection import PostgresWriterConnection, connect
from service.store.records import SchemaTooNew, StreamAppend
from service.store.sqlite.connection import SQLiteWriterConnection, open_connection
from tests.support.stores import BACKENDS, locator_for

# The tables every backend has; later migrations may add more.
TABLES = {
    "accounts",
    "checkpoints",
    "devices",
    "events",
    "idempotency_keys",
    "secrets",
    "task_counts",
    "task_sequence",
    "tasks",
    "material_uses",
}
CREATED = TaskCreated(serial="phone-1", script_name="post", script_config={})


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path):
    return locator_for(request.param if request.param == "postgresql" else "sqlite-file", request, tmp_path)


def newest(database) -> int:
    return len(available_migrations(database.backend))


def host(database):
    """The backend's migration host on a connection of our own."""
    if database.backend == "postgresql":
        return PostgresWriterConnection(connect(database.target))
    return SQLiteWriterConnection(open_connection(database.target))


def schema(database) -> tuple[int, list[tuple]]:
    """The recorded version and every object of the schema (tables, indexes, triggers)."""
    if database.backend == "postgresql":
        with closing(host(database)) as conn:
            version = conn.schema_version()
            objects = conn.sql.execute(
                "SELECT 'table', table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "UNION ALL SELECT 'index', indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "UNION ALL SELECT 'trigger', tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal "
                "ORDER BY 1, 2"
            )
        return version, [tuple(row) for row in objects]
    conn = sqlite3.connect(database.target)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT type, name FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        conn.close()
    return version, objects


def tables(objects: list[tuple]) -> set[str]:
    return {name for kind, name in objects if kind == "table"}


def test_each_backend_ships_migrations_numbered_one_to_n():
    for backend in ("sqlite", "postgresql"):
        shipped = [(number, name) for number, name, _ in available_migrations(backend)]
        assert [number for number, _ in shipped] == list(range(1, len(shipped) + 1))
        assert all(name.startswith(f"{number:04d}_") for number, name in shipped)
        assert shipped[:3] == [(1, "0001_event_log.sql"), (2, "0002_views.sql"), (3, "0003_side_tables.sql")]


async def test_a_new_database_is_created_at_the_newest_version(database):
    async with open_store(database).running():
        pass
    version, objects = schema(database)
    assert version == newest(database)
    assert TABLES <= tables(objects)
    triggers = sorted(name for kind, name in objects if kind == "trigger")
    assert triggers == (
        ["events_are_append_only_delete", "events_are_append_only_update"]
        if database.backend == "sqlite"
        else ["events_are_append_only_row", "events_are_append_only_truncate"]
    )


async def test_reopening_a_current_database_changes_nothing(database):
    async with open_store(database).running() as store:
        await store.append(StreamAppend("task-1", 0, [CREATED]))
    before = schema(database)
    async with open_store(database).running() as store:
        assert store.position == 1
        assert [r.event for r in await store.read_stream("task-1")] == [CREATED]
    assert schema(database) == before


async def test_an_older_database_is_brought_to_the_newest_version(database):
    _, _, first = available_migrations(database.backend)[0]
    with closing(host(database)) as conn:
        conn.apply_migration(1, "0001_event_log.sql", first)
        conn.sql.execute(
            "INSERT INTO events VALUES (1, 'task-1', 1, 'created', ?, '2026-01-01T00:00:00+00:00')",
            (b'{"type":"created","serial":"s","script_name":"post","script_config":{}}',),
        )
    assert schema(database)[0] == 1
    async with open_store(database).running() as store:
        assert store.position == 1
    version, objects = schema(database)
    assert version == newest(database)
    assert TABLES <= tables(objects)


async def test_a_database_newer_than_the_code_is_refused_and_left_alone(database):
    too_new = newest(database) + 1
    with closing(host(database)) as conn:
        if database.backend == "postgresql":
            conn.sql.execute("CREATE TABLE schema_version (one INTEGER PRIMARY KEY, version INTEGER NOT NULL)")
            conn.sql.execute("INSERT INTO schema_version VALUES (1, ?)", (too_new,))
        else:
            conn.sql.execute(f"PRAGMA user_version = {too_new}")
    before = schema(database)
    with pytest.raises(SchemaTooNew) as refused:
        async with open_store(database).running():
            pass
    assert str(refused.value) == (
        f"the database is at schema version {too_new}, but this droidledger knows only up to version "
        f"{too_new - 1}: upgrade droidledger, or use a copy of the database from before the upgrade"
    )
    assert schema(database) == before


def test_a_failing_migration_leaves_the_database_at_the_version_before(database, monkeypatch):
    shipped = available_migrations(database.backend)
    number = len(shipped) + 1
    broken = (
        number,
        f"{number:04d}_broken.sql",
        "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);",
    )
    monkeypatch.setattr(migrations, "available_migrations", lambda backend: [*shipped, broken])
    with closing(host(database)) as conn:
        with pytest.raises(
            RuntimeError, match=f"migration {database.backend}/{number:04d}_broken.sql failed: .*no_such_table"
        ):
            migrate(conn, database.backend)
    version, objects = schema(database)
    assert version == len(shipped)
    assert "half_done" not in tables(objects)


def test_two_processes_migrating_at_once_apply_each_migration_once(pg_url):
    """PostgreSQL: servers on several PCs may start together; the second finds the work done."""
    from service.store.locator import locate

    database = locate(pg_url)
    with closing(host(database)) as first, closing(host(database)) as second:
        assert migrate(first, "postgresql") == migrate(second, "postgresql") == newest(database)
        assert second.schema_version() == newest(database)
    with closing(psycopg.connect(pg_url)) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1
