"""Tasks: create, list, ids by filter, get, stop, retry, retry-all, delete, batch stop/retry/delete, stats,
artifacts."""

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
    BatchDeleteBody,
    BatchDeleted,
    BatchRetried,
    BatchStopped,
    CreatedTasks,
    CreateTaskBody,
    DeletedTask,
    Envelope,
    MatchingTasks,
    RetriedTasks,
    TaskList,
    TaskOut,
    TaskRef,
    TaskStats,
    task_out,
)
from service.domain.errors import TaskNotFound
from service.domain.task import TaskStatus
from service.errors import ApiError, Code
from service.events import task_stream
from service.handlers import task_creation
from service.idempotency import check_key
from service.requests.create_task import CreateTaskRequest, parse_create_task
from service.requests.queries import (
    TaskFilterQuery,
    TaskListQuery,
    parse_task_filter_query,
    parse_task_list_query,
)
from service.requests.task_ids import parse_task_batch, parse_task_id
from service.runtime import Runtime


def created_out(created: task_creation.Created) -> CreatedTasks:
    """The response to a create request."""
    return CreatedTasks(
        task_ids=created.task_ids, created_count=len(created.task_ids), offline_serials=created.offline_serials
    )


def task_routes(rt: Runtime) -> list:
    """The /task routes, bound to a running server."""

    async def create(request: CreateTaskRequest, answer=None) -> CreatedTasks:
        """The use case; `answer(body)`: the side writes that remember the response body."""
        side_writes = None if answer is None else (lambda created: answer(ok_body(created_out(created))))
        return created_out(
            await task_creation.create_tasks(
                rt.tasks,
                request,
                now=rt.clock.now().astimezone(rt.tz),
                rng=random.Random(),
                default_app=rt.settings.default_app,
                side_writes=side_writes,
            )
        )

    @post("/task", status_code=200, operation_class=documented(body=CreateTaskBody))
    async def create_tasks(request: Request) -> Envelope[CreatedTasks]:
        """Create tasks: one per device (or account) and per target."""
        body = await request.body()
        key = request.headers.get("idempotency-key")
        if key is not None:
            key = check_key(key)
        parsed = parse_create_task(body, rt.files)  # an invalid body is never remembered
        if key is None:
            return ok(await create(parsed))

        async def run(remember):
            # After the key's lookup: a repeated request answers the first response even when
            # the registry changed since; a registry error (unknown username) is not remembered.
            # The answer is the attempt that was written (a create retried after a conflict
            # remembers each attempt's, and only the last one commits).
            return ok_body(await create(parsed, remember))

        return raw_ok(await rt.idempotency.once(key, body, run))

    @get("/task", operation_class=documented(query=TaskListQuery))
    async def list_tasks(request: Request) -> Envelope[TaskList]:
        """Tasks, newest first, filtered and paged."""
        query = parse_task_list_query(request.query_params)

        async def page() -> bytes:
            where = TaskFilter(
                status=query.status, serial=query.serial, script_name=query.script_name, source=query.source
            )
            page = await rt.store.views.task_page(where, query.offset, query.page_size)
            return ok_body(
                TaskList(
                    total=page.total,
                    page=query.page,
                    page_size=query.page_size,
                    tasks=[task_out(row) for row in page.tasks],
                )
            )

        return await rt.cache.respond(request, page)

    @get("/task/ids", operation_class=documented(query=TaskFilterQuery))
    async def matching_task_ids(request: Request) -> Envelope[MatchingTasks]:
        """The ids of every task matching the list's filters, oldest first (what a batch action will act on)."""
        query = parse_task_filter_query(request.query_params)
        ids = await rt.store.views.task_ids(
            TaskFilter(status=query.status, serial=query.serial, script_name=query.script_name, source=query.source)
        )
        return ok(MatchingTasks(total=len(ids), task_ids=ids))

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
        ids = parse_task_batch(await request.body())
        deleted, missing = await rt.tasks.delete_many(ids)
        return ok(BatchDeleted(deleted_count=len(deleted), task_ids=deleted, not_found=missing))

    @post("/task/batch/stop", status_code=200, operation_class=documented(body=BatchDeleteBody))
    async def stop_tasks(request: Request) -> Envelope[BatchStopped]:
        """Stop many tasks at once; finished ones are skipped."""
        ids = parse_task_batch(await request.body())
        stopped, missing = await rt.tasks.stop_many(ids)
        return ok(
            BatchStopped(
                stopped_count=len(stopped), task_ids=stopped, not_found=missing, skipped=_others(ids, stopped, missing)
            )
        )

    @post("/task/batch/retry", status_code=200, operation_class=documented(body=BatchDeleteBody))
    async def retry_tasks(request: Request) -> Envelope[BatchRetried]:
        """Retry many failed tasks at once; the others are skipped."""
        ids = parse_task_batch(await request.body())
        retried, missing = await rt.tasks.retry_many(ids)
        return ok(
            BatchRetried(
                retried_count=len(retried), task_ids=retried, not_found=missing, skipped=_others(ids, retried, missing)
            )
        )

    @get(
        "/task/{task_id:str}/artifacts/{name:str}",
        operation_class=documented(files=("application/octet-stream", "application/xml", "image/png", "image/jpeg")),
    )
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

    return [
        create_tasks,
        list_tasks,
        matching_task_ids,
        task_stats,
        get_task,
        stop_task,
        retry_task,
        retry_failed_tasks,
        delete_task,
        delete_tasks,
        stop_tasks,
        retry_tasks,
        get_artifact,
    ]


def _others(ids: tuple[int, ...], done: list[int], missing: list[int]) -> list[int]:
    """The ids neither acted on nor missing: skipped, in request order."""
    seen = set(done) | set(missing)
    return [task_id for task_id in ids if task_id not in seen]
