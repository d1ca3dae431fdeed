"""Account-safety commands against the in-memory store: limits, defaults, a warned run (one atomic append
for the task and its accounts), lifting a rest, holding many tasks, pausing a phone; and an account's
standing read back from the views."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from service.domain.account import AccountNotFound
from service.domain.admission import Hold
from service.domain.device import DeviceNotFound
from service.domain.limits import Limits
from service.domain.task import CompleteStep, CreateTask, FailTask, StartTask
from service.events import (
    AccountRestricted,
    DeviceConnected,
    DevicePaused,
    RestrictionCleared,
    TaskFailed,
    TaskHeld,
    TaskReleased,
)
from service.handlers.accounts import AccountHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.safety import SafetyHandlers
from service.handlers.tasks import NewTask, TaskHandlers
from service.standings import read_standings
from service.store.records import StreamAppend
from tests.support.fake_store import MOMENT, FakeEventStore

UTC = UTC


async def running_follow(store: FakeEventStore, *usernames: str) -> int:
    tasks, accounts = TaskHandlers(store), AccountHandlers(store)
    for name in usernames:
        await accounts.register(name, "P1")
    [task_id] = await tasks.create([NewTask(CreateTask(serial="P1", script_name="follow", script_config={}))])
    await tasks.execute(task_id, StartTask(serial="P1", seed=1))
    return task_id


async def test_a_warned_run_fails_its_task_and_rests_each_account_in_one_append(store):
    task_id = await running_follow(store, "alice", "bob")
    safety = SafetyHandlers(store)
    await safety.set_default_limits(Limits(cooldown_hours=(3.0,)), "api")
    state = await safety.fail_warned(
        task_id,
        await safety.tasks.load(task_id),
        FailTask(reason="action blocked", step="follow"),
        ["alice", "bob"],
        MOMENT,
    )
    assert state.status == 3
    assert [s.stream_id for s in store.appends[-1]] == [f"task-{task_id}", "account-alice", "account-bob"]
    assert store.events_of(f"task-{task_id}")[-1] == TaskFailed(attempt=1, step="follow", reason="action blocked")
    assert store.events_of("account-bob")[-1] == AccountRestricted(
        reason="action blocked",
        at="2026-12-01T09:00:00+00:00",
        until="2026-12-01T12:00:00+00:00",
        strike=1,
        task_id=task_id,
    )


async def test_a_rest_is_cleared_once_and_an_unknown_account_is_not_found(store):
    task_id = await running_follow(store, "alice")
    safety = SafetyHandlers(store)
    await safety.fail_warned(
        task_id, await safety.tasks.load(task_id), FailTask(reason="rate limited"), ["alice"], MOMENT
    )
    await safety.clear_restriction("alice", MOMENT)
    await safety.clear_restriction("alice", MOMENT)
    assert store.events_of("account-alice")[-1] == RestrictionCleared()
    assert len(store.events_of("account-alice")) == 3
    with pytest.raises(AccountNotFound):
        await safety.clear_restriction("nobody", MOMENT)
    with pytest.raises(AccountNotFound):
        await safety.set_account_limits("nobody", Limits(daily={"follow": 1}))


async def test_holding_many_tasks_records_only_what_changed_and_skips_those_that_started(store):
    tasks = TaskHandlers(store)
    ids = await tasks.create(
        [NewTask(CreateTask(serial="P1", script_name="follow", script_config={})) for _ in range(3)]
    )
    await tasks.execute(ids[2], StartTask(serial="P1", seed=1))
    hold = Hold("daily_limit", "alice", "limit", MOMENT + timedelta(hours=1))
    assert await tasks.hold_many(dict.fromkeys(ids, hold)) == ids[:2]
    assert await tasks.hold_many({ids[0]: hold, ids[1]: None}) == [ids[1]]
    assert [type(e) for e in store.events_of(f"task-{ids[1]}")][1:] == [TaskHeld, TaskReleased]


async def test_a_phone_never_listed_cannot_be_paused(store):
    devices = DeviceHandlers(store)
    with pytest.raises(DeviceNotFound):
        await devices.pause("P1")
    await store.append(StreamAppend("device-P1", 0, [DeviceConnected(model="Pixel 7")]))
    assert await devices.pause("P1") == [DevicePaused()]
    assert (await store.views.device("P1")).paused == 1


async def test_a_standing_counts_the_accounts_day_in_its_zone_and_hides_an_ended_rest(store):
    task_id = await running_follow(store, "alice")
    safety = SafetyHandlers(store)
    await safety.set_account_limits("alice", Limits(daily={"follow": 5}, timezone="Asia/Tokyo"))
    await TaskHandlers(store).execute(
        task_id, CompleteStep(index=1, name="follow", duration_ms=1, actions=("follow",), accounts=("alice",))
    )
    await safety.fail_warned(
        task_id, await safety.tasks.load(task_id), FailTask(reason="rate limited"), ["alice"], MOMENT
    )
    now = MOMENT + timedelta(minutes=30)  # 18:30 in Tokyo, the same day
    alice = (await read_standings(store, [("alice", "alice")], now, UTC))["alice"]
    assert (alice.today, alice.limits.daily, alice.restriction.reason) == ({"follow": 1}, {"follow": 5}, "rate limited")
    tomorrow = (await read_standings(store, [("alice", "alice")], MOMENT + timedelta(hours=6), UTC))["alice"]
    assert (tomorrow.today, tomorrow.restriction) == ({}, None)  # 00:00 in Tokyo; the hour's rest is over
