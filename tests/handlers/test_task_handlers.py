"""Task commands against the in-memory store: what each appends, how a conflict is ridden out,
and that persistent contention is a 40901, never a crash."""

from __future__ import annotations

import pytest

from projections.queries import TaskFilter
from service.domain.errors import TaskNotFound, TransitionRefused
from service.domain.task import CreateTask, FailTask, StartTask, TaskStatus
from service.events import StopRequested, TaskCreated, TaskDeleted, TaskFailed, TaskRetried
from service.handlers.runner import MAX_CONFLICT_RETRIES, Contention
from service.handlers.tasks import NewTask, TaskHandlers
from service.store.records import ConcurrencyError, RememberResponse


def new(serial: str = "P1", **secrets: str) -> NewTask:
    return NewTask(CreateTask(serial=serial, script_name="follow", script_config={"target_user": "a"}), secrets)


async def test_creating_tasks_gives_ascending_ids_in_one_append_with_their_secrets(store, tasks):
    assert await tasks.create([new("P1"), new("P2", chatgpt_api_key="sk-1")]) == [1, 2]
    assert len(store.appends) == 1
    assert [type(e) for e in store.events_of("task-1") + store.events_of("task-2")] == [TaskCreated, TaskCreated]
    assert store.secrets == {2: {"chatgpt_api_key": "sk-1"}}
    assert await tasks.create([new()]) == [3]


async def test_ids_taken_by_another_writer_are_drawn_again(store, tasks):
    await tasks.create([new()])
    other = TaskHandlers(store)
    assert await other.create([new()]) == [2]
    assert await tasks.create([new()]) == [3]  # its cached id 2 conflicted: it read the sequence again


async def test_side_writes_that_need_the_ids_commit_with_the_tasks(store, tasks):
    ids = await tasks.create(
        [new(), new()], side_writes=lambda ids: [RememberResponse("k", "h", str(ids).encode(), 1.0)]
    )
    assert store.idempotency["k"].response == str(ids).encode() == b"[1, 2]"


async def test_a_stale_state_is_decided_again_after_the_conflict(store, tasks):
    (task_id,) = await tasks.create([new()])
    stale = await tasks.load(task_id)
    await tasks.stop(task_id)  # someone else moved the stream on
    with pytest.raises(TransitionRefused):  # decided again on the real state: a failed task cannot start
        await tasks.execute(task_id, StartTask(serial="P1", seed=1), stale)
    assert [type(e) for e in store.events_of("task-1")] == [TaskCreated, StopRequested, TaskFailed]


async def test_a_conflict_is_retried_until_the_append_lands(store, tasks):
    (task_id,) = await tasks.create([new()])
    store.fail_next_appends(3, ConcurrencyError([("task-1", 1, 2)]))
    state, recorded = await tasks.execute(task_id, StartTask(serial="P1", seed=7))
    assert (state.status, [r.type for r in recorded]) == (TaskStatus.RUNNING, ["started"])
    assert len(store.appends) == 1 + 4


async def test_streams_that_keep_changing_are_refused_with_contention(store, tasks):
    (task_id,) = await tasks.create([new()])
    store.fail_next_appends(MAX_CONFLICT_RETRIES, ConcurrencyError([("task-1", 1, 2)]))
    with pytest.raises(Contention, match="task 1 kept changing .* try again"):
        await tasks.stop(task_id)
    assert store.events_of("task-1") == [store.log[0].event]
    assert issubclass(Contention, TransitionRefused)  # the envelope answers 40901


async def test_deleting_a_task_erases_its_secrets_in_the_same_append(store, tasks):
    (task_id,) = await tasks.create([new(chatgpt_api_key="sk-1")])
    await tasks.delete(task_id)
    assert store.secrets == {}
    assert isinstance(store.events_of("task-1")[-1], TaskDeleted)
    with pytest.raises(TaskNotFound):
        await tasks.stop(task_id)


async def test_deleting_many_answers_what_was_deleted_and_what_was_not_found(store, tasks):
    ids = await tasks.create([new(), new(), new()])
    await tasks.delete(ids[1])
    assert await tasks.delete_many([ids[0], ids[1], 99, ids[0]]) == ([ids[0]], [ids[1], 99])


async def test_retry_all_retries_every_failed_task_stopped_ones_included(store, tasks):
    ids = await tasks.create([new(), new(), new()])
    await tasks.stop(ids[0])
    await tasks.execute(ids[1], StartTask(serial="P1", seed=1))
    await tasks.execute(ids[1], FailTask(reason="boom"))
    assert await tasks.retry_failed() == [ids[0], ids[1]]
    assert [type(e) for e in store.events_of(f"task-{ids[1]}")][-1] is TaskRetried
    assert [row.status for row in (await store.views.task_page(TaskFilter(), 0, 10)).tasks] == [0, 0, 0]
