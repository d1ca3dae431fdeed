"""End to end through a real `droidledger serve --sim` process: a rate limit rests the account and its
tasks wait until an operator clears it; the "Action blocked" dialog does the same; a limit of 2 follows
runs 2 and holds the rest with a reason (after a restart and a replay: test_account_safety_restart.py).

One server for the module (--auto-retry, --time-scale 0.02: the farm's rate-limit minute is 1.2 s);
each test works on a phone of its own and switches the farm's faults off when it ends.
"""

from __future__ import annotations

import pytest
from sim_server import SimServer, kinds

RATE_LIMITED = "rate limited by TikTok: Too many attempts. Try again later."


@pytest.fixture(scope="module")
def server(start_server) -> SimServer:
    return start_server("--auto-retry", "--retry-delay-min", "0", "--retry-delay-max", "0", sim=4, time_scale=0.02)


@pytest.fixture(autouse=True)
def faults_off(server):
    yield
    server.faults({"reset": True})


def account(server: SimServer, username: str) -> dict:
    return server.ok(server.client.get(f"/account/{username}"))


def test_a_rate_limit_rests_the_account_its_tasks_wait_and_run_once_cleared(server):
    me = server.register(0)
    server.faults({"ratelimit": 1})
    first, warned, queued = server.follow_as(me, "rl.one", "rl.two", "rl.three")
    assert server.wait_done([first])[first]["status_text"] == "completed"
    server.wait_until("the warned follow failed", lambda: any(e["type"] == "failed" for e in server.events(warned)))
    failed = next(e["data"] for e in server.events(warned) if e["type"] == "failed")
    assert (failed["reason"], failed["step"]) == (RATE_LIMITED, "follow")
    rest = account(server, me)["restricted"]
    assert rest["reason"] == RATE_LIMITED
    restricted = [e for e in server.log() if e["stream"] == f"account-{me}" and e["type"] == "account-restricted"]
    assert [(e["data"]["strike"], e["data"]["task_id"], e["data"]["until"]) for e in restricted] == [
        (1, warned, rest["until"])
    ]

    # --auto-retry made the warned task pending again: it waits with the queued one, restricted.
    for task_id in (warned, queued):
        assert server.waiting(task_id)["kind"] == "restricted"
        assert f"@{me} is restricted until" in server.task(task_id)["waiting"]["reason"]
    assert kinds(server.events(warned))[-3:] == ["failed", "retried", "held"]
    server.faults({"reset": True})
    assert server.ok(server.client.post(f"/account/{me}/clear-restriction"))["restricted"] is None
    tasks = server.wait_done([warned, queued])
    assert [tasks[i]["status_text"] for i in (warned, queued)] == ["completed", "completed"]
    assert {"rl.one", "rl.two", "rl.three"} <= set(server.account(server.serials[0])["follows"])
    metrics = server.client.get(server.base.removesuffix("/api/v1") + "/metrics").text
    assert "droidledger_account_restrictions_total 1" in metrics
    assert 'droidledger_task_waits_total{reason="restricted"} 2' in metrics


def test_the_action_blocked_dialog_rests_the_account_too(server):
    me = server.register(1)
    server.faults({"actionblock": 1})
    first, blocked = server.follow_as(me, "ab.one", "ab.two")
    server.wait_until("the blocked follow failed", lambda: any(e["type"] == "failed" for e in server.events(blocked)))
    reason = next(e["data"]["reason"] for e in server.events(blocked) if e["type"] == "failed")
    assert reason.startswith("action blocked by TikTok: You're temporarily blocked from following accounts.")
    assert account(server, me)["restricted"]["reason"] == reason
    assert server.task(first)["status_text"] == "completed"
    server.faults({"reset": True})
    server.ok(server.client.post(f"/account/{me}/clear-restriction"))
    assert server.wait_done([blocked])[blocked]["status_text"] == "completed"  # the retry: the dialog was dismissed


def test_a_limit_of_two_follows_runs_two_and_the_rest_wait_with_a_reason(server):
    me = server.register(2)
    server.ok(server.client.put(f"/account/{me}/limits", json={"daily": {"follow": 2}, "timezone": "Europe/Paris"}))
    ids = server.follow_as(me, "two.1", "two.2", "two.3", "two.4")
    done = server.wait_done(ids[:2])
    assert [t["status_text"] for t in done.values()] == ["completed", "completed"]
    for task_id in ids[2:]:
        held = server.waiting(task_id)
        assert (held["kind"], held["reason"]) == (
            "daily_limit",
            f"daily follow limit of @{me} reached (2/2); next after 00:00 Europe/Paris",
        )
        assert server.task(task_id)["status_text"] == "pending"
    assert account(server, me)["today"] == {"follow": 2}
    assert set(server.account(server.serials[2])["follows"]) & {"two.3", "two.4"} == set()
