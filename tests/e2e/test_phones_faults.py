"""End to end: device faults injected into the virtual farm of a real `droidledger serve --sim` process
(POST /api/v1/sim/faults). Each fault ends the task with a precise reason or is recovered from, and a
phone that comes back gets its queue again. Last, in-process: an actor that dies is restarted by its
supervisor, which records why, and the phone keeps working.

One server for the module, at --time-scale 0.02 (the rate limit's app minute is 1.2 s); every test
switches its faults off again when it ends.
"""

from __future__ import annotations

import time

import anyio
import httpx
import pytest
from sim_server import SimServer, kinds

from devices.task_run import TaskRunner
from service.api.app import create_app
from service.settings import Settings

GONE = "device disconnected"
LONG_WARMUP = {"task_duration": 86400, "min_duration": 10, "max_duration": 10}


@pytest.fixture(scope="module")
def server(start_server) -> SimServer:
    return start_server(sim=5, time_scale=0.02)


@pytest.fixture(autouse=True)
def faults_off(request):
    """Random faults, rate limit and slow phones off, every phone plugged in again, after each test."""
    yield
    if "server" in request.fixturenames:
        server: SimServer = request.getfixturevalue("server")
        server.faults({"reset": True, "online": server.serials})


def _device_events(server: SimServer, serial: str, after: int = 0) -> list[dict]:
    return [e for e in server.log(after) if e["stream"] == f"device-{serial}"]


def test_a_phone_unplugged_mid_task_fails_it_shows_offline_and_runs_its_queue_when_back(server):
    phone = server.serials[0]
    position = server.log()[-1]["position"]
    warmup = server.create_one(phone, "account_warmup", LONG_WARMUP)
    queued = server.create_one(phone, "follow", {"target_users": ["back.again"]})
    server.wait_steps(warmup, "watch-video", 1)

    server.faults({"spec": f"offline={phone}"})
    failed = server.wait_done([warmup])[warmup]
    assert (failed["error"], failed["failed_step"], failed["artifacts"]) == (GONE, "watch-video", [])
    device = server.wait_until("the phone shown offline", lambda: (d := server.device(phone)) and not d["online"] and d)
    assert (device["state"], device["busy"], device["current_task_id"]) == ("disconnected", False, None)
    time.sleep(0.5)
    assert server.task(queued)["status_text"] == "pending"  # waits for its phone
    created = server.ok(
        server.client.post(
            "/task",
            json={"serials": [phone], "script_name": "follow", "script_config": {"target_users": ["while.away"]}},
        )
    )
    assert created["offline_serials"] == [phone]

    server.faults({"online": [phone]})
    assert [t["status_text"] for t in server.wait_done([queued, *created["task_ids"]]).values()] == ["completed"] * 2
    assert {"back.again", "while.away"} <= set(server.account(phone)["follows"])
    assert server.device(phone)["online"] is True
    assert [
        (e["type"], e["data"].get("reason", e["data"].get("state"))) for e in _device_events(server, phone, position)
    ] == [
        ("device-disconnected", "no longer listed by adb"),
        ("device-released", "no longer listed by adb"),
        ("device-connected", "device"),
        ("device-claimed", None),
    ]


def test_a_phone_unplugged_for_a_while_comes_back_by_itself_and_gets_its_queue(server):
    phone = server.serials[3]
    position = server.log()[-1]["position"]
    warmup = server.create_one(phone, "account_warmup", LONG_WARMUP)
    queued = server.create_one(phone, "follow", {"target_users": ["came.back"]})
    server.wait_steps(warmup, "watch-video", 1)
    server.faults({"offline": {phone: 100}})  # app seconds: 2 s here, longer than a watched video
    tasks = server.wait_done([warmup, queued])
    assert (tasks[warmup]["error"], tasks[queued]["status_text"]) == (GONE, "completed")
    device_events = _device_events(server, phone, position)
    assert [e["type"] for e in device_events] == [
        "device-disconnected",
        "device-released",
        "device-connected",
        "device-claimed",
    ]
    started = next(e["position"] for e in server.events(queued) if e["type"] == "started")
    assert started > device_events[3]["position"]  # it waited for the phone to come back


