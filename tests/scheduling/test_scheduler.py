"""The scheduler on the in-memory store and the fake clock: which due task goes to which phone's
agent, what waits and until when, that a past due time on a busy phone never makes it spin, and
that a dispatch goes back to its queue when the phone leaves before the task starts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
import pytest

from service.clock import FakeClock
from service.domain.task import CompleteTask, CreateTask, StartTask
from service.handlers.agents import AgentHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.tasks import NewTask, TaskHandlers
from service.retry_policy import RetryPolicy
from service.scheduling.scheduler import Scheduler
from tests.support.fake_store import MOMENT, FakeEventStore

DEADLINE_S = 30  # generous: only a broken scheduler gets near it


class Farm:
    """The store, the clock, the handlers, and phones owned by live agents."""

    def __init__(self) -> None:
        self.clock = FakeClock(MOMENT)
        self.store = FakeEventStore(now=self.clock.now)
        self.tasks = TaskHandlers(self.store)
        self.agents = AgentHandlers(self.store)
        self.devices = DeviceHandlers(self.store)

    def scheduler(self, device_limit: int = 10) -> Scheduler:
        return Scheduler(
            self.store, self.tasks, self.agents, self.clock, device_limit=device_limit, retry_policy=RetryPolicy()
        )

    async def agent(self, name: str = "a1", incarnation: str = "i1") -> None:
        await self.agents.start(name, incarnation, "host", 1, lease_s=20)

    async def phone(self, serial: str, agent: str = "a1", incarnation: str = "i1") -> None:
        await self.devices.claim(serial, agent, incarnation, "device", "Pixel")

    async def task(self, serial: str, due_in_s: float | None = None) -> int:
        due = None if due_in_s is None else (self.clock.now() + timedelta(seconds=due_in_s)).isoformat()
        [task_id] = await self.tasks.create(
            [NewTask(CreateTask(serial=serial, script_name="follow", script_config={}, start_time=due))]
        )
        return task_id

    async def start(self, task_id: int, serial: str) -> None:
        await self.tasks.execute(task_id, StartTask(serial=serial, seed=1, agent="a1", incarnation="i1"))

    def given(self, task_id: int) -> tuple[str, str] | None:
        """(agent, incarnation) the task is dispatched to now, per the log."""
        owner = None
        for event in self.store.events_of(f"task-{task_id}"):
            kind = type(event).__name__
            if kind == "TaskDispatched":
                owner = (event.agent, event.incarnation)
            elif kind in ("DispatchWithdrawn", "TaskStarted"):
                owner = None
        return owner

    def types(self, task_id: int) -> list[str]:
        return [type(event).__name__ for event in self.store.events_of(f"task-{task_id}")]


@pytest.fixture
async def farm() -> Farm:
    farm = Farm()
    await farm.agent()
    return farm


@asynccontextmanager
async def scheduling(farm: Farm) -> AsyncIterator[Scheduler]:
    """A scheduler running (and leading) for the block."""
    scheduler = farm.scheduler()
    async with anyio.create_task_group() as tg:
        await tg.start(scheduler.run)
        await until(lambda: scheduler.leading)
        yield scheduler
        tg.cancel_scope.cancel()


async def until(condition: Callable[[], bool]) -> None:
    with anyio.fail_after(DEADLINE_S):
        while not condition():
            await anyio.sleep(0.005)


# --- one dispatch --------------------------------------------------------------------------------


async def test_a_due_task_goes_to_the_agent_that_owns_its_idle_phone(farm):
    await farm.phone("P1")
    task_id = await farm.task("P1")
    scheduler = farm.scheduler()
    await scheduler.take_over()
    assert await scheduler.dispatch() is None  # nothing timed to wake up for
    assert farm.given(task_id) == ("a1", "i1")


async def test_a_task_due_later_waits_and_dispatch_says_when_to_look_again(farm):
    await farm.phone("P1")
    task_id = await farm.task("P1", due_in_s=600)
    scheduler = farm.scheduler()
    await scheduler.take_over()
    assert await scheduler.dispatch() == (MOMENT + timedelta(seconds=600)).timestamp()
    assert farm.given(task_id) is None
    farm.clock.advance(600)
    await scheduler.dispatch()
    assert farm.given(task_id) == ("a1", "i1")


async def test_the_device_limit_counts_busy_phones_and_the_order_is_fair_by_serial(farm):
    for serial in ("P2", "P1"):
        await farm.phone(serial)
    first, second = await farm.task("P2"), await farm.task("P1")
    scheduler = farm.scheduler(device_limit=1)
    await scheduler.take_over()
    await scheduler.dispatch()
    assert (farm.given(first), farm.given(second)) == (None, ("a1", "i1"))


async def test_a_paused_phone_a_phone_offline_and_a_phone_of_a_stopped_agent_take_nothing(farm):
    await farm.agent("a2", "j1")
    for serial, agent, incarnation in (("paused", "a1", "i1"), ("offline", "a1", "i1"), ("orphan", "a2", "j1")):
        await farm.phone(serial, agent, incarnation)
    await farm.devices.pause("paused")
    await farm.devices.gone("offline", "unplugged")
    await farm.agents.stop("a2", "j1")
    ids = [await farm.task(serial) for serial in ("paused", "offline", "orphan")]
    scheduler = farm.scheduler()
    await scheduler.take_over()
    assert await scheduler.dispatch() is None
    assert [farm.given(task_id) for task_id in ids] == [None, None, None]


async def test_a_past_due_task_on_a_busy_phone_is_not_a_time_to_wake_up_at(farm):
    # The bug it guards: dispatch returned the past due time, the loop slept until it (no wait at
    # all) and dispatched again, for ever, while the phone stayed busy.
    await farm.phone("P1")
    running = await farm.task("P1")
    scheduler = farm.scheduler()
    await scheduler.take_over()
    await scheduler.dispatch()
    await farm.start(running, "P1")
    waiting = await farm.task("P1", due_in_s=-60)
    await scheduler.take_over()
    assert await scheduler.dispatch() is None
    assert farm.given(waiting) is None


async def test_a_busy_phones_past_due_task_does_not_hide_another_phones_future_one(farm):
    for serial in ("P1", "P2"):
        await farm.phone(serial)
    running = await farm.task("P1")
    scheduler = farm.scheduler()
    await scheduler.take_over()
    await scheduler.dispatch()
    await farm.start(running, "P1")
    await farm.task("P1", due_in_s=-60)
    await farm.devices.pause("P2")
    await farm.task("P2", due_in_s=300)
    await scheduler.take_over()
    assert await scheduler.dispatch() == (MOMENT + timedelta(seconds=300)).timestamp()


async def test_nothing_is_dispatched_once_the_server_stops(farm):
    await farm.phone("P1")
    task_id = await farm.task("P1")
    scheduler = farm.scheduler()
    await scheduler.take_over()
    scheduler.stop_dispatching()
    assert await scheduler.dispatch() is None
    assert farm.given(task_id) is None


# --- the scheduler running -------------------------------------------------------------------


async def test_the_running_scheduler_does_not_spin_on_a_past_due_task_of_a_busy_phone(farm):
    await farm.phone("P1")
    scheduler = farm.scheduler()
    calls = 0
    dispatch = scheduler.dispatch

    async def counted() -> float | None:
        nonlocal calls
        calls += 1
        await anyio.sleep(0)  # a spinning loop would still let the test run, and count
        return await dispatch()

    scheduler.dispatch = counted
    async with anyio.create_task_group() as tg:
        await tg.start(scheduler.run)
        await until(lambda: scheduler.leading)
        running = await farm.task("P1")
        await until(lambda: farm.given(running) is not None)
        await farm.start(running, "P1")
        waiting = await farm.task("P1", due_in_s=-60)
        await until(lambda: waiting in scheduler.queued)
        before = calls
        for _ in range(2000):
            await anyio.sleep(0)
        assert calls - before <= 3  # a wake-up per event, not one per turn of the loop
        assert farm.given(waiting) is None
        await farm.tasks.execute(running, CompleteTask(steps=1, duration_ms=10))
        await until(lambda: farm.given(waiting) == ("a1", "i1"))  # the phone is free: its next task goes
        tg.cancel_scope.cancel()


async def test_a_dispatch_is_withdrawn_when_its_phone_disconnects_and_given_again_when_it_returns(farm):
    await farm.phone("P1")
    async with scheduling(farm):
        task_id = await farm.task("P1")
        await until(lambda: farm.given(task_id) is not None)
        await farm.devices.gone("P1", "unplugged")
        await until(lambda: "DispatchWithdrawn" in farm.types(task_id))
        assert farm.given(task_id) is None
        await farm.devices.observed("P1", "device")
        await until(lambda: farm.given(task_id) == ("a1", "i1"))
        assert farm.types(task_id) == ["TaskCreated", "TaskDispatched", "DispatchWithdrawn", "TaskDispatched"]


async def test_a_dispatch_is_withdrawn_when_the_agent_lets_the_phone_go(farm):
    await farm.phone("P1")
    async with scheduling(farm) as scheduler:
        task_id = await farm.task("P1")
        await until(lambda: farm.given(task_id) is not None)
        await farm.devices.release("P1", "a1", "i1", "adb lost it")
        await until(lambda: "DispatchWithdrawn" in farm.types(task_id))
        assert farm.given(task_id) is None and task_id in scheduler.queued  # back in its queue, no owner to take it
