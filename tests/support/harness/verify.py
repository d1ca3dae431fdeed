"""After a restart (or a load run): is every acknowledged task still there, and was every
task that was running when the server died recorded as interrupted?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import anyio
import httpx

from tests.support.harness.workload import Ledger

INTERRUPTED_BY_RESTART = "interrupted by a restart"


@dataclass
class Verification:
    """What the API shows of the acknowledged tasks."""

    checked: int = 0
    lost: list[int] = field(default_factory=list)  # acknowledged, but no event stream
    missing_from_views: list[int] = field(default_factory=list)  # acknowledged, never deleted, yet GET is 404
    resurrected: list[int] = field(default_factory=list)  # deleted (acknowledged), yet GET is 200
    double_created: list[int] = field(default_factory=list)  # a stream with more than one `created`
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.missing_from_views or self.resurrected or self.double_created or self.problems)


async def logged_task_ids(base_url: str, headers: dict[str, str] | None = None) -> dict[int, int]:
    """Task id -> how many `created` events the global log (GET /events, every page) holds for it."""
    created: dict[int, int] = {}
    after = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers or {}) as http:
        while True:
            events = (await http.get("/events", params={"after": after, "limit": 1000})).json()["data"]["events"]
            for event in events:
                if event["type"] == "created" and event["task_id"] is not None:
                    created[event["task_id"]] = created.get(event["task_id"], 0) + 1
            if len(events) < 1000:
                return created
            after = events[-1]["position"]


async def verify_acknowledged(
    base_url: str,
    ledger: Ledger,
    headers: dict[str, str] | None = None,
    ids: Iterable[int] | None = None,
    concurrency: int = 16,
) -> Verification:
    """Every acknowledged task in the global log; GET /task/{id}/events and GET /task/{id} for
    `ids` (default: every acknowledged task)."""
    result = Verification()
    logged = await logged_task_ids(base_url, headers)
    result.lost = sorted(set(ledger.acknowledged) - set(logged))
    result.double_created = sorted(task_id for task_id, n in logged.items() if n > 1)
    limiter = anyio.CapacityLimiter(concurrency)

    async def check(http: httpx.AsyncClient, task_id: int) -> None:
        async with limiter:
            events = await http.get(f"/task/{task_id}/events")
            view = await http.get(f"/task/{task_id}")
        result.checked += 1
        if events.status_code != 200:
            if task_id not in result.lost:
                result.lost.append(task_id)
            return
        stream = events.json()["data"]["events"]
        if not stream or (stream[0]["type"], stream[0]["version"]) != ("created", 1):
            result.problems.append(f"task {task_id}: the stream does not start with created v1")
        if sum(1 for e in stream if e["type"] == "created") != 1 and task_id not in result.double_created:
            result.double_created.append(task_id)
        if task_id in ledger.maybe_deleted and task_id not in ledger.deleted:
            return  # a delete without an answer: either is right
        if task_id in ledger.deleted:
            if view.status_code != 404:
                result.resurrected.append(task_id)
        elif view.status_code != 200:
            result.missing_from_views.append(task_id)

    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers or {}) as http:
        async with anyio.create_task_group() as tg:
            for task_id in sorted(ledger.acknowledged if ids is None else ids):
                tg.start_soon(check, http, task_id)
    result.lost.sort()
    result.missing_from_views.sort()
    result.resurrected.sort()
    return result


async def not_recovered(
    base_url: str, running_at_kill: dict[int, int], headers: dict[str, str] | None = None
) -> list[int]:
    """Tasks that were running at the kill (id -> position of their `started`) and whose stream
    has no `failed` "interrupted by a restart" after that start."""
    missing = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers or {}) as http:
        for task_id, started in sorted(running_at_kill.items()):
            stream = (await http.get(f"/task/{task_id}/events")).json()["data"]["events"]
            if not any(
                e["type"] == "failed" and e["position"] > started and e["data"]["reason"] == INTERRUPTED_BY_RESTART
                for e in stream
            ):
                missing.append(task_id)
    return missing


async def running_tasks(base_url: str, headers: dict[str, str] | None = None) -> list[int]:
    """Ids of the tasks the views show as running."""
    ids, page = [], 1
    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers or {}) as http:
        while True:
            data = (await http.get("/task", params={"status": 1, "page": page, "page_size": 100})).json()["data"]
            ids += [t["id"] for t in data["tasks"]]
            if len(data["tasks"]) < 100:
                return ids
            page += 1
