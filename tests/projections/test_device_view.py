"""The device view: adb's state of each phone, what it runs now, and what it has run."""

from __future__ import annotations

from projections.device_view import COLUMNS
from service.events import (
    DeviceAgentLost,
    DeviceClaimed,
    DeviceConnected,
    DeviceDisconnected,
    DeviceReleased,
    DeviceStateChanged,
    StopRequested,
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskFailed,
    TaskRetried,
    TaskStarted,
)


def created(serial: str = "phone-1") -> TaskCreated:
    return TaskCreated(serial=serial, script_name="post", script_config={})


def started(serial: str = "phone-1", attempt: int = 1) -> TaskStarted:
    return TaskStarted(attempt=attempt, serial=serial, seed=1)


COMPLETED = TaskCompleted(attempt=1, steps=2, duration_ms=10)
FAILED = TaskFailed(attempt=1, reason="app crashed")


async def devices(store) -> list[dict]:
    rows = await store.fetchall(f"SELECT {', '.join(COLUMNS)} FROM devices ORDER BY serial")
    return [dict(zip(COLUMNS, row, strict=False)) for row in rows]


def device(
    serial="phone-1",
    model="Pixel 7",
    state="device",
    online=1,
    busy=0,
    current_task_id=None,
    current_deleted=0,
    tasks_completed=0,
    tasks_failed=0,
    paused=0,
    agent=None,
    incarnation=None,
    agent_lost=0,
) -> dict:
    return {
        "serial": serial,
        "model": model,
        "state": state,
        "online": online,
        "busy": busy,
        "current_task_id": current_task_id,
        "current_deleted": current_deleted,
        "tasks_completed": tasks_completed,
        "tasks_failed": tasks_failed,
        "paused": paused,
        "agent": agent,
        "incarnation": incarnation,
        "agent_lost": agent_lost,
    }


async def test_a_connected_phone_is_online_and_idle(open_store, record):
    async with open_store() as store:
        await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
        assert await devices(store) == [device()]


async def test_a_phone_that_goes_offline_or_away_is_not_online_and_keeps_its_model(open_store, record):
    async with open_store() as store:
        await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
        await record(store, "device-phone-1", DeviceStateChanged(state="offline"))
        assert await devices(store) == [device(state="offline", online=0)]
        await record(store, "device-phone-1", DeviceDisconnected(reason="usb"))
        assert await devices(store) == [device(state="disconnected", online=0)]
        await record(store, "device-phone-1", DeviceConnected(state="unauthorized"))
        assert await devices(store) == [device(state="unauthorized", online=0)]
        await record(store, "device-phone-1", DeviceStateChanged(state="device"))
        assert await devices(store) == [device()]


async def test_a_phone_running_a_task_is_busy_with_it(open_store, record):
    async with open_store() as store:
        await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
        await record(store, "task-1", created(), started())
        assert await devices(store) == [device(busy=1, current_task_id=1)]


async def test_a_completed_task_frees_its_phone_and_counts_as_completed(open_store, record):
    async with open_store() as store:
        await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
        await record(store, "task-1", created(), started())
        await record(store, "task-1", COMPLETED)
        assert await devices(store) == [device(tasks_completed=1)]


async def test_a_failed_task_frees_its_phone_and_counts_as_failed(open_store, record):
    async with open_store() as store:
        await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
        await record(store, "task-1", created(), started())
        await record(store, "task-1", FAILED)
        await record(store, "task-1", TaskRetried(attempt=2), started(attempt=2))
        assert await devices(store) == [device(busy=1, current_task_id=1, tasks_failed=1)]
        await record(store, "task-1", TaskCompleted(attempt=2, steps=2, duration_ms=10))
        assert await devices(store) == [device(tasks_completed=1, tasks_failed=1)]


async def test_a_retried_task_runs_on_the_phone_that_starts_it(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", created("phone-1"), started("phone-1"), FAILED, TaskRetried(attempt=2))
        await record(store, "task-1", started("phone-2", attempt=2))
        assert await devices(store) == [
            device(model="", state="unknown", online=0, tasks_failed=1),
            device(serial="phone-2", model="", state="unknown", online=0, busy=1, current_task_id=1),
        ]


async def test_stopping_a_pending_task_involves_no_phone(open_store, record):
    async with open_store() as store:
        await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
        await record(store, "task-1", created())
        await record(store, "task-1", StopRequested(), TaskFailed(attempt=1, reason="stopped"))
        assert await devices(store) == [device()]


async def test_a_phone_adb_never_reported_still_shows_what_it_runs(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", created(), started())
        assert await devices(store) == [device(model="", state="unknown", online=0, busy=1, current_task_id=1)]


async def test_a_deleted_running_task_keeps_its_phone_busy_until_its_script_halts(open_store, record):
    async with open_store() as store:
        await record(store, "device-phone-1", DeviceConnected(model="Pixel 7"))
        await record(store, "task-1", created(), started())
        await record(store, "task-1", StopRequested(), TaskDeleted())
        assert await devices(store) == [device(busy=1, current_task_id=1, current_deleted=1)]
        await record(store, "task-1", TaskFailed(attempt=1, reason="stopped"))
        assert await devices(store) == [device()]  # free again, and the failure is not counted


async def test_deleting_a_task_that_is_not_running_leaves_the_phone_alone(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", created(), started(), COMPLETED)
        await record(store, "task-2", created())
        await record(store, "task-1", TaskDeleted())
        await record(store, "task-2", TaskDeleted())
        assert await devices(store) == [device(model="", state="unknown", online=0, tasks_completed=1)]


async def test_tasks_on_several_phones_in_one_commit_are_counted_per_phone(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", created("phone-1"), started("phone-1"), COMPLETED)
        await record(store, "task-2", created("phone-2"), started("phone-2"), FAILED)
        await record(store, "task-3", created("phone-1"), started("phone-1"))
        assert await devices(store) == [
            device(model="", state="unknown", online=0, busy=1, current_task_id=3, tasks_completed=1),
            device(serial="phone-2", model="", state="unknown", online=0, tasks_failed=1),
        ]


async def test_a_phone_shows_the_agent_that_claimed_it_until_released(open_store, record):
    async with open_store() as store:
        await record(
            store, "device-phone-1", DeviceConnected(model="Pixel 7"), DeviceClaimed(agent="pc1", incarnation="a1")
        )
        assert await devices(store) == [device(agent="pc1", incarnation="a1")]
        await record(store, "device-phone-1", DeviceReleased(agent="pc1", incarnation="a1", reason="unplugged"))
        assert await devices(store) == [device()]


async def test_a_phone_whose_agent_was_lost_shows_that_agent_lost(open_store, record):
    async with open_store() as store:
        await record(
            store,
            "device-phone-1",
            DeviceConnected(model="Pixel 7"),
            DeviceClaimed(agent="pc1", incarnation="a1"),
            DeviceAgentLost(agent="pc1", incarnation="a1", reason="agent pc1 lost (no heartbeat for 21 s)"),
        )
        assert await devices(store) == [device(agent="pc1", incarnation="a1", agent_lost=1)]
        await record(store, "device-phone-1", DeviceClaimed(agent="pc2", incarnation="b7"))
        assert await devices(store) == [device(agent="pc2", incarnation="b7")]
