"""The task view: the row of a task after each kind of event, its counters and the id sequence."""

from __future__ import annotations

from projections.task_view import COLUMNS
from service.events import (
    StepCompleted,
    StopRequested,
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskFailed,
    TaskRetried,
    TaskStarted,
)

CREATED = TaskCreated(
    serial="phone-1",
    username="alice",
    script_name="post",
    script_config={"video": "a.mp4"},
    start_time="2026-11-27T14:30:00+00:00",
)
STARTED = TaskStarted(attempt=1, serial="phone-2", username="alice", seed=42, steps=3)
STEP_1 = StepCompleted(attempt=1, index=1, name="open-app", duration_ms=100)
STEP_2 = StepCompleted(attempt=1, index=2, name="upload", duration_ms=200)
COMPLETED = TaskCompleted(attempt=1, steps=3, duration_ms=900)
FAILED = TaskFailed(attempt=1, step="upload", reason="app crashed", artifacts=["ui.xml", "screen.png"])


def pending_row(at) -> dict:
    return {
        "id": 1,
        "serial": "phone-1",
        "username": "alice",
        "script_name": "post",
        "script_config": b'{"video":"a.mp4"}',
        "status": 0,
        "source": "api",
        "start_time": "2026-11-27T14:30:00+00:00",
        "retry_count": 0,
        "auto_retries": 0,
        "attempt": 1,
        "created_at": at(0),
        "started_at": None,
        "finished_at": None,
        "error": None,
        "failed_step": None,
        "artifacts": None,
        "stop_requested": 0,
        "stopped": 0,
        "progress_step": None,
        "progress_steps": None,
        "progress_name": None,
        "version": 1,
        "waiting_kind": None,
        "waiting_reason": None,
        "waiting_until": None,
        "dispatched_agent": None,
        "dispatched_incarnation": None,
        "app": "tiktok",
    }


async def task_row(store, task_id: int = 1) -> dict | None:
    rows = await store.fetchall(f"SELECT {', '.join(COLUMNS)} FROM tasks WHERE id = ?", (task_id,))
    return dict(zip(COLUMNS, rows[0], strict=False)) if rows else None


async def counts(store) -> list[tuple]:
    return await store.fetchall("SELECT serial, script_name, source, status, n FROM task_counts ORDER BY 1, 2, 3, 4")


async def test_a_created_task_is_pending_with_what_the_client_asked_for(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED)
        assert await task_row(store) == pending_row(recorded_at)
        assert await counts(store) == [("phone-1", "post", "api", 0, 1)]


async def test_an_instagram_task_shows_its_app(open_store, record, recorded_at):
    async with open_store() as store:
        await record(
            store,
            "task-1",
            TaskCreated(
                serial="phone-1",
                username="alice",
                script_name="post",
                script_config={"video": "a.mp4"},
                start_time="2026-11-27T14:30:00+00:00",
                app="instagram",
            ),
        )
        assert await task_row(store) == {**pending_row(recorded_at), "app": "instagram"}


async def test_a_started_task_runs_on_the_phone_that_started_it(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED)
        await record(store, "task-1", STARTED)
        assert await task_row(store) == {
            **pending_row(recorded_at),
            "status": 1,
            "serial": "phone-2",
            "started_at": recorded_at(1),
            "progress_steps": 3,
            "version": 2,
        }
        assert await counts(store) == [("phone-2", "post", "api", 1, 1)]


async def test_the_last_completed_step_is_the_progress(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED, STARTED)
        await record(store, "task-1", STEP_1)
        assert await task_row(store) == {
            **pending_row(recorded_at),
            "status": 1,
            "serial": "phone-2",
            "started_at": recorded_at(0),
            "progress_step": 1,
            "progress_steps": 3,
            "progress_name": "open-app",
            "version": 3,
        }
        await record(store, "task-1", STEP_2)
        row = await task_row(store)
        assert (row["progress_step"], row["progress_steps"], row["progress_name"], row["version"]) == (
            2,
            3,
            "upload",
            4,
        )


