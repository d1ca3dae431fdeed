"""The create use case (POST /task), apart from HTTP: a checked request becomes its tasks.

The account registry says which phone each username lives on (and which accounts each phone
holds, for multi-account requests), the fan-out makes one task per line and target with its
due time, and the tasks are created in one append. The route parses the body and answers.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from service.clock import iso
from service.domain.apps import app_of_package
from service.domain.task import CreateTask
from service.handlers.tasks import NewTask, TaskHandlers
from service.requests.create_task import CreateTaskRequest
from service.requests.fan_out import TaskSpec, fan_out
from service.store.records import SideWrite


@dataclass(frozen=True, slots=True)
class Created:
    """The ids of the tasks one request created (ascending, in request order) and the phones
    named by them that are not online now (each once, in order of appearance)."""

    task_ids: list[int]
    offline_serials: list[str]


async def create_tasks(
    tasks: TaskHandlers,
    request: CreateTaskRequest,
    *,
    now: datetime,
    rng: random.Random,
    default_app: str = "tiktok",
    side_writes: Callable[[Created], Sequence[SideWrite]] | None = None,
) -> Created:
    """Create the request's tasks, all or none (`now`: aware, in the zone start times are read in;
    `default_app`: the app of a task nothing else decides, `serve --app`).

    `side_writes(created)`, if given, adds writes that commit with the tasks (an Idempotency-Key's answer).
    An unknown username, or more tasks than one request may make, is a 40001 and creates nothing.
    """
    specs = await _specs(tasks, request, now, rng, default_app)
    online = await tasks.store.views.online_serials()
    offline = list(dict.fromkeys(spec.serial for spec in specs if spec.serial not in online))
    extra = None if side_writes is None else (lambda ids: side_writes(Created(ids, offline)))
    ids = await tasks.create([_new_task(spec) for spec in specs], side_writes=extra)
    return Created(ids, offline)


async def _specs(
    tasks: TaskHandlers, request: CreateTaskRequest, now: datetime, rng: random.Random, default_app: str
) -> list[TaskSpec]:
    by_device: dict[str, list[str]] = {}
    device_of: dict[str, str] = {}
    app_of: dict[str, str | None] = {}
    for account in await tasks.store.views.accounts():
        by_device.setdefault(account.serial, []).append(account.username)
        device_of[account.key] = account.serial
        app_of[account.key] = app_of_package(account.package)
    return fan_out(
        request,
        accounts_by_device=by_device,
        device_of_account=device_of,
        now=now,
        rng=rng,
        app_of_account=app_of,
        default_app=default_app,
    )


def _new_task(spec: TaskSpec) -> NewTask:
    return NewTask(
        CreateTask(
            serial=spec.serial,
            username=spec.username,
            script_name=spec.script_name,
            script_config=spec.script_config,
            source="api",
            start_time=iso(spec.start_time) if spec.start_time else None,
            app=spec.app,
        ),
        secrets=spec.secrets,
    )
