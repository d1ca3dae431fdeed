"""Account safety through the API: limits per account and by default (also from a file), what an
account did today in its zone, its rest after a warning and lifting it, why a task waits, pausing a
phone, the counters in /metrics; bad input refused with nothing written; a restart and a replay change
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from service.api.app import create_app
from service.clock import FakeClock
from service.domain.admission import Hold
from service.domain.limits import Limits
from service.domain.task import CompleteStep, FailTask, StartTask
from service.store import operations
from tests.api.conftest import Api

UTC = UTC
EXAMPLE = {
    "daily": {"follow": 30, "comment": 10},
    "working_hours": ["09:00-12:30", "18:00-23:00"],
    "timezone": "Europe/Paris",
}
NO_REST = [1.0, 6.0, 24.0]


def account(api, username="alice"):
    return api.ok(api.client.get(f"/api/v1/account/{username}"))


def with_alice(api, serial="P1"):
    api.ok(api.client.post("/api/v1/account", json={"username": "@Alice", "serial": serial}))


def act(api, task_id: int, *actions: str, accounts=("alice",)) -> None:
    """The task's phone did these actions in one step (the task must be running)."""
    api.client.blocking_portal.call(
        api.runtime.tasks.execute,
        task_id,
        CompleteStep(index=1, name="act", duration_ms=5, actions=actions, accounts=accounts),
    )


def running_task(api, serial="P1") -> int:
    task_id = api.create_one(serial, "follow", {"target_users": ["bob"]})
    api.client.blocking_portal.call(
        api.runtime.tasks.execute, task_id, StartTask(serial=serial, seed=1, username="alice")
    )
    return task_id


def test_an_accounts_limits_are_set_shown_and_listed(api):
    with_alice(api)
    answer = api.ok(api.client.put("/api/v1/account/ALICE/limits", json=EXAMPLE))
    assert answer == {
        "username": "@Alice",
        "serial": "P1",
        "package": "com.zhiliaoapp.musically",
        "limits": {
            "daily": {"follow": 30, "comment": 10},
            "working_hours": ["09:00-12:30", "18:00-23:00"],
            "timezone": "Europe/Paris",
            "cooldown_hours": NO_REST,
        },
        "today": {},
        "restricted": None,
    }
    assert account(api, "@alice") == answer
    assert api.ok(api.client.get("/api/v1/account"))["accounts"] == [answer]
    assert [e["type"] for e in api.log() if e["stream"] == "account-alice"] == ["account-registered", "limits-set"]


def test_setting_the_same_limits_again_records_nothing(api):
    with_alice(api)
    api.ok(api.client.put("/api/v1/account/alice/limits", json=EXAMPLE))
    before = len(api.log())
    api.ok(api.client.put("/api/v1/account/alice/limits", json=EXAMPLE))
    assert len(api.log()) == before


def test_defaults_apply_to_every_account_action_by_action_under_its_own(api):
    with_alice(api)
    api.ok(api.client.post("/api/v1/account", json={"username": "bob", "serial": "P2"}))
    defaults = api.ok(
        api.client.put("/api/v1/limits", json={"daily": {"follow": 30, "like": 100}, "cooldown_hours": [2, 12]})
    )
    assert defaults == {
        "daily": {"follow": 30, "like": 100},
        "working_hours": None,
        "timezone": None,
        "cooldown_hours": [2.0, 12.0],
    }
    assert api.ok(api.client.get("/api/v1/limits")) == defaults
    api.ok(
        api.client.put(
            "/api/v1/account/alice/limits", json={"daily": {"follow": 5, "like": None}, "timezone": "Asia/Tokyo"}
        )
    )
    assert account(api)["limits"] == {
        "daily": {"follow": 5},
        "working_hours": [],
        "timezone": "Asia/Tokyo",
        "cooldown_hours": [2.0, 12.0],
    }
    assert account(api, "bob")["limits"]["daily"] == {"follow": 30, "like": 100}


def test_today_counts_what_the_steps_did_in_the_accounts_own_day(make_api):
    clock = FakeClock(datetime(2026, 3, 28, 22, 30, tzinfo=UTC))  # 23:30 in Paris, the night the clocks go forward
    api = make_api(clock=clock)
    with_alice(api)
    api.ok(api.client.put("/api/v1/account/alice/limits", json={"timezone": "Europe/Paris"}))
    task_id = running_task(api)
    act(api, task_id, "follow", "like")
    act(api, task_id, "like")
    assert account(api)["today"] == {"follow": 1, "like": 2}
    clock.advance(30 * 60)  # 00:00 in Paris: a new day there
    assert account(api)["today"] == {}
    act(api, task_id, "comment")
    api.ok(api.client.put("/api/v1/account/alice/limits", json={"timezone": "America/New_York"}))
    assert account(api)["today"] == {"follow": 1, "like": 2, "comment": 1}  # still the 28th in New York