def test_random_disconnects_fail_the_task_they_hit_and_the_rest_runs_once_the_phone_is_back(server):
    phone = server.serials[1]
    server.faults({"disconnect": 0.1, "offline_s": 40})  # 0.8 s at this time scale
    ids = server.create([phone], "follow", {"target_users": [f"flaky{i}" for i in range(4)]})
    server.wait_until("a disconnect", lambda: any(server.task(i)["error"] == GONE for i in ids))
    server.faults({"disconnect": 0})
    tasks = server.wait_done(ids)
    outcomes = [(t["status_text"], t["error"]) for t in tasks.values()]
    assert set(outcomes) <= {("completed", None), ("failed", GONE)}, outcomes
    assert ("failed", GONE) in outcomes and outcomes[-1] == ("completed", None)
    follows = server.account(phone)["follows"]  # a failed one may have followed before the phone went
    assert all(f"flaky{i}" in follows for i, t in enumerate(tasks.values()) if t["status"] == 2)


def test_a_crashed_uiautomator2_server_is_relaunched_and_the_task_completes(server):
    phone = server.serials[2]
    before = server.phone(phone)
    task_id = server.create_one(phone, "account_warmup", {"task_duration": 60, "min_duration": 10, "max_duration": 10})
    server.wait_steps(task_id, "watch-video", 2)
    server.faults({"crash": [phone]})
    task = server.wait_done([task_id])[task_id]
    assert task["status_text"] == "completed", task["error"]
    assert kinds(server.events(task_id))[-7:] == ["step:watch-video"] * 6 + ["completed"]
    after = server.phone(phone)
    assert after["faults"]["u2_crashes"] == before["faults"]["u2_crashes"] + 1
    assert after["u2_launches"] >= before["u2_launches"] + 1 and after["u2_server"] is True


def test_random_uiautomator2_crashes_are_recovered_from(server):
    crashes = sum(server.phone(s)["faults"]["u2_crashes"] for s in server.serials[:4])
    server.faults({"u2crash": 0.1})
    ids = [
        i for serial in server.serials[:4] for i in server.create([serial], "follow", {"target_users": ["c1", "c2"]})
    ]
    tasks = server.wait_done(ids)
    assert {i: t["error"] for i, t in tasks.items() if t["status"] != 2} == {}
    assert sum(server.phone(s)["faults"]["u2_crashes"] for s in server.serials[:4]) > crashes


def test_a_slow_phone_still_completes_its_task(server):
    fast, slow = server.serials[2], server.serials[3]
    server.faults({"slow": {slow: 2500}})  # 50 ms more per call at this time scale
    calls_before = server.phone(slow)["faults"]["rpc_calls"]
    ids = [
        server.create_one(fast, "follow", {"target_users": ["unhurried"]}),
        server.create_one(slow, "follow", {"target_users": ["unhurried"]}),
    ]
    tasks = server.wait_done(ids)
    assert [t["status_text"] for t in tasks.values()] == ["completed", "completed"]
    calls = server.phone(slow)["faults"]["rpc_calls"] - calls_before
    took = {i: next(e["data"]["duration_ms"] for e in server.events(i) if e["type"] == "completed") for i in ids}
    assert took[ids[1]] >= 40 * calls and took[ids[1]] > 2 * took[ids[0]], (took, calls)
    assert server.phone(slow)["faults"]["slow_ms"] == 2500


def _dismissals(server: SimServer, task_ids) -> list[str]:
    details = [e["data"]["detail"] for i in task_ids for e in server.events(i) if e["type"] == "step-completed"]
    return [d for d in details if "dismissed" in d]


def test_a_dialog_over_the_app_is_dismissed_and_the_task_completes(server):
    phone = server.serials[3]
    server.wait_done([server.create_one(phone, "follow", {"target_users": ["before.popup"]})])
    server.faults({"popup": {phone: "permission"}})
    assert server.phone(phone)["dialog"] == "permission"
    task_id = server.create_one(phone, "follow", {"target_users": ["after.popup"]})
    assert server.wait_done([task_id])[task_id]["status_text"] == "completed"
    assert server.phone(phone)["dialog"] is None
    assert _dismissals(server, [task_id]) == [
        "screen on, app ready; dismissed Allow TikTok to access your contacts? (Don't allow)"
    ]
    assert "after.popup" in server.account(phone)["follows"]


