"""Migrations: a fresh file is created at the newest schema, re-opening changes nothing, newer is refused."""

from __future__ import annotations

import sqlite3

import pytest

from service.events import TaskCreated
from service.store import migrations
from service.store.migrations import SchemaTooNew, available_migrations, migrate
from service.store.records import StreamAppend
from service.store.sqlite_store import SQLiteEventStore

NEWEST = len(available_migrations())

# The tables of the first three migrations; later migrations may add more.
TABLES = {"accounts", "checkpoints", "devices", "events", "idempotency_keys", "secrets", "task_counts",
          "task_sequence", "tasks"}


def schema(path) -> tuple[int, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        conn.close()
    return version, objects


def test_the_shipped_migrations_are_numbered_one_to_n():
    shipped = [(number, name) for number, name, _ in available_migrations()]
    assert [number for number, _ in shipped] == list(range(1, NEWEST + 1))
    assert all(name.startswith(f"{number:04d}_") for number, name in shipped)
    assert shipped[:3] == [(1, "0001_event_log.sql"), (2, "0002_views.sql"), (3, "0003_side_tables.sql")]


async def test_a_fresh_file_is_created_at_the_newest_version(tmp_path):
    path = tmp_path / "data" / "droidledger.db"
    async with SQLiteEventStore(path).running():
        pass
    version, objects = schema(path)
    assert version == NEWEST
    assert TABLES <= {name for kind, name, _ in objects if kind == "table"}
    assert sorted(name for kind, name, _ in objects if kind == "trigger") == [
        "events_are_append_only_delete", "events_are_append_only_update"]


async def test_reopening_a_current_database_changes_nothing(tmp_path):
    path = tmp_path / "droidledger.db"
    created = TaskCreated(serial="phone-1", script_name="post", script_config={})
    async with SQLiteEventStore(path).running() as store:
        await store.append(StreamAppend("task-1", 0, [created]))
    before = schema(path)
    async with SQLiteEventStore(path).running() as store:
        assert store.position == 1
        assert [r.event for r in await store.read_stream("task-1")] == [created]
    assert schema(path) == before


async def test_an_older_database_is_brought_to_the_newest_version(tmp_path):
    path = tmp_path / "droidledger.db"
    conn = sqlite3.connect(path, isolation_level=None)
    _, _, first = available_migrations()[0]
    conn.executescript(f"BEGIN; {first}; PRAGMA user_version = 1; COMMIT;")
    conn.execute("INSERT INTO events VALUES (1, 'task-1', 1, 'created', ?, '2026-01-01T00:00:00+00:00')",
                 (b'{"type":"created","serial":"s","script_name":"post","script_config":{}}',))
    conn.close()
    async with SQLiteEventStore(path).running() as store:
        assert store.position == 1
    version, objects = schema(path)
    assert version == NEWEST
    assert TABLES <= {name for kind, name, _ in objects if kind == "table"}


async def test_a_database_newer_than_the_code_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "droidledger.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {NEWEST + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew) as refused:
        async with SQLiteEventStore(path).running():
            pass
    assert str(refused.value) == (
        f"the database is at schema version {NEWEST + 1}, but this droidledger knows only up to version "
        f"{NEWEST}: upgrade droidledger, or use a copy of the database from before the upgrade")
    assert schema(path) == (NEWEST + 1, [])


def test_a_failing_migration_leaves_the_database_at_the_version_before(tmp_path, monkeypatch):
    shipped = available_migrations()
    broken = (NEWEST + 1, f"{NEWEST + 1:04d}_broken.sql", "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);")
    monkeypatch.setattr(migrations, "available_migrations", lambda: [*shipped, broken])
    conn = sqlite3.connect(tmp_path / "droidledger.db", isolation_level=None)
    try:
        with pytest.raises(RuntimeError, match=f"migration {NEWEST + 1:04d}_broken.sql failed: no such table: no_such_table"):
            migrate(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == NEWEST
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []
    finally:
        conn.close()
