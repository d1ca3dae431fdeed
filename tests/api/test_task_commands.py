"""Stop, retry, retry-all, delete and batch delete, and the events each one records."""

from __future__ import annotations

import pytest

from service.domain.task import CompleteTask, FailTask


def _types(api, task_id):
    return [e["type"] for e in api.ok(api.client.get(f"/api/v1/task/{task_id}/events"))["events"]]


def _finish(api, task_id, command):
    api.client.blocking_portal.call(api.runtime.tasks.execute, task_id, command)


def _post(api, path):
    return api.client.post(f"/api/v1/task/{path}")


# --- stop ------------------------------------------------------------------------------------


def test_stop_a_pending_task_fails_it_as_stopped_before_answering(api):
    task_id = api.create_one()
    assert api.ok(_post(api, f"{task_id}/stop")) == {"task_id": task_id, "status": 3, "status_text": "failed"}
    assert _types(api, task_id) == ["created", "stop-requested", "failed"]
    (failed,) = [e for e in api.log() if e["type"] == "failed"]
    assert failed["data"] == {"type": "failed", "attempt": 1, "step": None, "reason": "stopped", "artifacts": []}
    assert (api.task(task_id)["status"], api.task(task_id)["error"]) == (3, "stopped")


def test_stop_a_running_task_records_stop_requested_and_does_not_wait(api):
    task_id = api.create_one()
    api.start(task_id)
    assert api.ok(_post(api, f"{task_id}/stop")) == {"task_id": task_id, "status": 1, "status_text": "running"}
    assert _types(api, task_id) == ["created", "started", "stop-requested"]
    assert api.task(task_id)["status"] == 1


def test_stop_twice_on_a_running_task_answers_200_and_records_nothing(api):
    task_id = api.create_one()
    api.start(task_id)
    api.ok(_post(api, f"{task_id}/stop"))
    before = api.log()
    assert api.ok(_post(api, f"{task_id}/stop")) == {"task_id": task_id, "status": 1, "status_text": "running"}
    assert api.log() == before


def test_stop_twice_on_a_pending_task_is_40901_the_second_time(api):
    task_id = api.create_one()
    api.ok(_post(api, f"{task_id}/stop"))
    before = api.log()
    api.error(_post(api, f"{task_id}/stop"), 40901, 409, f"task {task_id}", "failed")
    assert api.log() == before


def test_when_the_running_script_halts_the_stopped_task_is_failed(api):
    task_id = api.create_one()
    api.start(task_id)
    api.ok(_post(api, f"{task_id}/stop"))
    _finish(api, task_id, FailTask(reason="stopped"))
    assert (api.task(task_id)["status"], api.task(task_id)["error"]) == (3, "stopped")


@pytest.mark.parametrize("outcome", [CompleteTask(steps=3, duration_ms=1200), FailTask(reason="no network")])
def test_stop_a_finished_task_is_40901(api, outcome):
    task_id = api.create_one()
    api.start(task_id)
    _finish(api, task_id, outcome)
    before = api.log()
    api.error(_post(api, f"{task_id}/stop"), 40901, 409, f"task {task_id}")
    assert api.log() == before


def test_stop_an_unknown_task_is_40401(api):
    api.error(_post(api, "42/stop"), 40401, 404, "task 42")


# --- retry -----------------------------------------------------------------------------------


def test_retry_makes_a_failed_task_pending_and_counts_every_retry(api):
    task_id = api.create_one()
    for count in (1, 2):
        api.ok(_post(api, f"{task_id}/stop"))
        assert api.ok(_post(api, f"{task_id}/retry")) == {"task_id": task_id, "status": 0, "status_text": "pending"}
        task = api.task(task_id)
        assert (task["status"], task["retry_count"], task["error"], task["finished_at"]) == (0, count, None, None)
    assert _types(api, task_id) == [
        "created",
        "stop-requested",
        "failed",
        "retried",
        "stop-requested",
        "failed",
        "retried",
    ]
    retried = [e["data"] for e in api.log() if e["type"] == "retried"]
    assert retried == [
        {"type": "retried", "attempt": 2, "automatic": False, "due_at": None},
        {"type": "retried", "attempt": 3, "automatic": False, "due_at": None},
    ]


def test_retry_a_task_that_failed_while_running(api):
    task_id = api.create_one()
    api.start(task_id)
    _finish(api, task_id, FailTask(reason="app crashed", step="open_app"))
    assert api.task(task_id)["error"] == "app crashed"
    api.ok(_post(api, f"{task_id}/retry"))
    assert (api.task(task_id)["status"], api.task(task_id)["retry_count"]) == (0, 1)


@pytest.mark.parametrize("state", ["pending", "running", "completed"])
def test_retry_a_task_that_has_not_failed_is_40901(api, state):
    task_id = api.create_one()
    if state != "pending":
        api.start(task_id)
    if state == "completed":
        _finish(api, task_id, CompleteTask(steps=1, duration_ms=5))
    before = api.log()
    api.error(_post(api, f"{task_id}/retry"), 40901, 409, f"task {task_id}", state)
    assert api.log() == before
    assert api.task(task_id)["retry_count"] == 0