def test_random_interrupting_dialogs_are_dismissed_and_every_task_completes(server):
    server.faults({"dialog": 0.05})
    ids = [
        i
        for serial in server.serials[:4]
        for i in server.create([serial], "follow", {"target_users": ["dlg.one", "dlg.two"]})
    ]
    ids += [
        server.create_one(
            server.serials[0],
            "comment",
            {
                "target_post_urls": ["https://www.tiktok.com/@mia.lopez/video/7300000000000000077"],
                "comment_content": "through dialogs",
            },
        )
    ]
    tasks = server.wait_done(ids)
    assert {i: t["error"] for i, t in tasks.items() if t["status"] != 2} == {}
    assert _dismissals(server, ids), "no dialog popped up: the test proves nothing"
    assert server.account(server.serials[0])["comments"]["7300000000000000077"][-1]["text"] == "through dialogs"


def test_the_rate_limit_message_fails_the_follow_with_its_text(server):
    phone = server.serials[4]  # its account followed no one in the last app minute
    server.faults({"ratelimit": 1})
    first, second = server.create([phone], "follow", {"target_users": ["limit.one", "limit.two"]})
    tasks = server.wait_done([first, second])
    assert tasks[first]["status_text"] == "completed"
    failed = tasks[second]
    assert (failed["error"], failed["failed_step"]) == (
        "rate limited by TikTok: Too many attempts. Try again later.",
        "follow",
    )
    assert failed["artifacts"] == ["attempt1-follow-hierarchy.xml", "attempt1-follow-screenshot.png"]
    follows = server.account(phone)["follows"]
    assert "limit.one" in follows and "limit.two" not in follows


# --- in-process: the supervisor ------------------------------------------------------------------


async def test_an_actor_that_dies_is_restarted_with_the_reason_recorded_and_the_phone_keeps_working(
    tmp_path, monkeypatch
):
    real_run = TaskRunner.run
    calls = []

    async def dies_once(self, serial, task_id, connect, control, agent, incarnation):
        calls.append(task_id)
        if len(calls) == 1:
            raise RuntimeError("boom in the actor")
        await real_run(self, serial, task_id, connect, control, agent, incarnation)

    monkeypatch.setattr(TaskRunner, "run", dies_once)
    app = create_app(Settings(data_dir=tmp_path, sync="normal", sim=1, time_scale=0.01, access_log=False))
    async with app.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e2e/api/v1") as client:
            serial = app.state.runtime.farm.serials[0]

            async def ok(response):
                body = (await response).json()
                assert body["code"] == 0, body
                return body["data"]

            async def task(task_id):
                return await ok(client.get(f"/task/{task_id}"))

            async def finished(task_id):
                with anyio.fail_after(20):
                    while (found := await task(task_id))["status"] not in (2, 3):
                        await anyio.sleep(0.05)
                return found

            body = {"serials": [serial], "script_name": "follow", "script_config": {"target_users": ["x1", "x2"]}}
            crashed, survivor = (await ok(client.post("/task", json=body)))["task_ids"]
            assert (await finished(crashed))["error"] == "the phone's actor crashed: boom in the actor"
            assert (await finished(survivor))["status_text"] == "completed"
            log = (await ok(client.get("/events", params={"limit": 1000})))["events"]
            restarted = [e["data"] for e in log if e["stream"] == f"device-{serial}" and e["type"] == "actor-restarted"]
            assert [r["reason"] for r in restarted] == ["RuntimeError: boom in the actor"]
            assert calls == [crashed, survivor]
            device = next(d for d in (await ok(client.get("/device")))["devices"] if d["serial"] == serial)
            assert (device["online"], device["busy"], device["tasks_completed"]) == (True, False, 1)
