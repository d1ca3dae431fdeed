"""End to end: what the scheduler decides — at most device_limit phones at once (a real `serve --sim`
process, read back from the event timeline), and due times (start_time, intervals, order) on a fake
clock, in-process with the farm.

Due times are never scaled by --time-scale (docs/architecture.md, invariant 7), so they are tested on an
injected clock. A plain FakeClock would also freeze the waits inside a run (clock.sleep: watch times,
polls between screen dumps) until the test advanced it, while the farm's own delays and uiautomator2's
waits run in real time; so the clock here is fake for `now` and due times, and real (scaled) for waits
inside a run — each part of the system reads the time it would read in production.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator

import anyio
import httpx
from sim_server import SimServer

from service.api.app import create_app
from service.clock import FakeClock
from service.settings import Settings

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)


# --- device_limit, through a real process ----------------------------------------------------------

def test_no_more_phones_run_at_once_than_the_device_limit(start_server):
    server: SimServer = start_server("--device-limit", "2", sim=4)
    position = server.log()[-1]["position"]
    ids = server.create(server.serials, "follow", {"target_users": ["lim.a", "lim.b", "lim.c"]})
    tasks = server.wait_done(ids)
    assert all(t["status_text"] == "completed" for t in tasks.values()), {i: t["error"] for i, t in tasks.items()}

    timeline = [e for e in server.log(position) if e["type"] in ("started", "completed", "failed")]
    assert [e["recorded_at"] for e in timeline] == sorted(e["recorded_at"] for e in timeline)
    running: dict[str, int] = {}
    most = 0
    for event in timeline:  # commit order: a phone's end is recorded before the next phone starts
        serial = tasks[event["task_id"]]["serial"]
        if event["type"] == "started":
            assert serial not in running, f"{serial} ran two tasks at once"
            running[serial] = event["task_id"]
            most = max(most, len(running))
        else:
            assert running.pop(serial) == event["task_id"]
    assert most == 2
    assert sorted(server.device(s)["tasks_completed"] for s in server.serials) == [3, 3, 3, 3]


# --- due times, in-process on a fake clock ---------------------------------------------------------

class DueTimeClock(FakeClock):
    """Fake wall time (due times, recorded times); real, scaled waits inside a run."""

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds * self.time_scale))


class InProcess:
    """The app with its farm, scheduler and actors in this event loop; httpx through ASGITransport."""

    def __init__(self, app, client: httpx.AsyncClient, clock: DueTimeClock) -> None:
        self.app, self.client, self.clock = app, client, clock
        self.serials: list[str] = app.state.runtime.farm.serials

    async def ok(self, request) -> Any:
        response = await request
        body = response.json()
        assert (response.status_code, body["code"]) == (200, 0), body
        return body["data"]

    async def create(self, serial: str, script: str, config: dict, **fields: Any) -> list[int]:
        body = {"serials": [serial], "script_name": script, "script_config": config, **fields}
        return (await self.ok(self.client.post("/task", json=body)))["task_ids"]

    async def task(self, task_id: int) -> dict:
        return await self.ok(self.client.get(f"/task/{task_id}"))

    async def events(self, task_id: int) -> list[dict]:
        return (await self.ok(self.client.get(f"/task/{task_id}/events")))["events"]

    async def started_at(self, task_id: int) -> datetime:
        started = [e for e in await self.events(task_id) if e["type"] == "started"]
        return datetime.fromisoformat(started[0]["recorded_at"])

    async def wait_status(self, task_id: int, *statuses: str, timeout_s: float = 20) -> dict:
        with anyio.fail_after(timeout_s):
            while (task := await self.task(task_id))["status_text"] not in statuses:
                await anyio.sleep(0.02)
        return task

    async def still_pending(self, *task_ids: int, for_s: float = 0.3) -> None:
        """Nothing starts them for a while (the scheduler has had every chance to)."""
        await anyio.sleep(for_s)
        assert [(await self.task(i))["status_text"] for i in task_ids] == ["pending"] * len(task_ids)

    async def advance_to(self, moment: datetime) -> None:
        self.clock.advance((moment - self.clock.now()).total_seconds())


@asynccontextmanager
async def in_process(tmp_path, sim: int = 1) -> AsyncIterator[InProcess]:
    clock = DueTimeClock(NOW, time_scale=0.01)
    settings = Settings(data_dir=tmp_path, sync="normal", sim=sim, time_scale=0.01, tz=timezone.utc, access_log=False)
    app = create_app(settings, clock=clock)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://e2e/api/v1", timeout=10) as client:
            yield InProcess(app, client, clock)


async def test_a_task_with_a_start_time_waits_until_the_clock_passes_it(tmp_path):
    async with in_process(tmp_path) as farm:
        phone = farm.serials[0]
        [later] = await farm.create(phone, "follow", {"target_users": ["at.nine"]}, start_time="09:00")
        assert (await farm.task(later))["start_time"] == "2026-03-10T09:00:00+00:00"
        [now] = await farm.create(phone, "follow", {"target_users": ["right.away"]})
        assert (await farm.wait_status(now, "completed", "failed"))["status_text"] == "completed"
        await farm.still_pending(later)

        farm.clock.advance(59 * 60)
        await farm.still_pending(later)
        farm.clock.advance(61)
        assert (await farm.wait_status(later, "completed", "failed"))["status_text"] == "completed"
        assert await farm.started_at(later) == NOW + timedelta(minutes=60, seconds=1)


async def test_intervals_space_the_tasks_of_one_request_on_one_phone(tmp_path):
    async with in_process(tmp_path) as farm:
        phone = farm.serials[0]
        ids = await farm.create(phone, "follow", {"target_users": ["iv.1", "iv.2", "iv.3"]},
                                min_interval=5, max_interval=15)
        due = [(await farm.task(i))["start_time"] for i in ids]
        assert due[0] is None
        due_at = [NOW] + [datetime.fromisoformat(d) for d in due[1:]]
        gaps = [(b - a).total_seconds() / 60 for a, b in zip(due_at, due_at[1:])]
        assert all(g == int(g) and 5 <= g <= 15 for g in gaps), gaps

        await farm.wait_status(ids[0], "completed")
        for task_id, moment in zip(ids[1:], due_at[1:]):
            await farm.advance_to(moment - timedelta(seconds=1))
            await farm.still_pending(task_id)
            await farm.advance_to(moment)
            assert (await farm.wait_status(task_id, "completed", "failed"))["status_text"] == "completed"
            assert await farm.started_at(task_id) == moment


async def test_due_tasks_run_null_due_first_then_by_due_time_then_by_id(tmp_path):
    async with in_process(tmp_path) as farm:
        phone = farm.serials[0]
        [blocker] = await farm.create(phone, "account_warmup", {"task_duration": 86400, "min_duration": 15,
                                                                "max_duration": 15})
        await farm.wait_status(blocker, "running")
        [ten] = await farm.create(phone, "follow", {"target_users": ["at.ten"]}, start_time="10:00")
        half_past = await farm.create(phone, "follow", {"target_users": ["half.a", "half.b"]}, start_time="09:30")
        [null] = await farm.create(phone, "follow", {"target_users": ["whenever"]})
        await farm.advance_to(NOW + timedelta(hours=3))  # every one of them is due now
        await farm.ok(farm.client.post(f"/task/{blocker}/stop"))
        order = [ten, *half_past, null]
        for task_id in order:
            assert (await farm.wait_status(task_id, "completed", "failed"))["status_text"] == "completed"
        started = {task_id: (await farm.events(task_id))[1]["position"] for task_id in order}
        assert sorted(order, key=started.get) == [null, *half_past, ten]
