"""Tasks: create, list, get, stop, retry, retry-all, delete, batch delete, stats, artifacts."""

from __future__ import annotations

import random

from litestar import Request, delete, get, post
from litestar.params import FromPath
from litestar.response import File

from devices.artifacts import artifact_dir
from projections.queries import TaskFilter
from service.api.envelope import ok, ok_body, raw_ok
from service.api.openapi import documented
from service.api.schemas import (
    BatchDeleteBody, BatchDeleted, CreatedTasks, CreateTaskBody, DeletedTask, Envelope, RetriedTasks,
    TaskList, TaskOut, TaskRef, TaskStats, task_out,
)
from service.clock import iso
from service.domain.apps import app_of_package
from service.domain.errors import TaskNotFound
from service.domain.task import CreateTask, TaskStatus
from service.events import task_stream
from service.errors import ApiError, Code
from service.handlers.tasks import NewTask
from service.idempotency import check_key
from service.requests.create_task import CreateTaskRequest, parse_create_task
from service.requests.fan_out import fan_out
from service.requests.queries import TaskListQuery, parse_task_list_query
from service.requests.task_ids import parse_batch_delete, parse_task_id
from service.runtime import Runtime


def task_routes(rt: Runtime) -> list:
    """The /task routes, bound to a running server."""

    async def plan_tasks(request: CreateTaskRequest) -> tuple[list[NewTask], list[str]]:
        by_device: dict[str, list[str]] = {}
        device_of: dict[str, str] = {}
        app_of: dict[str, str | None] = {}
        for account in await rt.store.views.accounts():
            by_device.setdefault(account.serial, []).append(account.username)
            device_of[account.key] = account.serial
            app_of[account.key] = app_of_package(account.package)
        specs = fan_out(request, accounts_by_device=by_device, device_of_account=device_of,
                        now=rt.clock.now().astimezone(rt.tz), rng=random.Random(), app_of_account=app_of,
                        default_app=rt.settings.default_app)
        online = await rt.store.views.online_serials()
        offline = list(dict.fromkeys(spec.serial for spec in specs if spec.serial not in online))
        tasks = [NewTask(CreateTask(serial=spec.serial, username=spec.username, script_name=spec.script_name,
                                    script_config=spec.script_config, source="api",
                                    start_time=iso(spec.start_time) if spec.start_time else None, app=spec.app),
                         secrets=spec.secrets) for spec in specs]
        return tasks, offline

    @post("/task", status_code=200, operation_class=documented(body=CreateTaskBody))
    async def create_tasks(request: Request) -> Envelope[CreatedTasks]:
        """Create tasks: one per device (or account) and per target."""
        body = await request.body()
        key = request.headers.get("idempotency-key")
        if key is not None:
            key = check_key(key)
        parsed = parse_create_task(body, rt.files)  # an invalid body is never remembered
        if key is None:
            tasks, offline = await plan_tasks(parsed)
            ids = await rt.tasks.create(tasks)
            return ok(CreatedTasks(task_ids=ids, created_count=len(ids), offline_serials=offline))

        async def run(remember):
            # After the key's lookup: a repeated request answers the first response even when
            # the registry changed since; a registry error (unknown username) is not remembered.
            tasks, offline = await plan_tasks(parsed)
            answer: list[bytes] = []

            def side_writes(ids: list[int]):
                answer.append(ok_body(CreatedTasks(task_ids=ids, created_count=len(ids), offline_serials=offline)))
                return remember(answer[0])

            await rt.tasks.create(tasks, side_writes=side_writes)
            return answer[0]

        return raw_ok(await rt.idempotency.once(key, body, run))

    @get("/task", operation_class=documented(query=TaskListQuery))
    async def list_tasks(request: Request) -> Envelope[TaskList]:
        """Tasks, newest first, filtered and paged."""
        query = parse_task_list_query(request.query_params)

        async def page() -> bytes:
            where = TaskFilter(status=query.status, serial=query.serial, script_name=query.script_name,
                               source=query.source)
            page = await rt.store.views.task_page(where, query.offset, query.page_size)
            return ok_body(TaskList(total=page.total, page=query.page, page_size=query.page_size,
                                    tasks=[task_out(row) for row in page.tasks]))

        return await rt.cache.respond(request, page)

    @get("/task/stats", operation_class=documented())
    async def task_stats(request: Request) -> Envelope[TaskStats]:
        """How many tasks are pending, running, completed and failed."""

        async def compute() -> bytes:
            counts = await rt.store.views.task_counts()
            by = [counts.get(int(status), 0) for status in TaskStatus]
            return ok_body(TaskStats(total=sum(by), pending=by[0], running=by[1], completed=by[2], failed=by[3]))

        return await rt.cache.respond(request, compute)

    @get("/task/{task_id:str}", operation_class=documented())
    async def get_task(request: Request, task_id: FromPath[str]) -> Envelope[TaskOut]:
        """One task."""
        number = parse_task_id(task_id)

        async def compute() -> bytes:
            row = await rt.store.views.task(number)
            if row is None:
                raise TaskNotFound(number)
            return ok_body(task_out(row))

        return await rt.cache.respond(request, compute)

    async def task_ref(task_id: int) -> TaskRef:
        row = await rt.store.views.task(task_id)
        status = TaskStatus(row.status) if row else TaskStatus.FAILED
        return TaskRef(task_id=task_id, status=int(status), status_text=status.text)

    @post("/task/{task_id:str}/stop", status_code=200, operation_class=documented())
    async def stop_task(task_id: FromPath[str]) -> Envelope[TaskRef]:
        """Stop a pending task, or ask a running one to halt (the response does not wait)."""
        number = parse_task_id(task_id)
        await rt.tasks.stop(number)
        return ok(await task_ref(number))

    @post("/task/{task_id:str}/retry", status_code=200, operation_class=documented())
    async def retry_task(task_id: FromPath[str]) -> Envelope[TaskRef]:
        """A failed task becomes pending again, due now."""
        number = parse_task_id(task_id)
        await rt.tasks.retry(number)
        return ok(await task_ref(number))

    @post("/task/retry-all", status_code=200, operation_class=documented())
    async def retry_failed_tasks() -> Envelope[RetriedTasks]:
        """Every failed task becomes pending again (stopped ones included)."""
        ids = await rt.tasks.retry_failed()
        return ok(RetriedTasks(retried_count=len(ids), task_ids=ids))

    @delete("/task/{task_id:str}", status_code=200, operation_class=documented())
    async def delete_task(task_id: FromPath[str]) -> Envelope[DeletedTask]:
        """Delete a task (a running one is stopped first); its events stay for audit."""
        number = parse_task_id(task_id)
        await rt.tasks.delete(number)
        return ok(DeletedTask(task_id=number))

    @delete("/task/batch", status_code=200, operation_class=documented(body=BatchDeleteBody))
    async def delete_tasks(request: Request) -> Envelope[BatchDeleted]:
        """Delete many tasks at once."""
        ids = parse_batch_delete(await request.body())
        deleted, missing = await rt.tasks.delete_many(ids)
        return ok(BatchDeleted(deleted_count=len(deleted), task_ids=deleted, not_found=missing))

    @get("/task/{task_id:str}/artifacts/{name:str}",
         operation_class=documented(files=("application/octet-stream", "application/xml", "image/png", "image/jpeg")))
    async def get_artifact(task_id: FromPath[str], name: FromPath[str]) -> File:
        """A file saved when the task failed (UI hierarchy XML, screenshot)."""
        number = parse_task_id(task_id)
        # Only a name a `failed` event recorded reaches the disk: no NUL, no separator, no length
        # the file system refuses can get that far.
        recorded = await rt.store.read_stream(task_stream(number))
        if name not in {saved for r in recorded if r.type == "failed" for saved in r.event.artifacts}:
            raise ApiError(Code.NOT_FOUND, f"task {number} has no artifact {name[:100]!r}")
        path = artifact_dir(rt.settings.data_dir, number) / name
        if not path.is_file():
            raise ApiError(Code.NOT_FOUND, f"the artifact {name!r} of task {number} is no longer on disk")
        return File(path=path, filename=name)

    return [create_tasks, list_tasks, task_stats, get_task, stop_task, retry_task, retry_failed_tasks, delete_task,
            delete_tasks, get_artifact]
