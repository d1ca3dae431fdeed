"""GET /task/{id}/events and GET /events: the log as the API shows it."""

from __future__ import annotations

import pytest


def _events(api, task_id):
    return api.ok(api.client.get(f"/api/v1/task/{task_id}/events"))["events"]


def test_a_task_stream_is_whole_and_oldest_first(api):
    task_id = api.create_one(script_name="follow", script_config={"target_user": "x"})
    api.start(task_id, seed=7)
    api.ok(api.client.post(f"/api/v1/task/{task_id}/stop"))
    events = _events(api, task_id)
    assert [(e["position"], e["stream"], e["task_id"], e["version"], e["type"]) for e in events] == [
        (1, "task-1", 1, 1, "created"),
        (2, "task-1", 1, 2, "started"),
        (3, "task-1", 1, 3, "stop-requested"),
    ]
    assert events[1]["data"] == {
        "type": "started",
        "attempt": 1,
        "serial": "A",
        "username": None,
        "seed": 7,
        "steps": 0,
    }
    assert events[2]["data"] == {"type": "stop-requested"}
    assert all(set(e) == {"position", "stream", "task_id", "version", "type", "data", "recorded_at"} for e in events)
    assert all(e["recorded_at"].endswith("+00:00") for e in events)


def test_a_task_stream_stays_readable_after_delete(api):
    task_id = api.create_one()
    api.ok(api.client.delete(f"/api/v1/task/{task_id}"))
    assert [e["type"] for e in _events(api, task_id)] == ["created", "deleted"]


@pytest.mark.parametrize("task_id", ["1", "0", "abc"])
def test_events_of_a_task_that_never_existed_is_40401(shared_api, task_id):
    shared_api.error(shared_api.client.get(f"/api/v1/task/{task_id}/events"), 40401, 404, task_id)


def test_the_global_log_holds_every_stream_in_commit_order(api):
    api.ok(api.client.post("/api/v1/account", json={"username": "@Bob", "serial": "P1"}))
    api.create(serials=["A", "B"], script_name="post", script_config={})
    api.connect("A")
    events = api.log()
    assert [(e["position"], e["stream"], e["task_id"], e["version"], e["type"]) for e in events] == [
        (1, "account-bob", None, 1, "account-registered"),
        (2, "task-1", 1, 1, "created"),
        (3, "task-2", 2, 1, "created"),
        (4, "device-A", None, 1, "device-connected"),
    ]
    assert events[0]["data"] == {
        "type": "account-registered",
        "username": "@Bob",
        "serial": "P1",
        "package": "com.zhiliaoapp.musically",
    }


def test_after_and_limit_window_the_log(api):
    api.create(serials=[f"S{i}" for i in range(10)], script_name="post", script_config={})
    window = api.ok(api.client.get("/api/v1/events", params={"after": 3, "limit": 4}))["events"]
    assert [e["position"] for e in window] == [4, 5, 6, 7]
    assert api.ok(api.client.get("/api/v1/events", params={"after": 10}))["events"] == []
    assert [e["position"] for e in api.ok(api.client.get("/api/v1/events"))["events"]] == list(range(1, 11))


def test_limit_defaults_to_100(api):
    api.create(serials=[f"S{i}" for i in range(120)], script_name="post", script_config={})
    assert len(api.ok(api.client.get("/api/v1/events"))["events"]) == 100
    assert len(api.ok(api.client.get("/api/v1/events", params={"limit": 1000}))["events"]) == 120


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"after": -1}, "after"),
        ({"after": "1e3"}, "after"),
    ],
)
def test_a_bad_window_is_40001_naming_it(shared_api, params, field):
    message = shared_api.error(shared_api.client.get("/api/v1/events", params=params), 40001, 400, field)
    assert message.startswith(field)
