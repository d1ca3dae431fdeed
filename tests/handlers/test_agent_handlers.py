"""Agent commands against the in-memory store: an incarnation's end lets its phones go, fails what
ran there and sends what was only dispatched back to its queue, all in one append."""

from __future__ import annotations

import pytest

from service.domain.agent import INTERRUPTED_BY_RESTART, AgentNotAlive
from service.domain.task import CompleteStep, CreateTask, StartTask, TaskStatus
from service.handlers.agents import AgentHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.tasks import NewTask, TaskHandlers
from tests.support.fake_store import FakeEventStore


@pytest.fixture
def agents(store) -> AgentHandlers:
    return AgentHandlers(store)


async def phone_with_tasks(store: FakeEventStore, serial: str, script: str = "follow") -> tuple[int, int]:
    """A phone of a1/i1 running one task, with another dispatched to it: (running, dispatched)."""
    tasks = TaskHandlers(store)
    await DeviceHandlers(store).claim(serial, "a1", "i1", "device", "Pixel")
    running, dispatched = await tasks.create(
        [NewTask(CreateTask(serial=serial, script_name=script, script_config={})) for _ in range(2)]
    )
    await tasks.dispatch(running, "a1", "i1")
    await tasks.execute(running, StartTask(serial=serial, seed=1, agent="a1", incarnation="i1"))
    await tasks.dispatch(dispatched, "a1", "i1")
    return running, dispatched


def types(store: FakeEventStore, stream_id: str) -> list[str]:
    return [type(event).__name__ for event in store.events_of(stream_id)]


async def test_starting_records_the_incarnation_and_its_first_heartbeat(store, agents):
    assert await agents.start("a1", "i1", "host", 10, lease_s=20) == []
    assert types(store, "agent-a1") == ["AgentStarted"]
    assert store.heartbeats["a1"][0] == "i1"
    assert (await agents.load("a1")).alive


async def test_a_successor_ends_a_predecessor_the_log_still_has_alive(store, agents):
    await agents.start("a1", "i1", "host", 10, lease_s=20)
    running, dispatched = await phone_with_tasks(store, "P1")
    appended = len(store.appends)
    assert await agents.start("a1", "i2", "host", 11, lease_s=20) == [running]
    assert len(store.appends) == appended + 1  # one append
    assert types(store, "agent-a1")[-2:] == ["AgentStopped", "AgentStarted"]
    assert types(store, "device-P1")[-1] == "DeviceReleased"
    assert store.events_of(f"task-{running}")[-1].reason == INTERRUPTED_BY_RESTART
    assert types(store, f"task-{dispatched}")[-1] == "DispatchWithdrawn"


async def test_stopping_releases_the_phones_and_only_the_live_incarnation_may(store, agents):
    await agents.start("a1", "i1", "host", 10, lease_s=20)
    await DeviceHandlers(store).claim("P1", "a1", "i1", "device", "Pixel")
    with pytest.raises(AgentNotAlive):
        await agents.stop("a1", "i0")
    await agents.stop("a1", "i1")
    assert types(store, "device-P1")[-1] == "DeviceReleased"
    assert (await store.views.device("P1")).agent is None


async def test_a_lost_agent_fails_its_running_tasks_and_withdraws_the_dispatched_ones(store, agents):
    await agents.start("a1", "i1", "host", 10, lease_s=20)
    running, dispatched = await phone_with_tasks(store, "P1")
    assert await agents.declare_lost("a1", "i1", 31.4) == [running]
    assert types(store, "device-P1")[-1] == "DeviceAgentLost"
    assert store.events_of(f"task-{running}")[-1].reason == "agent a1 lost (no heartbeat for 31 s)"
    assert (await store.views.task(running)).status == TaskStatus.FAILED
    assert (await store.views.task(dispatched)).status == TaskStatus.PENDING
    assert types(store, f"task-{dispatched}")[-1] == "DispatchWithdrawn"
    appended = len(store.appends)
    assert await agents.declare_lost("a1", "i1", 60) == []  # already lost: nothing more
    assert len(store.appends) == appended


async def test_a_post_lost_while_publishing_says_its_outcome_is_unknown(store, agents):
    await agents.start("a1", "i1", "host", 10, lease_s=20)
    running, _ = await phone_with_tasks(store, "P1", script="post")
    await TaskHandlers(store).execute(running, CompleteStep(index=1, name="publish", detail="", duration_ms=5))
    await agents.declare_lost("a1", "i1", 25)
    assert store.events_of(f"task-{running}")[-1].reason.endswith("its outcome on the phone is unknown")
