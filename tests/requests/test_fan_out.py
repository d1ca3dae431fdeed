"""fan_out: order and counts, account modes, due times, intervals, comment lines, limits."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.errors import ApiError
from service.requests import CreateTaskRequest, FilePolicy, TaskSpec, fan_out, parse_create_task
from service.requests.fan_out import next_occurrence

POLICY = FilePolicy(data_dir=Path("/nonexistent-data-dir"))
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 27, 14, 30, 15, tzinfo=PARIS)
URL_A = "https://vm.tiktok.com/ZMa/"
URL_B = "https://vm.tiktok.com/ZMb/"
URL_C = "https://vm.tiktok.com/ZMc/"


def request(**body: object) -> CreateTaskRequest:
    return parse_create_task(json.dumps(body).encode(), POLICY)


def follow(**extra: object) -> CreateTaskRequest:
    return request(script_name="follow", script_config={"target_users": ["x", "y", "z"]}, **extra)


def tasks_of(
    req: CreateTaskRequest,
    *,
    accounts: dict[str, list[str]] | None = None,
    now: datetime = NOW,
    seed: int = 7,
) -> list[TaskSpec]:
    accounts = accounts or {}
    device_of = {name.removeprefix("@").casefold(): serial for serial, names in accounts.items() for name in names}
    return fan_out(req, accounts_by_device=accounts, device_of_account=device_of, now=now, rng=random.Random(seed))


def refusal(req: CreateTaskRequest, **kwargs: object) -> str:
    with pytest.raises(ApiError) as caught:
        tasks_of(req, **kwargs)
    assert int(caught.value.code) == 40001
    return caught.value.message


# --- order and counts ------------------------------------------------------------------


def test_three_targets_on_two_devices_make_six_tasks_device_by_device() -> None:
    tasks = tasks_of(follow(serials=["s2", "s1"]))
    assert [(t.serial, t.script_config["target_users"]) for t in tasks] == [
        ("s2", ["x"]),
        ("s2", ["y"]),
        ("s2", ["z"]),
        ("s1", ["x"]),
        ("s1", ["y"]),
        ("s1", ["z"]),
    ]
    assert all(t.username is None and t.script_name == "follow" for t in tasks)


def test_each_task_config_is_the_normalised_config_plus_its_single_target() -> None:
    task = tasks_of(follow(serials=["s"]))[0]
    assert task.script_config == {"target_users": ["x"], "access_method": "direct"}
    body = {"target_post_urls": [URL_A, URL_B], "comment_content": "hi"}
    tasks = tasks_of(request(serials=["s"], script_name="comment", script_config=body))
    assert [t.script_config["target_post_urls"] for t in tasks] == [[URL_A], [URL_B]]
    assert "target_post_url" not in tasks[0].script_config


def test_a_script_without_targets_makes_one_task_per_device() -> None:
    tasks = tasks_of(request(serials=["a", "b", "a"], script_name="post", script_config={}))
    assert [t.serial for t in tasks] == ["a", "b", "a"]
    assert tasks[0].script_config == tasks[1].script_config
    assert tasks[0].script_config is not tasks[1].script_config


def test_account_mode_runs_each_username_on_its_device_as_given() -> None:
    accounts = {"s1": ["Alice"], "s2": ["@bob", "carol"]}
    tasks = tasks_of(follow(usernames=["carol", "@ALICE", "bob"]), accounts=accounts)
    assert [(t.serial, t.username) for t in tasks[::3]] == [("s2", "carol"), ("s1", "@ALICE"), ("s2", "bob")]
    assert len(tasks) == 9


def test_unknown_usernames_are_all_named_and_nothing_is_made() -> None:
    req = follow(usernames=["ghost", "alice", "@phantom", "ghost"])
    assert refusal(req, accounts={"s1": ["alice"]}) == 'usernames not known as accounts: "ghost", "@phantom"'


def test_multi_account_makes_a_task_per_known_account_on_each_device() -> None:
    req = request(serials=["s1", "s2"], script_name="post", script_config={}, enable_multi_account=True)
    tasks = tasks_of(req, accounts={"s1": ["@a", "b"], "s3": ["c"]})
    assert [(t.serial, t.username) for t in tasks] == [("s1", "@a"), ("s1", "b"), ("s2", None)]


def test_without_multi_account_the_known_accounts_do_not_matter() -> None:
    tasks = tasks_of(request(serials=["s1"], script_name="post", script_config={}), accounts={"s1": ["a", "b"]})
    assert [(t.serial, t.username) for t in tasks] == [("s1", None)]


def test_at_most_ten_thousand_tasks_from_one_request() -> None:
    serials = [f"s{i}" for i in range(1000)]
    ten = [f"u{i}" for i in range(10)]
    assert len(tasks_of(request(serials=serials, script_name="follow", script_config={"target_users": ten}))) == 10_000
    eleven = [*ten, "u10"]
    req = request(serials=serials, script_name="follow", script_config={"target_users": eleven})
    assert refusal(req) == "this request would create 11,000 tasks; at most 10,000 are allowed in one request"


def test_multi_account_counts_towards_the_limit() -> None:
    req = request(serials=["s1"], script_name="post", script_config={}, enable_multi_account=True)
    assert "10,001 tasks" in refusal(req, accounts={"s1": [f"a{i}" for i in range(10_001)]})


def test_secrets_go_with_every_task_and_stay_hidden_in_its_config() -> None:
    config = {"generate_by_chatgpt": True, "chatgpt_settings": {"api_key": "sk-canary"}}
    tasks = tasks_of(request(serials=["a", "b"], script_name="account_warmup", script_config=config))
    assert [t.secrets for t in tasks] == [{"chatgpt_api_key": "sk-canary"}] * 2
    assert all(t.script_config["chatgpt_settings"]["api_key"] == "***" for t in tasks)
    assert "sk-canary" not in repr(tasks)


# --- start time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "hh_mm", "due"),
    [
        (datetime(2026, 11, 27, 9, 0, tzinfo=PARIS), (14, 30), datetime(2026, 11, 27, 14, 30, tzinfo=PARIS)),
        (datetime(2026, 11, 27, 15, 0, tzinfo=PARIS), (14, 30), datetime(2026, 11, 28, 14, 30, tzinfo=PARIS)),
        (datetime(2026, 11, 27, 14, 30, tzinfo=PARIS), (14, 30), datetime(2026, 11, 27, 14, 30, tzinfo=PARIS)),
        (datetime(2026, 11, 27, 14, 30, 1, tzinfo=PARIS), (14, 30), datetime(2026, 11, 28, 14, 30, tzinfo=PARIS)),
        (datetime(2026, 12, 31, 23, 50, tzinfo=PARIS), (0, 10), datetime(2027, 1, 1, 0, 10, tzinfo=PARIS)),
        (datetime(2026, 12, 31, 23, 50, tzinfo=PARIS), (23, 55), datetime(2026, 12, 31, 23, 55, tzinfo=PARIS)),
    ],
)
def test_start_time_is_its_next_local_occurrence(now: datetime, hh_mm: tuple, due: datetime) -> None:
    assert next_occurrence(now, *hh_mm) == due


def test_start_time_is_local_to_the_zone_of_now_not_utc() -> None:
    now = datetime(2026, 6, 1, 23, 0, tzinfo=ZoneInfo("America/Los_Angeles"))  # 06:00 UTC next day
    due = next_occurrence(now, 8, 0)
    assert due == datetime(2026, 6, 2, 8, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert due.astimezone(UTC) == datetime(2026, 6, 2, 15, 0, tzinfo=UTC)
    assert due.utcoffset() == timedelta(hours=-7)


def test_a_start_time_skipped_by_dst_falls_forward() -> None:
    now = datetime(2026, 3, 29, 1, 0, tzinfo=PARIS)  # clocks jump from 02:00 to 03:00
    due = next_occurrence(now, 2, 30)
    assert (due.hour, due.minute, due.utcoffset()) == (3, 30, timedelta(hours=2))


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_occurrence(datetime(2026, 1, 1), 1, 0)


def test_every_first_task_on_a_device_is_due_at_the_start_time() -> None:
    tasks = tasks_of(follow(serials=["s1", "s2"], start_time="16:00"))
    due = datetime(2026, 11, 27, 16, 0, tzinfo=PARIS)
    assert [t.start_time for t in tasks[::3]] == [due, due]


def test_without_start_time_or_interval_every_task_is_due_when_its_device_is_free() -> None:
    assert {t.start_time for t in tasks_of(follow(serials=["s1", "s2"]))} == {None}


# --- intervals -------------------------------------------------------------------------


def minutes_after(tasks: list[TaskSpec], origin: datetime) -> list[float | None]:
    return [None if t.start_time is None else (t.start_time - origin).total_seconds() / 60 for t in tasks]


def test_a_fixed_interval_spaces_the_tasks_of_each_device_from_the_start_time() -> None:
    tasks = tasks_of(follow(serials=["s1", "s2"], start_time="16:00", min_interval=10))
    start = datetime(2026, 11, 27, 16, 0, tzinfo=PARIS)
    assert minutes_after(tasks, start) == [0, 10, 20, 0, 10, 20]


def test_without_start_time_the_first_task_waits_for_its_device_and_the_next_count_from_now() -> None:
    tasks = tasks_of(follow(serials=["s1"], min_interval=5))
    assert minutes_after(tasks, NOW) == [None, 5, 10]
    assert tasks[1].start_time.tzinfo is PARIS


def test_random_intervals_are_whole_minutes_in_range_and_follow_the_seed() -> None:
    req = request(serials=["s1"] * 200, script_name="post", script_config={}, min_interval=3, max_interval=6)
    first = tasks_of(req, seed=1)
    gaps = [b - a for a, b in zip(minutes_after(first, NOW)[1:], minutes_after(first, NOW)[2:], strict=False)]
    assert set(gaps) == {3, 4, 5, 6}
    assert minutes_after(first, NOW) == minutes_after(tasks_of(req, seed=1), NOW)
    assert minutes_after(first, NOW) != minutes_after(tasks_of(req, seed=2), NOW)


def test_intervals_count_per_device_across_accounts_and_repeated_serials() -> None:
    req = request(
        serials=["s1", "s2", "s1"],
        script_name="post",
        script_config={},
        enable_multi_account=True,
        min_interval=30,
        start_time="16:00",
    )
    tasks = tasks_of(req, accounts={"s1": ["a", "b"]})
    start = datetime(2026, 11, 27, 16, 0, tzinfo=PARIS)
    assert [(t.serial, t.username) for t in tasks] == [("s1", "a"), ("s1", "b"), ("s2", None), ("s1", "a"), ("s1", "b")]
    assert minutes_after(tasks, start) == [0, 30, 0, 60, 90]


def test_intervals_are_elapsed_time_across_a_dst_change() -> None:
    now = datetime(2026, 10, 25, 1, 0, tzinfo=PARIS)  # 03:00 becomes 02:00 again
    tasks = tasks_of(
        request(serials=["s"] * 3, script_name="post", script_config={}, start_time="01:30", min_interval=60), now=now
    )
    utc = [t.start_time.astimezone(UTC) for t in tasks]
    assert [b - a for a, b in zip(utc, utc[1:], strict=False)] == [timedelta(hours=1)] * 2
    assert [t.start_time.utcoffset() for t in tasks] == [timedelta(hours=2), timedelta(hours=2), timedelta(hours=1)]


# --- comment lines ---------------------------------------------------------------------


def test_sequential_comments_give_the_nth_task_on_a_device_line_n_cycling() -> None:
    config = {
        "target_post_urls": [URL_A, URL_B, URL_C],
        "comment_content": "one\n\n two \nthree",
        "comment_order": "sequential",
    }
    tasks = tasks_of(request(serials=["s1", "s2"], script_name="comment", script_config=config))
    assert [(t.serial, t.script_config["comment_line"]) for t in tasks] == [
        ("s1", 1),
        ("s1", 2),
        ("s1", 3),
        ("s2", 1),
        ("s2", 2),
        ("s2", 3),
    ]
    config = {**config, "comment_content": "one\ntwo"}
    tasks = tasks_of(request(serials=["s1"], script_name="comment", script_config=config))
    assert [t.script_config["comment_line"] for t in tasks] == [1, 2, 1]


def test_random_comments_are_chosen_when_the_task_runs() -> None:
    config = {"target_post_urls": [URL_A], "comment_content": "one\ntwo"}
    assert (
        "comment_line"
        not in tasks_of(request(serials=["s1"], script_name="comment", script_config=config))[0].script_config
    )
