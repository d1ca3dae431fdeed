"""End to end: what the scheduler decides — at most device_limit phones at once (a real `serve --sim`
process, read back from the event timeline), and due times (start_time, intervals, order) on a fake
clock, in-process with the farm.

Due times are never scaled by --time-scale (docs/architecture.md, invariant 7), so they are tested on an
injected clock. A plain FakeClock would also freeze the waits inside a run (clock.sleep: watch times,
polls between screen dumps) until the test advanced it, while the farm's own delays and uiautomator2's
waits run in real time; so the clock here is fake for `now` and due times, and real (scaled) for waits
inside a run — each part of the system reads the time it would read in production.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from in_process import NOW, in_process
from sim_server import SimServer

# --- device_limit, through a real process ----------------------------------------------------------


def test_no_more_phones_run_at_once_than_the_device_limit(start_server):
    server: SimServer = start_server("--device-limit", "2", sim=4)
    position = server.log()[-1]["position"]
    ids = server.create(server.serials, "follow", {"target_users": ["lim.a", "lim.b", "lim.c"]})
    tasks = server.wait_done(ids)
    assert all(t["status_text"] == "completed" for t in tasks.values()), {i: t["error"] for i, t in tasks.items()}

    timeline = [e for e in server.log(position) if e["type"] in ("started", "completed", "failed")]
    assert [e["recorded_at"] for e in timeline] == sorted(e["recorded_at"] for e in timeline)
    running: dict[str, int] = {}
    most = 0
    for event in timeline:  # commit order: a phone's end is recorded before the next phone starts
        serial = tasks[event["task_id"]]["serial"]
        if event["type"] == "started":
            assert serial not in running, f"{serial} ran two tasks at once"
            running[serial] = event["task_id"]
            most = max(most, len(running))
        else:
            assert running.pop(serial) == event["task_id"]
    assert most == 2
    assert sorted(server.device(s)["tasks_completed"] for s in server.serials) == [3, 3, 3, 3]


# --- due times, in-process on a fake clock ---------------------------------------------------------
async def test_a_task_with_a_start_time_waits_until_the_clock_passes_it(tmp_path):
    async with in_process(tmp_path) as farm:
        phone = farm.serials[0]
        [later] = await farm.create(phone, "follow", {"target_users": ["at.nine"]}, start_time="09:00")
        assert (await farm.task(later))["start_time"] == "2026-03-10T09:00:00+00:00"
        [now] = await farm.create(phone, "follow", {"target_users": ["right.away"]})
        assert (await farm.wait_status(now, "completed", "failed"))["status_text"] == "completed"
        await farm.still_pending(later)

        farm.clock.advance(59 * 60)
        await farm.still_pending(later)
        farm.clock.advance(61)
        assert (await farm.wait_status(later, "completed", "failed"))["status_text"] == "completed"
        assert await farm.started_at(later) == NOW + timedelta(minutes=60, seconds=1)


async def test_intervals_space_the_tasks_of_one_request_on_one_phone(tmp_path):
    async with in_process(tmp_path) as farm:
        phone = farm.serials[0]
        ids = await farm.create(
            phone, "follow", {"target_users": ["iv.1", "iv.2", "iv.3"]}, min_interval=5, max_interval=15
        )
        due = [(await farm.task(i))["start_time"] for i in ids]
        assert due[0] is None
        due_at = [NOW] + [datetime.fromisoformat(d) for d in due[1:]]
        gaps = [(b - a).total_seconds() / 60 for a, b in zip(due_at, due_at[1:], strict=False)]
        assert all(g == int(g) and 5 <= g <= 15 for g in gaps), gaps

        await farm.wait_status(ids[0], "completed")
        for task_id, moment in zip(ids[1:], due_at[1:], strict=False):
            await farm.advance_to(moment - timedelta(seconds=1))
            await farm.still_pending(task_id)
            await farm.advance_to(moment)
            assert (await farm.wait_status(task_id, "completed", "failed"))["status_text"] == "completed"
            assert await farm.started_at(task_id) == moment


async def test_due_tasks_run_null_due_first_then_by_due_time_then_by_id(tmp_path):
    async with in_process(tmp_path) as farm:
        phone = farm.serials[0]
        [blocker] = await farm.create(
            phone, "account_warmup", {"task_duration": 86400, "min_duration": 15, "max_duration": 15}
        )
        await farm.wait_status(blocker, "running")
        [ten] = await farm.create(phone, "follow", {"target_users": ["at.ten"]}, start_time="10:00")
        half_past = await farm.create(phone, "follow", {"target_users": ["half.a", "half.b"]}, start_time="09:30")
        [null] = await farm.create(phone, "follow", {"target_users": ["whenever"]})
        await farm.advance_to(NOW + timedelta(hours=3))  # every one of them is due now
        await farm.ok(farm.client.post(f"/task/{blocker}/stop"))
        order = [ten, *half_past, null]
        for task_id in order:
            assert (await farm.wait_status(task_id, "completed", "failed"))["status_text"] == "completed"
        started = {
            task_id: next(e["position"] for e in await farm.events(task_id) if e["type"] == "started")
            for task_id in order
        }
        assert sorted(order, key=started.get) == [null, *half_past, ten]
