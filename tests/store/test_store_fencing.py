"""Fencing and heartbeats, on every backend: an agent's append for a phone lands only while its
incarnation owns the phone, checked in the append's transaction; heartbeats use the database's
clock and stop renewing once the log says the incarnation is no longer alive."""

from __future__ import annotations

import anyio
import pytest

from service.events import (
    AgentLost,
    AgentStarted,
    DeviceAgentLost,
    DeviceClaimed,
    DeviceConnected,
    DeviceReleased,
    StepCompleted,
    TaskCreated,
    TaskStarted,
)
from service.store import open_store
from service.store.records import Fence, FencedOff, StartHeartbeat, StreamAppend
from tests.support.stores import STORE_KINDS, locator_for

A1 = Fence("P1", "pc1", "a1")


@pytest.fixture(params=STORE_KINDS)
def database(request, tmp_path):
    return locator_for(request.param, request, tmp_path)


async def claimed(store, serial: str = "P1", agent: str = "pc1", incarnation: str = "a1") -> None:
    version = await store.stream_version(f"device-{serial}")
    events = [DeviceConnected(model="Pixel 7")] if version == 0 else []
    await store.append(
        StreamAppend(f"device-{serial}", version, [*events, DeviceClaimed(agent=agent, incarnation=incarnation)])
    )


def started(serial: str = "P1") -> list:
    return [
        TaskCreated(serial=serial, script_name="follow", script_config={}),
        TaskStarted(attempt=1, serial=serial, seed=1),
    ]


def step(index: int) -> StepCompleted:
    return StepCompleted(attempt=1, index=index, name="follow", duration_ms=5)


async def test_the_owning_incarnation_appends_for_its_phone(database):
    async with open_store(database).running() as store:
        await claimed(store)
        recorded = await store.append(StreamAppend("task-1", 0, started()), fence=A1)
        assert [r.type for r in recorded] == ["created", "started"]


@pytest.mark.parametrize("owner", [None, ("pc2", "b1"), ("pc1", "a0")], ids=["nobody", "another-agent", "older-self"])
async def test_an_append_for_a_phone_the_incarnation_does_not_own_is_refused(database, owner):
    async with open_store(database).running() as store:
        if owner is not None:
            await claimed(store, agent=owner[0], incarnation=owner[1])
        with pytest.raises(FencedOff, match="phone P1 no longer belongs to agent pc1 \\(a1\\)"):
            await store.append(StreamAppend("task-1", 0, started()), fence=A1)
        assert await store.read_stream("task-1") == []


async def test_after_the_agent_is_declared_lost_its_late_appends_are_refused(database):
    async with open_store(database).running() as store:
        await claimed(store)
        await store.append(StreamAppend("task-1", 0, started()), fence=A1)
        await store.append(
            StreamAppend("device-P1", 2, [DeviceAgentLost(agent="pc1", incarnation="a1", reason="lost")])
        )
        with pytest.raises(FencedOff):
            await store.append(StreamAppend("task-1", 2, [step(1)]), fence=A1)
        await claimed(store, agent="pc2", incarnation="b1")  # a successor may claim it
        await store.append(StreamAppend("task-1", 2, [step(1)]), fence=Fence("P1", "pc2", "b1"))
        with pytest.raises(FencedOff):
            await store.append(StreamAppend("task-1", 3, [step(2)]), fence=A1)


async def test_a_release_ends_the_fence_too(database):
    async with open_store(database).running() as store:
        await claimed(store)
        await store.append(StreamAppend("device-P1", 2, [DeviceReleased(agent="pc1", incarnation="a1")]), fence=A1)
        with pytest.raises(FencedOff):
            await store.append(StreamAppend("task-1", 0, started()), fence=A1)


async def test_in_one_group_commit_an_append_after_the_loss_is_refused_and_one_before_lands(database):
    async with open_store(database).running() as store:
        await claimed(store)
        await store.append(StreamAppend("task-1", 0, started()), fence=A1)
        outcomes: list[object] = []

        async def late(index: int) -> None:
            try:
                outcomes.append(
                    [r.version for r in await store.append(StreamAppend("task-1", 1 + index, [step(index)]), fence=A1)]
                )
            except FencedOff:
                outcomes.append("fenced")

        async def lose() -> None:
            await store.append(
                StreamAppend("device-P1", 2, [DeviceAgentLost(agent="pc1", incarnation="a1", reason="x")])
            )
            outcomes.append("lost")

        commits = store.stats.commits
        async with anyio.create_task_group() as tg:  # queued in this order before the writer wakes: one batch
            tg.start_soon(late, 1)
            tg.start_soon(lose)
            tg.start_soon(late, 2)
        assert outcomes == [[3], "lost", "fenced"] and store.stats.commits - commits == 1
        assert [r.type for r in await store.read_stream("task-1")] == ["created", "started", "step-completed"]


async def test_a_heartbeat_renews_while_the_log_says_alive_and_stops_once_lost(database):
    async with open_store(database).running() as store:
        await store.append(
            StreamAppend("agent-pc1", 0, [AgentStarted(incarnation="a1", host="pc1", pid=7, lease_s=20)]),
            side_writes=[StartHeartbeat("pc1", "a1")],
        )
        ((incarnation, silent),) = (await store.side.agent_silences()).values()
        assert incarnation == "a1" and 0 <= silent < 5
        assert await store.beat("pc1", "a1") is True
        assert await store.beat("pc1", "a0") is False  # an older incarnation of the name
        await store.append(StreamAppend("agent-pc1", 1, [AgentLost(incarnation="a1", silent_s=21)]))
        assert await store.beat("pc1", "a1") is False
        assert await store.side.agent_silences() == {}
