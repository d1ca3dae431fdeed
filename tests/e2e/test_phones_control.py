"""End to end: failures with a reason and artifacts, automatic and manual retries, stop and delete of a
running task — through a real `droidledger serve --sim --auto-retry` process.

One server for the module (automatic retries on, twice, without delay); each test uses its own phone.
"""

from __future__ import annotations

import time

import pytest
from sim_server import SimServer, kinds

LONG_WARMUP = {"task_duration": 86400, "min_duration": 15, "max_duration": 20}


@pytest.fixture(scope="module")
def server(start_server) -> SimServer:
    return start_server("--auto-retry", "--max-retries", "2", "--retry-delay-min", "0", "--retry-delay-max", "0")


def _failed_attempt(attempt: int, user: str) -> list[tuple[str, dict]]:
    names = [f"attempt{attempt}-open-profile-hierarchy.xml", f"attempt{attempt}-open-profile-screenshot.png"]
    return [
        ("dispatched", {}),
        ("started", {"attempt": attempt}),
        ("step-completed", {"attempt": attempt, "index": 1, "name": "prepare"}),
        (
            "failed",
            {"attempt": attempt, "step": "open-profile", "reason": f"user @{user} not found", "artifacts": names},
        ),
    ]


def _shape(events: list[dict], expected: list[tuple[str, dict]]) -> None:
    """Each event has the expected type and at least the expected fields."""
    assert [e["type"] for e in events] == [kind for kind, _ in expected], kinds(events)
    for event, (_, fields) in zip(events, expected, strict=False):
        assert {k: event["data"].get(k) for k in fields} == fields, event


def _settled(server: SimServer, task_id: int, failures: int) -> list[dict]:
    """The task's events once it has failed `failures` times and nothing followed for a while."""
    events = server.wait_until(
        f"{failures} failures of task {task_id}",
        lambda: (e := server.events(task_id)) and sum(x["type"] == "failed" for x in e) >= failures and e,
    )
    time.sleep(0.5)  # an automatic retry would follow at once (no delay)
    again = server.events(task_id)
    assert again == events, kinds(again)
    return events


def test_a_missing_user_fails_with_reason_step_and_artifacts_then_is_retried_twice_automatically(server):
    phone, user = server.serials[0], "nosuchuser_e2e"
    task_id = server.create_one(phone, "follow", {"target_users": [user]})
    events = _settled(server, task_id, failures=3)
    _shape(
        events,
        [
            ("created", {"serial": phone}),
            *_failed_attempt(1, user),
            ("retried", {"attempt": 2, "automatic": True}),
            *_failed_attempt(2, user),
            ("retried", {"attempt": 3, "automatic": True}),
            *_failed_attempt(3, user),
        ],
    )
    task = server.task(task_id)
    assert (task["status_text"], task["error"], task["retry_count"]) == ("failed", f"user @{user} not found", 2)

    for name in events[-1]["data"]["artifacts"]:
        response = server.client.get(f"/task/{task_id}/artifacts/{name}")
        assert response.status_code == 200
        if name.endswith(".xml"):
            assert response.text.startswith("<?xml")
            assert "Couldn't find this account" in response.text  # the failing screen
        else:
            assert response.headers["content-type"] == "image/png"
            assert response.content.startswith(b"\x89PNG\r\n\x1a\n")

    # A manual retry still works, and gives the task a fresh budget of automatic retries (the domain
    # counts them "since creation or the last manual retry").
    server.ok(server.client.post(f"/task/{task_id}/retry"))
    events = _settled(server, task_id, failures=6)
    _shape(
        events[len(events) - 15 :],
        [
            ("retried", {"attempt": 4, "automatic": False}),
            *_failed_attempt(4, user),
            ("retried", {"attempt": 5, "automatic": True}),
            *_failed_attempt(5, user),
            ("retried", {"attempt": 6, "automatic": True}),
            *_failed_attempt(6, user),
        ],
    )
    assert server.task(task_id)["retry_count"] == 5


def test_stop_mid_task_records_stop_requested_at_once_then_stopped_and_is_never_retried(server):
    phone = server.serials[1]
    task_id = server.create_one(phone, "account_warmup", LONG_WARMUP)
    server.wait_steps(task_id, "watch-video", 2)
    server.ok(server.client.post(f"/task/{task_id}/stop"))
    assert "stop-requested" in kinds(server.events(task_id))  # before the script has halted, or as it does
    events = _settled(server, task_id, failures=1)
    tail = events[-2:]
    assert [e["type"] for e in tail] == ["stop-requested", "failed"], kinds(events)
    assert {k: tail[1]["data"][k] for k in ("reason", "artifacts")} == {"reason": "stopped", "artifacts": []}
    assert tail[1]["data"]["step"] in ("watch-video", None)
    assert server.task(task_id)["status_text"] == "failed" and server.task(task_id)["retry_count"] == 0

    assert server.device(phone)["busy"] is False
    follow = server.create_one(phone, "follow", {"target_users": ["after.stop"]})
    assert server.wait_done([follow])[follow]["status_text"] == "completed"


def test_delete_of_a_running_task_stops_it_and_frees_the_phone_for_its_queue(server):
    phone = server.serials[2]
    task_id = server.create_one(phone, "account_warmup", LONG_WARMUP)
    queued = server.create_one(phone, "follow", {"target_users": ["after.delete"]})
    server.wait_steps(task_id, "watch-video", 1)
    assert server.device(phone)["current_task_id"] == task_id
    assert server.ok(server.client.delete(f"/task/{task_id}")) == {"task_id": task_id}
    assert server.client.get(f"/task/{task_id}").json()["code"] == 40401

    assert server.wait_done([queued])[queued]["status_text"] == "completed"
    events = server.events(task_id)
    assert kinds(events)[-3:] == ["stop-requested", "deleted", "failed"], kinds(events)
    assert events[-1]["data"]["reason"] == "stopped"
    assert "after.delete" in server.account(phone)["follows"]
    device = server.device(phone)
    assert (device["busy"], device["current_task_id"]) == (False, None)