async def test_a_completed_task_records_when_it_finished_and_its_steps(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED, TaskStarted(attempt=1, serial="phone-1", seed=1), STEP_1, STEP_2)
        await record(store, "task-1", COMPLETED)
        assert await task_row(store) == {
            **pending_row(recorded_at),
            "status": 2,
            "started_at": recorded_at(0),
            "finished_at": recorded_at(1),
            "progress_step": 2,
            "progress_steps": 3,
            "progress_name": "upload",
            "version": 5,
        }
        assert await counts(store) == [("phone-1", "post", "api", 2, 1)]


async def test_a_failed_task_shows_its_error_the_step_and_the_artifacts(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED, STARTED, STEP_1)
        await record(store, "task-1", FAILED)
        assert await task_row(store) == {
            **pending_row(recorded_at),
            "status": 3,
            "serial": "phone-2",
            "started_at": recorded_at(0),
            "finished_at": recorded_at(1),
            "error": "app crashed",
            "failed_step": "upload",
            "artifacts": b'["ui.xml","screen.png"]',
            "progress_step": 1,
            "progress_steps": 3,
            "progress_name": "open-app",
            "version": 4,
        }
        assert await counts(store) == [("phone-2", "post", "api", 3, 1)]


async def test_a_stopped_pending_task_fails_as_stopped(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED)
        await record(store, "task-1", StopRequested(), TaskFailed(attempt=1, reason="stopped"))
        assert await task_row(store) == {
            **pending_row(recorded_at),
            "status": 3,
            "finished_at": recorded_at(1),
            "error": "stopped",
            "artifacts": b"[]",
            "stop_requested": 1,
            "stopped": 1,
            "version": 3,
        }


async def test_a_running_task_asked_to_stop_runs_until_its_script_halts(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED, STARTED)
        await record(store, "task-1", StopRequested())
        row = await task_row(store)
        assert (row["status"], row["stop_requested"], row["stopped"], row["version"]) == (1, 1, 0, 3)
        await record(store, "task-1", TaskFailed(attempt=1, step="upload", reason="stopped"))
        row = await task_row(store)
        assert (row["status"], row["error"], row["failed_step"], row["stop_requested"], row["stopped"]) == (
            3,
            "stopped",
            "upload",
            1,
            1,
        )


