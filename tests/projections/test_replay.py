"""Replay: folding the whole log gives exactly the views the writer kept live."""

from __future__ import annotations

import sqlite3

import pytest

from projections.views import all_views
from service.domain.task import CompleteStep, CompleteTask, CreateTask, FailTask, StartTask
from service.events import DeviceConnected, DeviceStateChanged
from service.handlers.accounts import AccountHandlers
from service.handlers.tasks import NewTask, TaskHandlers
from service.store import operations
from service.store.locator import StoreLocator
from service.store.sqlite import maintenance

VIEW_TABLES = (*(table for view in all_views() for table in view.tables), "checkpoints")


def replay_file(path, progress=None) -> int:
    """`droidledger replay` on a SQLite file."""
    return operations.replay(StoreLocator("sqlite", str(path)), progress=progress)


def views(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every view table's rows, in a stable order."""
    return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in VIEW_TABLES}


async def run_a_day_of_work(store, record) -> None:
    """Tasks in every state on three phones, deletions, retries, accounts and device events."""
    tasks, accounts = TaskHandlers(store), AccountHandlers(store)
    await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
    await record(store, "device-phone-2", DeviceConnected(model="Galaxy S23"))
    ids = await tasks.create(
        [
            NewTask(
                CreateTask(serial=f"phone-{n % 3}", script_name=script, script_config={"n": n}),
                secrets={"api_key": f"sk-{n}"} if n in (2, 6) else {},
            )
            for n, script in enumerate(["post", "follow", "comment", "post", "like", "post", "follow"])
        ]
    )
    assert ids == [1, 2, 3, 4, 5, 6, 7]
    for task_id in (1, 2, 3):
        await tasks.execute(task_id, StartTask(serial=f"phone-{task_id % 3}", seed=task_id, steps=2))
    await tasks.execute(1, CompleteStep(index=1, name="open-app", duration_ms=10))
    await tasks.execute(1, CompleteTask(steps=2, duration_ms=20))
    await tasks.execute(4, StartTask(serial="phone-1", seed=4))
    await tasks.execute(2, FailTask(reason="app crashed", step="upload", artifacts=("ui.xml",)))
    await tasks.stop(3)
    await tasks.stop(5)
    await tasks.delete(4)
    await tasks.execute(4, FailTask(reason="stopped"))
    await tasks.retry_failed()
    await tasks.execute(2, StartTask(serial="phone-1", seed=9))
    await tasks.delete_many([6, 7, 99])
    await record(store, "device-phone-2", DeviceStateChanged(state="offline"))
    await accounts.register("@Alice", "phone-1")
    await accounts.register("bob", "phone-2")
    await accounts.register("alice", "phone-2")
    await accounts.remove("bob")


@pytest.fixture
async def day_of_work(open_store, record, db_path):
    """The database after a day of work, and its views as the writer left them."""
    async with open_store() as store:
        await run_a_day_of_work(store, record)
        events = store.position
    conn = sqlite3.connect(db_path, isolation_level=None)
    yield conn, views(conn), events
    conn.close()


def test_the_day_of_work_left_rows_in_every_view(day_of_work):
    conn, live, events = day_of_work
    assert conn.execute(
        "SELECT id, serial, script_name, status, retry_count, stop_requested FROM tasks ORDER BY id"
    ).fetchall() == [
        (1, "phone-1", "post", 2, 0, 0),
        (2, "phone-1", "follow", 1, 1, 0),
        (3, "phone-0", "comment", 1, 0, 1),
        (5, "phone-1", "like", 0, 1, 0),
    ]
    assert live["task_counts"] == [
        ("phone-0", "comment", "api", 1, 1),
        ("phone-1", "follow", "api", 1, 1),
        ("phone-1", "like", "api", 0, 1),
        ("phone-1", "post", "api", 2, 1),
    ]
    assert live["task_sequence"] == [(1, 7)]
    assert live["devices"] == [
        ("phone-0", "", "unknown", 0, 1, 3, 0, 0, 0, 0, None, None, 0),
        ("phone-1", "Pixel 7", "device", 1, 1, 2, 0, 1, 0, 0, None, None, 0),
        ("phone-2", "Galaxy S23", "offline", 0, 0, None, 0, 0, 1, 0, None, None, 0),
    ]
    assert live["accounts"] == [("alice", "alice", "phone-2", "com.zhiliaoapp.musically")]
    assert live["checkpoints"] == [("views", events)]
    assert conn.execute("SELECT COUNT(*), MAX(position) FROM events").fetchone() == (events, events)


def test_replay_gives_the_views_the_writer_kept(day_of_work, db_path):
    conn, live, events = day_of_work
    assert replay_file(db_path) == events
    assert views(conn) == live


def test_replay_rebuilds_views_emptied_by_hand(day_of_work, db_path):
    conn, live, events = day_of_work
    for table in VIEW_TABLES:
        conn.execute(f"DELETE FROM {table}")
    assert all(rows == [] for rows in views(conn).values())
    assert replay_file(db_path) == events
    assert views(conn) == live


def test_replay_reports_its_progress(day_of_work, monkeypatch, db_path):
    conn, live, events = day_of_work
    monkeypatch.setattr(maintenance, "CHUNK", 10)
    progress = []
    replay_file(db_path, progress=lambda done, total: progress.append((done, total)))
    assert progress == [(done, events) for done in [*range(10, events, 10), events]]
    assert views(conn) == live


def test_replay_leaves_the_log_and_the_side_tables_alone(day_of_work, db_path):
    conn, live, events = day_of_work
    log = conn.execute("SELECT * FROM events ORDER BY position").fetchall()
    secrets = conn.execute("SELECT * FROM secrets").fetchall()
    replay_file(db_path)
    assert conn.execute("SELECT * FROM events ORDER BY position").fetchall() == log
    assert conn.execute("SELECT * FROM secrets").fetchall() == secrets == [(3, "api_key", "sk-2")]


async def test_replay_of_an_empty_log_leaves_empty_views(open_store, db_path):
    async with open_store():
        pass
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        progress = []
        assert replay_file(db_path, progress=lambda done, total: progress.append((done, total))) == 0
        assert progress == []
        assert all(rows == [] for rows in views(conn).values())
    finally:
        conn.close()