def test_retry_an_unknown_task_is_40401(api):
    api.error(_post(api, "7/retry"), 40401, 404, "task 7")


def test_retry_all_retries_every_failed_task_stopped_ones_included(api):
    ids = api.create(serials=["A", "B", "C", "D"], script_name="post", script_config={})["task_ids"]
    api.ok(_post(api, f"{ids[0]}/stop"))
    api.start(ids[1])
    _finish(api, ids[1], FailTask(reason="timeout"))
    api.start(ids[2])
    assert api.ok(_post(api, "retry-all")) == {"retried_count": 2, "task_ids": [ids[0], ids[1]]}
    assert [api.task(i)["status"] for i in ids] == [0, 0, 1, 0]
    assert api.ok(_post(api, "retry-all")) == {"retried_count": 0, "task_ids": []}


# --- delete ----------------------------------------------------------------------------------


def test_delete_removes_the_task_from_every_view_but_keeps_its_stream(api):
    keep, gone = api.create(serials=["A", "A"], script_name="post", script_config={})["task_ids"]
    assert api.ok(api.client.delete(f"/api/v1/task/{gone}")) == {"task_id": gone}
    api.error(api.client.get(f"/api/v1/task/{gone}"), 40401, 404, f"task {gone}")
    assert [t["id"] for t in api.ok(api.client.get("/api/v1/task"))["tasks"]] == [keep]
    assert api.ok(api.client.get("/api/v1/task"))["total"] == 1
    assert api.ok(api.client.get("/api/v1/task/stats"))["total"] == 1
    assert _types(api, gone) == ["created", "deleted"]


def test_delete_twice_is_40401(api):
    task_id = api.create_one()
    api.ok(api.client.delete(f"/api/v1/task/{task_id}"))
    api.error(api.client.delete(f"/api/v1/task/{task_id}"), 40401, 404, f"task {task_id}")
    api.error(_post(api, f"{task_id}/stop"), 40401, 404, f"task {task_id}")
    api.error(_post(api, f"{task_id}/retry"), 40401, 404, f"task {task_id}")


def test_delete_a_running_task_stops_it_first(api):
    task_id = api.create_one()
    api.start(task_id)
    api.ok(api.client.delete(f"/api/v1/task/{task_id}"))
    assert _types(api, task_id) == ["created", "started", "stop-requested", "deleted"]
    assert api.ok(api.client.get("/api/v1/task/stats"))["running"] == 0
    _finish(api, task_id, FailTask(reason="stopped"))  # the script halts later
    assert _types(api, task_id)[-1] == "failed"
    assert api.ok(api.client.get("/api/v1/task/stats")) == {
        "total": 0,
        "pending": 0,
        "running": 0,
        "completed": 0,
        "failed": 0,
    }


def test_delete_never_created_task_is_40401(api):
    api.error(api.client.delete("/api/v1/task/5"), 40401, 404, "task 5")


def test_deleted_ids_are_never_reused(api):
    task_id = api.create_one()
    api.ok(api.client.delete(f"/api/v1/task/{task_id}"))
    assert api.create_one() == task_id + 1


def test_batch_delete_deletes_what_exists_and_names_the_rest(api):
    ids = api.create(serials=["A", "B", "C"], script_name="post", script_config={})["task_ids"]
    api.start(ids[1])
    response = api.client.request("DELETE", "/api/v1/task/batch", json={"task_ids": [ids[2], 99, ids[1], ids[2], 98]})
    assert api.ok(response) == {"deleted_count": 2, "task_ids": [ids[2], ids[1]], "not_found": [99, 98]}
    assert [t["id"] for t in api.ok(api.client.get("/api/v1/task"))["tasks"]] == [ids[0]]
    assert _types(api, ids[1]) == ["created", "started", "stop-requested", "deleted"]


def test_batch_delete_of_deleted_tasks_reports_them_not_found(api):
    task_id = api.create_one()
    api.ok(api.client.delete(f"/api/v1/task/{task_id}"))
    response = api.client.request("DELETE", "/api/v1/task/batch", json={"task_ids": [task_id]})
    assert api.ok(response) == {"deleted_count": 0, "task_ids": [], "not_found": [task_id]}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "task_ids is required"),
        ({"task_ids": []}, "task_ids must hold at least one"),
        ({"task_ids": "1"}, "task_ids must be an array"),
        ({"task_ids": [1, "x"]}, "task_ids[1]"),
        ({"task_ids": [0]}, "task_ids[0]"),
        ({"task_ids": list(range(1, 10_002))}, "task_ids has 10,001 entries"),
        ([1, 2], "JSON object"),
    ],
)
def test_batch_delete_bad_bodies_are_40001(shared_api, body, words):
    response = shared_api.client.request("DELETE", "/api/v1/task/batch", json=body)
    shared_api.error(response, 40001, 400, words)


def test_batch_delete_malformed_json_is_40001(shared_api):
    response = shared_api.client.request("DELETE", "/api/v1/task/batch", content=b"{task_ids: [1]}")
    shared_api.error(response, 40001, 400, "JSON")
