"""End to end, in-process with the farm on a fake wall clock: tasks wait for their account — a daily
limit until the account's midnight, working hours until the next window, a rest until it ends — and run
when the wait ends, when the limits change or when the phone is resumed; a restart keeps what waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
from in_process import NOW, InProcess, in_process

UTC = UTC
PARIS_MIDNIGHT = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)  # 00:00 on the 11th in Paris (UTC+1 in March)


async def account_of(farm: InProcess, index: int = 0) -> str:
    """Register the account signed in on phone `index`; its username."""
    serial = farm.serials[index]
    username = farm.app.state.runtime.farm.state()["phones"][serial]["current_account"]
    await farm.ok(farm.client.post("/account", json={"username": username, "serial": serial}))
    return username


async def follows(farm: InProcess, username: str, *targets: str) -> list[int]:
    body = {"usernames": [username], "script_name": "follow", "script_config": {"target_users": list(targets)}}
    return (await farm.ok(farm.client.post("/task", json=body)))["task_ids"]


async def waiting(farm: InProcess, task_id: int, timeout_s: float = 10) -> dict:
    with anyio.fail_after(timeout_s):
        while (task := await farm.task(task_id))["waiting"] is None:
            await anyio.sleep(0.02)
    assert task["status_text"] == "pending"
    return task["waiting"]


async def event_types(farm: InProcess, task_id: int) -> list[str]:
    return [e["type"] for e in await farm.events(task_id)]


async def test_a_limit_of_two_follows_runs_two_and_the_rest_wait_until_the_accounts_midnight(tmp_path):
    async with in_process(tmp_path) as farm:
        me = await account_of(farm)
        await farm.ok(
            farm.client.put(f"/account/{me}/limits", json={"daily": {"follow": 2}, "timezone": "Europe/Paris"})
        )
        ids = await follows(farm, me, "lim.1", "lim.2", "lim.3", "lim.4")
        for task_id in ids[:2]:
            assert (await farm.wait_status(task_id, "completed", "failed"))["status_text"] == "completed"
        for task_id in ids[2:]:
            assert await waiting(farm, task_id) == {
                "kind": "daily_limit",
                "until": "2026-03-10T23:00:00+00:00",
                "reason": f"daily follow limit of @{me} reached (2/2); next after 00:00 Europe/Paris",
            }
        assert (await farm.ok(farm.client.get(f"/account/{me}")))["today"] == {"follow": 2}

        await farm.advance_to(PARIS_MIDNIGHT - timedelta(seconds=1))
        await farm.still_pending(*ids[2:])
        await farm.advance_to(PARIS_MIDNIGHT)
        for task_id in ids[2:]:
            assert (await farm.wait_status(task_id, "completed", "failed"))["status_text"] == "completed"
            assert await farm.started_at(task_id) == PARIS_MIDNIGHT
            assert (await farm.task(task_id))["waiting"] is None
        assert await event_types(farm, ids[2]) == [
            "created",
            "held",
            "released",
            "dispatched",
            "started",
            "step-completed",
            "step-completed",
            "step-completed",
            "step-completed",
            "completed",
        ]
        [fifth] = await follows(farm, me, "lim.5")
        assert (await waiting(farm, fifth))["until"] == "2026-03-11T23:00:00+00:00"


async def test_outside_the_working_hours_a_task_waits_for_the_next_window_but_match_account_does_not(tmp_path):
    async with in_process(tmp_path) as farm:  # 09:00 in Paris
        me = await account_of(farm)
        await farm.ok(
            farm.client.put(
                f"/account/{me}/limits", json={"working_hours": ["18:00-23:00"], "timezone": "Europe/Paris"}
            )
        )
        [evening] = await follows(farm, me, "after.six")
        assert await waiting(farm, evening) == {
            "kind": "working_hours",
            "until": "2026-03-10T17:00:00+00:00",
            "reason": f"outside the working hours of @{me} (18:00-23:00 Europe/Paris); next at 18:00 Europe/Paris",
        }
        [match] = (
            await farm.ok(
                farm.client.post(
                    "/task", json={"serials": [farm.serials[0]], "script_name": "match_account", "script_config": {}}
                )
            )
        )["task_ids"]
        assert (await farm.wait_status(match, "completed", "failed"))["status_text"] == "completed"
        await farm.advance_to(datetime(2026, 3, 10, 16, 59, 59, tzinfo=UTC))
        await farm.still_pending(evening)
        await farm.advance_to(datetime(2026, 3, 10, 17, 0, tzinfo=UTC))
        assert (await farm.wait_status(evening, "completed", "failed"))["status_text"] == "completed"


async def test_raising_a_limit_lets_the_waiting_tasks_run_at_once(tmp_path):
    async with in_process(tmp_path) as farm:
        me = await account_of(farm)
        await farm.ok(farm.client.put(f"/account/{me}/limits", json={"daily": {"follow": 1}}))
        first, second = await follows(farm, me, "raise.1", "raise.2")
        await farm.wait_status(first, "completed")
        assert (await waiting(farm, second))["kind"] == "daily_limit"
        await farm.ok(farm.client.put("/limits", json={"daily": {"follow": 5}}))
        await farm.still_pending(second)  # the account's own limit still says 1
        await farm.ok(farm.client.put(f"/account/{me}/limits", json={}))
        assert (await farm.wait_status(second, "completed", "failed"))["status_text"] == "completed"
        assert await event_types(farm, second) == [
            "created",
            "held",
            "released",
            "dispatched",
            "started",
            "step-completed",
            "step-completed",
            "step-completed",
            "step-completed",
            "completed",
        ]


async def test_a_rate_limited_account_rests_an_hour_and_its_tasks_run_when_the_rest_ends(tmp_path):
    async with in_process(tmp_path) as farm:
        me = await account_of(farm)
        farm.app.state.runtime.farm.set_faults("ratelimit=1")
        first, warned, later = await follows(farm, me, "rest.1", "rest.2", "rest.3")
        assert (await farm.wait_status(first, "completed"))["error"] is None
        failed = await farm.wait_status(warned, "failed")
        assert (failed["error"], failed["failed_step"]) == (
            "rate limited by TikTok: Too many attempts. Try again later.",
            "follow",
        )
        assert await waiting(farm, later) == {
            "kind": "restricted",
            "until": "2026-03-10T09:00:00+00:00",
            "reason": f"@{me} is restricted until 09:00 UTC (rate limited by TikTok: Too many attempts. Try again later.)",
        }
        assert (await farm.ok(farm.client.get(f"/account/{me}")))["restricted"] == {
            "reason": "rate limited by TikTok: Too many attempts. Try again later.",
            "until": "2026-03-10T09:00:00+00:00",
        }
        await farm.advance_to(NOW + timedelta(minutes=59))
        await farm.still_pending(later)
        farm.app.state.runtime.farm.set_faults("reset")
        await farm.advance_to(NOW + timedelta(hours=1))
        assert (await farm.wait_status(later, "completed", "failed"))["status_text"] == "completed"


async def test_a_paused_phone_finishes_its_task_and_starts_the_next_only_when_resumed(tmp_path):
    async with in_process(tmp_path) as farm:
        phone = farm.serials[0]
        [watching] = await farm.create(
            phone, "account_warmup", {"task_duration": 60, "min_duration": 20, "max_duration": 20}
        )
        [queued] = await farm.create(phone, "follow", {"target_users": ["after.pause"]})
        await farm.wait_status(watching, "running")
        assert (await farm.ok(farm.client.post(f"/device/{phone}/pause")))["paused"] is True
        assert (await farm.wait_status(watching, "completed", "failed"))["status_text"] == "completed"
        await farm.still_pending(queued, for_s=0.5)
        assert (await farm.task(queued))["waiting"] is None
        await farm.ok(farm.client.post(f"/device/{phone}/resume"))
        assert (await farm.wait_status(queued, "completed", "failed"))["status_text"] == "completed"


async def test_a_restart_keeps_what_waits_without_recording_it_again(tmp_path):
    async with in_process(tmp_path) as farm:
        me = await account_of(farm)
        await farm.ok(
            farm.client.put(f"/account/{me}/limits", json={"daily": {"follow": 1}, "timezone": "Europe/Paris"})
        )
        first, second = await follows(farm, me, "keep.1", "keep.2")
        await farm.wait_status(first, "completed")
        held = await waiting(farm, second)
    async with in_process(tmp_path, now=NOW + timedelta(hours=1)) as farm:
        await farm.still_pending(second)
        assert (await farm.task(second))["waiting"] == held
        assert await event_types(farm, second) == ["created", "held"]
        await farm.advance_to(PARIS_MIDNIGHT)
        assert (await farm.wait_status(second, "completed", "failed"))["status_text"] == "completed"
