"""Acting on many tasks at once: GET /task/ids (what the list's filters match), POST /task/batch/stop
and POST /task/batch/retry (by ids, in one transaction; what cannot be stopped or retried is skipped)."""

from __future__ import annotations

import pytest


def test_task_ids_lists_every_task_the_filters_match_oldest_first(make_api):
    api = make_api()
    on_a = api.create(serials=["A"], script_name="follow", script_config={"target_users": ["x", "y", "z"]})["task_ids"]
    on_b = api.create(serials=["B"], script_name="post", script_config={})["task_ids"]
    api.ok(api.client.post(f"/api/v1/task/{on_a[1]}/stop"))
    everything = api.ok(api.client.get("/api/v1/task/ids"))
    assert everything == {"total": 4, "task_ids": [*on_a, *on_b]}
    assert api.ok(api.client.get("/api/v1/task/ids", params={"serial": "A", "status": 0})) == {
        "total": 2,
        "task_ids": [on_a[0], on_a[2]],
    }
    assert api.ok(api.client.get("/api/v1/task/ids", params={"script_name": "post", "page_size": 1})) == {
        "total": 1,
        "task_ids": on_b,
    }
    assert api.ok(api.client.get("/api/v1/task/ids", params={"status": 3})) == {"total": 1, "task_ids": [on_a[1]]}


@pytest.mark.parametrize(
    ("params", "words"), [({"status": "4"}, "status"), ({"source": "web"}, "source"), ({"status": "-1"}, "status")]
)
def test_task_ids_refuses_a_bad_filter_naming_it(shared_api, params, words):
    shared_api.error(shared_api.client.get("/api/v1/task/ids", params=params), 40001, 400, words)


def test_a_batch_stop_stops_pending_and_running_tasks_and_skips_the_rest(make_api):
    api = make_api()
    pending, running, done, stopping = api.create(
        serials=["A"], script_name="follow", script_config={"target_users": ["a", "b", "c", "d"]}
    )["task_ids"]
    api.start(running)
    api.start(stopping)
    api.ok(api.client.post(f"/api/v1/task/{stopping}/stop"))  # asked already
    api.ok(api.client.post(f"/api/v1/task/{done}/stop"))  # failed: finished
    answer = api.ok(
        api.client.post("/api/v1/task/batch/stop", json={"task_ids": [pending, running, done, stopping, 999, pending]})
    )
    assert answer == {
        "stopped_count": 2,
        "task_ids": [pending, running],
        "not_found": [999],
        "skipped": [done, stopping],
    }
    assert (api.task(pending)["status_text"], api.task(pending)["error"]) == ("failed", "stopped")
    assert api.task(running)["stop_requested"] is True


def test_a_batch_retry_retries_failed_tasks_and_skips_the_rest(make_api):
    api = make_api()
    first, second, third = api.create(
        serials=["A"], script_name="follow", script_config={"target_users": ["a", "b", "c"]}
    )["task_ids"]
    for task_id in (first, third):
        api.ok(api.client.post(f"/api/v1/task/{task_id}/stop"))
    answer = api.ok(api.client.post("/api/v1/task/batch/retry", json={"task_ids": [third, second, first, 77]}))
    assert answer == {"retried_count": 2, "task_ids": [third, first], "not_found": [77], "skipped": [second]}
    assert [api.task(i)["status_text"] for i in (first, second, third)] == ["pending"] * 3
    assert api.task(first)["attempt"] == 2 and api.task(second)["attempt"] == 1


@pytest.mark.parametrize("path", ["/api/v1/task/batch/stop", "/api/v1/task/batch/retry"])
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "task_ids is required"),
        ({"task_ids": []}, "at least one"),
        ({"task_ids": [1, 0]}, "task_ids[1]"),
        ({"task_ids": "1"}, "array"),
    ],
)
def test_a_batch_body_without_good_ids_is_40001_naming_the_field(shared_api, path, body, words):
    shared_api.error(shared_api.client.post(path, json=body), 40001, 400, words)