async def test_a_failure_without_a_stop_is_not_a_stop(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", CREATED, STARTED, FAILED)
        row = await task_row(store)
        assert (row["stop_requested"], row["stopped"]) == (0, 0)


async def test_a_retried_task_is_pending_again_due_now_with_its_last_run_cleared(open_store, record, recorded_at):
    async with open_store() as store:
        await record(store, "task-1", CREATED, StopRequested(), TaskFailed(attempt=1, reason="stopped"))
        await record(store, "task-1", TaskRetried(attempt=2))
        assert await task_row(store) == {
            **pending_row(recorded_at),
            "start_time": None,
            "retry_count": 1,
            "attempt": 2,
            "version": 4,
        }
        assert await counts(store) == [("phone-1", "post", "api", 0, 1)]


async def test_a_retried_task_that_starts_again_gets_a_new_start_and_fresh_progress(open_store, record, recorded_at):
    async with open_store() as store:
        await record(
            store,
            "task-1",
            CREATED,
            STARTED,
            STEP_1,
            STEP_2,
            FAILED,
            TaskRetried(attempt=2, automatic=True, due_at="2026-11-27T09:05:00+00:00"),
        )
        row = await task_row(store)
        assert (row["start_time"], row["retry_count"], row["auto_retries"], row["attempt"]) == (
            "2026-11-27T09:05:00+00:00",
            1,
            1,
            2,
        )
        await record(store, "task-1", TaskStarted(attempt=2, serial="phone-1", seed=43))
        assert await task_row(store) == {
            **pending_row(recorded_at),
            "status": 1,
            "start_time": "2026-11-27T09:05:00+00:00",
            "retry_count": 1,
            "auto_retries": 1,
            "attempt": 2,
            "started_at": recorded_at(1),
            "version": 7,
        }


async def test_automatic_retries_are_counted_until_a_manual_retry(open_store, record):
    async with open_store() as store:
        await record(
            store,
            "task-1",
            CREATED,
            STARTED,
            FAILED,
            TaskRetried(attempt=2, automatic=True),
            TaskStarted(attempt=2, serial="phone-2", seed=2),
            TaskFailed(attempt=2, reason="timeout"),
            TaskRetried(attempt=3, automatic=True),
        )
        row = await task_row(store)
        assert (row["retry_count"], row["auto_retries"], row["attempt"]) == (2, 2, 3)
        await record(
            store,
            "task-1",
            TaskStarted(attempt=3, serial="phone-2", seed=3),
            TaskFailed(attempt=3, reason="timeout"),
            TaskRetried(attempt=4),
        )
        row = await task_row(store)
        assert (row["retry_count"], row["auto_retries"], row["attempt"]) == (3, 0, 4)


async def test_a_deleted_task_leaves_the_view_and_every_count(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", CREATED)
        await record(store, "task-2", CREATED)
        await record(store, "task-1", TaskDeleted())
        assert await store.fetchall("SELECT id FROM tasks") == [(2,)]
        assert await counts(store) == [("phone-1", "post", "api", 0, 1)]
        await record(store, "task-2", TaskDeleted())
        assert await store.fetchall("SELECT id FROM tasks") == []
        assert await counts(store) == []


async def test_events_after_a_deletion_change_no_row_and_no_count(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", CREATED, STARTED)
        await record(store, "task-2", CREATED)
        await record(store, "task-1", StopRequested(), TaskDeleted())
        before = (
            await store.fetchall("SELECT * FROM tasks"),
            await counts(store),
            await store.fetchall("SELECT last_id FROM task_sequence"),
        )
        await record(store, "task-1", STEP_1)
        await record(store, "task-1", TaskFailed(attempt=1, reason="stopped"))
        after = (
            await store.fetchall("SELECT * FROM tasks"),
            await counts(store),
            await store.fetchall("SELECT last_id FROM task_sequence"),
        )
        assert after == before
        assert before[1] == [("phone-1", "post", "api", 0, 1)]


async def test_a_task_created_and_deleted_in_one_commit_never_shows(open_store, record):
    async with open_store() as store:
        await record(store, "task-1", CREATED, TaskDeleted())
        assert await store.fetchall("SELECT id FROM tasks") == []
        assert await counts(store) == []
        assert await store.fetchall("SELECT last_id FROM task_sequence") == [(1,)]


async def test_the_counters_match_a_count_of_the_rows(open_store, record):
    ui_task = TaskCreated(serial="phone-2", script_name="follow", script_config={}, source="ui")
    async with open_store() as store:
        for task_id in range(1, 13):
            await record(store, f"task-{task_id}", ui_task if task_id % 4 == 0 else CREATED)
        for task_id in (1, 2, 3, 4, 5):
            await record(store, f"task-{task_id}", TaskStarted(attempt=1, serial=f"phone-{task_id % 3}", seed=1))
        await record(store, "task-1", COMPLETED)
        await record(store, "task-2", FAILED)
        await record(store, "task-3", StopRequested())
        await record(store, "task-6", StopRequested(), TaskFailed(attempt=1, reason="stopped"))
        await record(store, "task-6", TaskRetried(attempt=2))
        await record(store, "task-7", TaskDeleted())
        await record(store, "task-4", StopRequested(), TaskDeleted())
        grouped = await store.fetchall(
            "SELECT serial, script_name, source, status, COUNT(*) FROM tasks GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        )
        assert await counts(store) == grouped
        assert grouped == [
            ("phone-0", "post", "api", 1, 1),
            ("phone-1", "post", "api", 0, 4),
            ("phone-1", "post", "api", 2, 1),
            ("phone-2", "follow", "ui", 0, 2),
            ("phone-2", "post", "api", 1, 1),
            ("phone-2", "post", "api", 3, 1),
        ]


async def test_the_sequence_keeps_the_highest_id_ever_created(open_store, record):
    async with open_store() as store:
        assert await store.fetchall("SELECT last_id FROM task_sequence") == []
        await record(store, "task-1", CREATED)
        await record(store, "task-3", CREATED)
        await record(store, "task-2", CREATED)
        assert await store.fetchall("SELECT last_id FROM task_sequence") == [(3,)]
        await record(store, "task-3", TaskDeleted())
        assert await store.fetchall("SELECT last_id FROM task_sequence") == [(3,)]
