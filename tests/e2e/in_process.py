"""The app with its farm, scheduler and actors in the test's event loop, on a clock that is fake for
wall time (due times, recorded times, days and working hours) and real, scaled, for waits inside a
run: `async with in_process(tmp_path, **settings) as farm:`.

Due times are never scaled by --time-scale, so they are tested on an injected clock. A plain
FakeClock would also freeze the waits inside a run (clock.sleep: watch times, polls between screen
dumps) until the test advanced it, while the farm's own delays and uiautomator2's waits run in real
time; so each part of the system reads the time it would read in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx

from service.api.app import create_app
from service.clock import FakeClock
from service.settings import Settings

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


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
async def in_process(tmp_path, sim: int = 1, now: datetime = NOW, **settings: Any) -> AsyncIterator[InProcess]:
    """The app on `tmp_path` with `sim` virtual phones, its clock at `now`."""
    clock = DueTimeClock(now, time_scale=0.01)
    settings = Settings(
        **{
            "data_dir": tmp_path,
            "sync": "normal",
            "sim": sim,
            "time_scale": 0.01,
            "tz": UTC,
            "access_log": False,
            **settings,
        }
    )
    app = create_app(settings, clock=clock)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://e2e/api/v1", timeout=10) as client:
            yield InProcess(app, client, clock)