def test_a_device_mode_step_counts_for_every_account_it_names(api):
    with_alice(api)
    api.ok(api.client.post("/api/v1/account", json={"username": "bob", "serial": "P1"}))
    act(api, running_task(api), "post", accounts=("alice", "bob"))
    assert [a["today"] for a in api.ok(api.client.get("/api/v1/account", params={"serial": "P1"}))["accounts"]] == [
        {"post": 1},
        {"post": 1},
    ]


def warned_alice(make_api):
    """An app whose alice was rate limited by her running task at 10:00; (api, clock, that task)."""
    clock = FakeClock(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    api = make_api(clock=clock)
    with_alice(api)
    task_id = running_task(api)
    api.client.blocking_portal.call(_warn, api.runtime.safety, api.runtime.tasks, task_id, clock)
    return api, clock, task_id


def test_a_warned_account_rests_and_clearing_lifts_it_once(make_api):
    api, _, task_id = warned_alice(make_api)
    assert account(api)["restricted"] == {
        "reason": "rate limited by TikTok: Too many attempts.",
        "until": "2026-06-01T11:00:00+00:00",
    }
    assert api.task(task_id)["error"] == "rate limited by TikTok: Too many attempts."
    cleared = api.ok(api.client.post("/api/v1/account/alice/clear-restriction"))
    assert cleared["restricted"] is None
    before = len(api.log())
    api.ok(api.client.post("/api/v1/account/alice/clear-restriction"))
    assert len(api.log()) == before
    assert [e["type"] for e in api.log() if e["stream"] == "account-alice"] == [
        "account-registered",
        "account-restricted",
        "restriction-cleared",
    ]


async def _warn(safety, tasks, task_id, clock):
    await safety.fail_warned(
        task_id,
        await tasks.load(task_id),
        FailTask(reason="rate limited by TikTok: Too many attempts.", step="follow"),
        ["alice"],
        clock.now(),
    )


def test_a_rest_shows_until_it_ends(make_api):
    api, clock, _ = warned_alice(make_api)
    clock.advance(3600)
    assert account(api)["restricted"] is None


def test_a_held_task_shows_why_it_waits(api):
    task_id = api.create_one("P1", "follow", {"target_users": ["bob"]})
    hold = Hold(
        "daily_limit",
        "alice",
        "daily follow limit of @alice reached (2/2); next after 00:00 Europe/Paris",
        datetime(2026, 6, 1, 22, 0, tzinfo=UTC),
    )
    api.client.blocking_portal.call(api.runtime.tasks.hold_many, {task_id: hold})
    assert api.task(task_id)["waiting"] == {
        "kind": "daily_limit",
        "reason": hold.reason,
        "until": "2026-06-01T22:00:00+00:00",
    }
    api.client.blocking_portal.call(api.runtime.tasks.hold_many, {task_id: None})
    assert api.task(task_id)["waiting"] is None


def test_a_phone_pauses_and_resumes_and_the_device_list_shows_it(api):
    api.connect("P1")
    assert api.ok(api.client.post("/api/v1/device/P1/pause"))["paused"] is True
    assert [(d["serial"], d["paused"]) for d in api.ok(api.client.get("/api/v1/device"))["devices"]] == [("P1", True)]
    before = len(api.log())
    api.ok(api.client.post("/api/v1/device/P1/pause"))
    assert len(api.log()) == before
    assert api.ok(api.client.post("/api/v1/device/P1/resume"))["paused"] is False
    assert [e["type"] for e in api.log() if e["stream"] == "device-P1"] == [
        "device-connected",
        "device-paused",
        "device-resumed",
    ]


@pytest.mark.parametrize(
    "call",
    [
        ("POST", "/api/v1/device/NOPE/pause"),
        ("POST", "/api/v1/device/NOPE/resume"),
        ("GET", "/api/v1/account/nobody"),
        ("PUT", "/api/v1/account/nobody/limits"),
        ("POST", "/api/v1/account/nobody/clear-restriction"),
    ],
)
def test_an_unknown_phone_or_account_is_40401(api, call):
    method, path = call
    api.error(api.client.request(method, path, json={}), 40401, 404, "not found")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"daily": {"likes": 3}}, "daily.likes is not an action"),
        ({"daily": {"follow": -1}}, "daily.follow must be between 0 and 100000"),
        ({"working_hours": ["9h-12h"]}, "working_hours[0] must look like"),
        ({"working_hours": ["09:00-12:30", "12:00-14:00"]}, "working_hours[1] (12:00-14:00) overlaps working_hours[0]"),
        ({"timezone": "Europe/Pariss"}, "timezone must be an IANA time zone"),
    ],
)
def test_bad_limits_are_40001_naming_the_field_and_write_nothing(api, body, field):
    with_alice(api)
    before = len(api.log())
    for path in ("/api/v1/account/alice/limits", "/api/v1/limits"):
        api.error(api.client.put(path, json=body), 40001, 400, field)
    assert len(api.log()) == before


