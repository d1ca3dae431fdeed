"""End to end: a `droidledger serve --sim` process killed (SIGKILL) or stopped (SIGTERM) while its phones
run tasks, then started again on the same data dir: every interrupted task is recorded as such, with
--auto-retry it runs again to completion, and nothing stays `running`."""

from __future__ import annotations

import time

from sim_server import SimServer, kinds

WARMUP = {"task_duration": 150, "min_duration": 10, "max_duration": 10}  # 15 videos
AUTO_RETRY = ("--auto-retry", "--max-retries", "1", "--retry-delay-min", "0", "--retry-delay-max", "0")


def _attempt(events: list[dict], attempt: int) -> list[str]:
    return kinds([e for e in events if e["data"].get("attempt") == attempt and e["type"] != "retried"])


def test_after_a_kill_the_running_tasks_are_failed_interrupted_by_a_restart_then_retried_to_completion(start_server):
    first: SimServer = start_server(sim=2)
    warmups = [first.create_one(serial, "account_warmup", WARMUP) for serial in first.serials]
    queued = first.create_one(first.serials[0], "follow", {"target_users": ["after.the.crash"]})
    for task_id in warmups:
        first.wait_steps(task_id, "watch-video", 1)
    first.kill()
    assert "Traceback" not in first.output()

    again: SimServer = start_server(*AUTO_RETRY, sim=2, data_dir=first.data_dir)
    assert again.serials == first.serials  # the same farm seed: the same phones
    tasks = again.wait_done([*warmups, queued])
    assert {i: t["status_text"] for i, t in tasks.items()} == {i: "completed" for i in tasks}
    for task_id in warmups:
        events = again.events(task_id)
        first_run = _attempt(events, 1)
        assert first_run[0] == "started" and "completed" not in first_run
        assert first_run[-1] == "failed", kinds(events)
        interrupted = next(e["data"] for e in events if e["type"] == "failed")
        assert (interrupted["reason"], interrupted["step"], interrupted["artifacts"]) == (
            "interrupted by a restart",
            None,
            [],
        )
        retried = next(e["data"] for e in events if e["type"] == "retried")
        assert (retried["attempt"], retried["automatic"]) == (2, True)
        assert _attempt(events, 2) == [
            "started",
            "step:prepare",
            "step:open-feed",
            *["step:watch-video"] * 15,
            "completed",
        ]
        assert tasks[task_id]["retry_count"] == 1
    assert kinds(again.events(queued))[-1] == "completed" and _attempt(again.events(queued), 1)[0] == "started"
    stats = again.ok(again.client.get("/task/stats"))
    assert (stats["running"], stats["pending"]) == (0, 0)
    assert [again.device(s)["busy"] for s in again.serials] == [False, False]


def test_sigterm_mid_task_records_interrupted_by_shutdown_and_exits_0(start_server):
    server: SimServer = start_server(sim=1)
    phone = server.serials[0]
    task_id = server.create_one(phone, "account_warmup", {**WARMUP, "task_duration": 86400})
    server.wait_steps(task_id, "watch-video", 1)
    began = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - began < 8  # the step in flight finishes; no need for the whole grace period
    assert "Traceback" not in server.output()

    again: SimServer = start_server(sim=1, data_dir=server.data_dir)
    events = again.events(task_id)
    assert kinds(events)[-1] == "failed", kinds(events)
    failed = events[-1]["data"]
    assert (failed["reason"], failed["artifacts"]) == ("interrupted by shutdown", [])
    assert failed["step"] in (None, "watch-video")
    assert sum(e["type"] == "failed" for e in events) == 1  # the restart found nothing running
    assert again.task(task_id)["status_text"] == "failed"
    follow = again.create_one(phone, "follow", {"target_users": ["after.shutdown"]})
    assert again.wait_done([follow])[follow]["status_text"] == "completed"
