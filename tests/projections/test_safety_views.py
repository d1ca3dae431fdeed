"""The account-safety views: limits, rests, what each account did per quarter hour, why a pending task
waits, paused phones and the counters; each equal to a replay of the log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from projections.actions_view import bucket_of
from projections.views import all_views
from service.domain.admission import Hold
from service.domain.limits import Limits, parse_window
from service.domain.task import CompleteStep, CreateTask, FailTask, StartTask
from service.events import DeviceConnected
from service.handlers.accounts import AccountHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.safety import SafetyHandlers
from service.handlers.tasks import NewTask, TaskHandlers
from service.store import operations
from service.store.locator import StoreLocator

VIEW_TABLES = (*(table for view in all_views() for table in view.tables), "checkpoints")
NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PARIS_DAYTIME = Limits(
    daily={"follow": 2, "like": None}, working_hours=(parse_window("09:00-18:00"),), timezone="Europe/Paris"
)


def views(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in VIEW_TABLES}


async def a_day_of_account_safety(store, record) -> None:
    """Limits from a file and for one account, follows and a like counted, a task held then a rest."""
    tasks, accounts, safety = TaskHandlers(store), AccountHandlers(store), SafetyHandlers(store)
    await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
    await accounts.register("@Alice", "phone-1")
    await safety.set_default_limits(Limits(daily={"follow": 30, "like": 100}, cooldown_hours=(2.0, 12.0)), "file")
    await safety.set_account_limits("alice", PARIS_DAYTIME)
    follow, later = await tasks.create(
        [
            NewTask(
                CreateTask(
                    serial="phone-1", username="alice", script_name="follow", script_config={"target_users": [name]}
                )
            )
            for name in ("bob", "carol")
        ]
    )
    await tasks.execute(follow, StartTask(serial="phone-1", username="alice", seed=1))
    await tasks.execute(
        follow, CompleteStep(index=1, name="follow", duration_ms=10, actions=("follow",), accounts=("alice",))
    )
    await tasks.execute(
        follow,
        CompleteStep(index=2, name="watch-video", duration_ms=10, actions=("like", "follow"), accounts=("alice",)),
    )
    await tasks.hold_many({later: Hold("daily_limit", "alice", "daily follow limit of @alice reached (2/2)", NOON)})
    await safety.fail_warned(
        follow, await tasks.load(follow), FailTask(reason="rate limited by TikTok", step="follow"), ["alice"], NOON
    )
    await DeviceHandlers(store).pause("phone-1")


@pytest.fixture
async def day(open_store, record, db_path):
    async with open_store() as store:
        await a_day_of_account_safety(store, record)
    conn = sqlite3.connect(db_path, isolation_level=None)
    yield conn, views(conn), db_path
    conn.close()


def test_the_views_show_limits_counts_the_rest_the_hold_and_the_pause(day):
    conn, live, _ = day
    assert live["default_limits"] == [
        (1, b'{"daily":{"follow":30,"like":100},"working_hours":null,"timezone":null,"cooldown_hours":[2.0,12.0]}')
    ]
    assert live["account_limits"] == [
        (
            "alice",
            b'{"daily":{"follow":2,"like":null},"working_hours":["09:00-18:00"],'
            b'"timezone":"Europe/Paris","cooldown_hours":null}',
        )
    ]
    nine = bucket_of(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # the store's clock ticks from 09:00
    assert live["account_actions"] == [("alice", "follow", nine, 2), ("alice", "like", nine, 1)]
    assert live["account_restrictions"] == [
        ("alice", "rate limited by TikTok", "2026-11-27T12:00:00+00:00", "2026-11-27T14:00:00+00:00", 1)
    ]
    assert live["safety_counters"] == [("held:daily_limit", 1), ("restrictions", 1)]
    assert conn.execute(
        "SELECT id, status, waiting_kind, waiting_reason, waiting_until FROM tasks ORDER BY id"
    ).fetchall() == [
        (1, 3, None, None, None),
        (2, 0, "daily_limit", "daily follow limit of @alice reached (2/2)", "2026-11-27T12:00:00+00:00"),
    ]
    assert conn.execute("SELECT serial, paused, tasks_failed FROM devices").fetchall() == [("phone-1", 1, 1)]


def test_replay_gives_the_safety_views_the_writer_kept(day):
    conn, live, path = day
    for table in VIEW_TABLES:
        conn.execute(f"DELETE FROM {table}")
    operations.replay(StoreLocator("sqlite", str(path)))
    assert views(conn) == live