def test_metrics_count_waits_and_restrictions(make_api):
    clock = FakeClock(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    api = make_api(clock=clock)
    with_alice(api)
    api.connect("P1")
    api.ok(api.client.post("/api/v1/device/P1/pause"))
    waiting = api.create_one("P1", "follow", {"target_users": ["carol"]})
    api.client.blocking_portal.call(
        api.runtime.tasks.hold_many,
        {waiting: Hold("working_hours", "alice", "outside", clock.now() + timedelta(hours=1))},
    )
    api.client.blocking_portal.call(_warn, api.runtime.safety, api.runtime.tasks, running_task(api), clock)
    samples = dict(
        line.rsplit(" ", 1)
        for line in api.client.get("/metrics").text.splitlines()
        if line and not line.startswith("#")
    )
    assert {name: samples[name] for name in samples if "wait" in name or "restrict" in name or "paused" in name} == {
        'droidledger_task_waits_total{reason="restricted"}': "0",
        'droidledger_task_waits_total{reason="daily_limit"}': "0",
        'droidledger_task_waits_total{reason="working_hours"}': "1",
        'droidledger_tasks_waiting{reason="restricted"}': "0",
        'droidledger_tasks_waiting{reason="daily_limit"}': "0",
        'droidledger_tasks_waiting{reason="working_hours"}': "1",
        "droidledger_account_restrictions_total": "1",
        "droidledger_accounts_restricted": "1",
        "droidledger_phones_paused": "1",
    }


def test_a_limits_file_is_recorded_once_and_an_api_change_survives_restarts_until_the_file_changes(
    settings_for, tmp_path
):
    def serve(limits: Limits | None):
        return TestClient(create_app(settings_for(data_dir=tmp_path, default_limits=limits)))

    def defaults(client):
        return client.get("/api/v1/limits").json()["data"]["daily"]

    def recorded(client):
        return [
            e["data"]["source"]
            for e in client.get("/api/v1/events", params={"limit": 1000}).json()["data"]["events"]
            if e["type"] == "default-limits-set"
        ]

    with serve(Limits(daily={"follow": 30})) as client:
        assert (defaults(client), recorded(client)) == ({"follow": 30}, ["file"])
        client.put("/api/v1/limits", json={"daily": {"follow": 5}})
    with serve(Limits(daily={"follow": 30})) as client:
        assert (defaults(client), recorded(client)) == ({"follow": 5}, ["file", "api"])
    with serve(Limits(daily={"follow": 20})) as client:
        assert (defaults(client), recorded(client)) == ({"follow": 20}, ["file", "api", "file"])


def test_a_restart_and_a_replay_show_the_same_accounts_tasks_and_phones(settings_for, tmp_path):
    def serve():
        return TestClient(create_app(settings_for(data_dir=tmp_path)))

    def seen(client):
        return [
            client.get(path).json()["data"]
            for path in ("/api/v1/account", "/api/v1/limits", "/api/v1/device", "/api/v1/task/1", "/api/v1/task/2")
        ]

    with serve() as client:
        api = Api(client)
        api.connect("P1")
        with_alice(api)
        api.ok(client.put("/api/v1/limits", json={"daily": {"like": 3}}))
        api.ok(client.put("/api/v1/account/alice/limits", json=EXAMPLE))
        act(api, running_task(api), "follow")
        api.client.blocking_portal.call(
            _warn,
            api.runtime.safety,
            api.runtime.tasks,
            running_task(api),
            FakeClock(datetime.now(UTC) + timedelta(minutes=1)),
        )
        api.ok(client.post("/api/v1/device/P1/pause"))
        first = seen(client)
    accounts, defaults, devices, _, warned = first
    assert (accounts["accounts"][0]["today"], defaults["daily"], devices["devices"][0]["paused"], warned["error"]) == (
        {"follow": 1},
        {"like": 3},
        True,
        "rate limited by TikTok: Too many attempts.",
    )
    assert accounts["accounts"][0]["restricted"]["reason"] == "rate limited by TikTok: Too many attempts."
    with serve() as client:
        assert seen(client) == first
    operations.replay(settings_for(data_dir=tmp_path).store)
    with serve() as client:
        assert seen(client) == first
