"""start_time and min/max_interval turned into due times, in the server's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.clock import FakeClock

# 08:00 UTC is 09:00 in Paris (UTC+1 in March, before the DST change).
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def paris(make_api):
    return make_api(clock=FakeClock(NOW), tz=ZoneInfo("Europe/Paris"))


def _due(api, body):
    data = api.create(body)
    return [api.task(task_id)["start_time"] for task_id in data["task_ids"]]


def _follow(**fields):
    return {"serials": ["A"], "script_name": "follow", "script_config": {"target_users": ["u1", "u2", "u3"]}, **fields}


def test_without_start_time_or_interval_every_task_is_due_when_its_device_is_free(paris):
    assert _due(paris, _follow()) == [None, None, None]


def test_start_time_still_ahead_today_is_due_today_local_time(paris):
    assert _due(paris, _follow(start_time="10:30")) == ["2026-03-10T10:30:00+01:00"] * 3


def test_start_time_already_past_is_due_tomorrow(paris):
    assert _due(paris, _follow(start_time="08:59")) == ["2026-03-11T08:59:00+01:00"] * 3


def test_start_time_equal_to_now_is_due_now(paris):
    assert _due(paris, _follow(start_time="09:00")) == ["2026-03-10T09:00:00+01:00"] * 3


def test_start_time_uses_the_server_zone_not_utc(make_api):
    api = make_api(clock=FakeClock(NOW), tz=ZoneInfo("Asia/Tokyo"))  # 17:00 in Tokyo
    assert _due(api, _follow(start_time="18:00"))[0] == "2026-03-10T18:00:00+09:00"


def test_fixed_interval_spaces_tasks_of_one_device_from_the_start_time(paris):
    assert _due(paris, _follow(start_time="10:30", min_interval=5, max_interval=5)) == [
        "2026-03-10T10:30:00+01:00",
        "2026-03-10T10:35:00+01:00",
        "2026-03-10T10:40:00+01:00",
    ]


def test_interval_without_start_time_counts_from_now_and_the_first_task_waits_for_nothing(paris):
    assert _due(paris, _follow(min_interval=7, max_interval=7)) == [
        None,
        "2026-03-10T09:07:00+01:00",
        "2026-03-10T09:14:00+01:00",
    ]


def test_only_min_interval_given_makes_max_take_its_value(paris):
    assert _due(paris, _follow(start_time="10:00", min_interval=3)) == [
        "2026-03-10T10:00:00+01:00",
        "2026-03-10T10:03:00+01:00",
        "2026-03-10T10:06:00+01:00",
    ]


def test_only_max_interval_given_makes_min_take_its_value(paris):
    assert _due(paris, _follow(start_time="10:00", max_interval=4)) == [
        "2026-03-10T10:00:00+01:00",
        "2026-03-10T10:04:00+01:00",
        "2026-03-10T10:08:00+01:00",
    ]


def test_each_device_has_its_own_sequence(paris):
    body = _follow(serials=["A", "B"], start_time="10:00", min_interval=10, max_interval=10)
    assert (
        _due(paris, body) == ["2026-03-10T10:00:00+01:00", "2026-03-10T10:10:00+01:00", "2026-03-10T10:20:00+01:00"] * 2
    )


def test_random_interval_draws_whole_minutes_within_min_and_max(paris):
    body = _follow(start_time="10:00", min_interval=1, max_interval=3)
    body["script_config"]["target_users"] = [f"u{i}" for i in range(30)]
    due = [datetime.fromisoformat(text) for text in _due(paris, body)]
    assert due[0] == datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    gaps = {b - a for a, b in zip(due, due[1:], strict=False)}
    assert gaps <= {timedelta(minutes=m) for m in (1, 2, 3)}
    assert len(gaps) > 1  # 29 draws from three values are not all alike


def test_retry_makes_the_task_due_now(paris):
    task_id = paris.create(_follow(start_time="10:30"))["task_ids"][0]
    paris.ok(paris.client.post(f"/api/v1/task/{task_id}/stop"))
    paris.ok(paris.client.post(f"/api/v1/task/{task_id}/retry"))
    assert paris.task(task_id)["start_time"] is None
