"""May a task start now for its accounts? Holds by restriction, daily limit and working hours, with a
fake clock across day boundaries and the nights the clocks change; a warm-up's allowance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.domain.admission import (
    DAILY_LIMIT,
    RESTRICTED,
    WORKING_HOURS,
    Allowance,
    Hold,
    Restriction,
    Standing,
    hold_for,
)
from service.domain.limits import Limits, effective, parse_window, zone_named

UTC = UTC
PARIS = zone_named("Europe/Paris")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def alice(today=None, restriction=None, **limits) -> Standing:
    hours = limits.pop("working_hours", None)
    own = Limits(working_hours=None if hours is None else tuple(parse_window(w) for w in hours), **limits)
    return Standing("alice", "alice", effective(own, None, PARIS), today or {}, restriction)


FOLLOW_30 = {"daily": {"follow": 30}, "timezone": "Europe/Paris"}


def test_a_follow_under_its_daily_limit_may_start():
    assert hold_for("follow", [alice({"follow": 29}, **FOLLOW_30)], utc("2026-06-01 10:00")) is None


def test_a_follow_at_its_daily_limit_waits_until_the_next_local_day():
    hold = hold_for("follow", [alice({"follow": 30}, **FOLLOW_30)], utc("2026-06-01 10:00"))
    assert hold == Hold(
        DAILY_LIMIT,
        "alice",
        "daily follow limit of @alice reached (30/30); next after 00:00 Europe/Paris",
        utc("2026-06-01 22:00"),
    )


def test_the_daily_limit_waits_23_hours_at_most_on_the_spring_change_and_25_in_autumn():
    spring = hold_for("follow", [alice({"follow": 30}, **FOLLOW_30)], utc("2026-03-28 23:00"))
    autumn = hold_for("follow", [alice({"follow": 30}, **FOLLOW_30)], utc("2026-10-24 22:00"))
    assert spring.until - utc("2026-03-28 23:00") == timedelta(hours=23)
    assert autumn.until - utc("2026-10-24 22:00") == timedelta(hours=25)


def test_a_limit_of_zero_never_lets_the_action_start():
    assert hold_for("comment", [alice({}, daily={"comment": 0})], utc("2026-06-01 10:00")).kind == DAILY_LIMIT


def test_other_actions_and_match_account_are_not_held_by_the_follow_limit():
    full = alice({"follow": 30}, **FOLLOW_30)
    now = utc("2026-06-01 10:00")
    assert [
        hold_for(script, [full], now) for script in ("unfollow", "comment", "post", "account_warmup", "match_account")
    ] == [None] * 5


def test_outside_the_working_hours_a_task_waits_for_the_next_window():
    standing = alice(working_hours=["09:00-12:30", "18:00-23:00"], timezone="Europe/Paris")
    hold = hold_for("post", [standing], utc("2026-06-01 11:00"))  # 13:00 in Paris
    assert hold == Hold(
        WORKING_HOURS,
        "alice",
        "outside the working hours of @alice (09:00-12:30, 18:00-23:00 Europe/Paris); next at 18:00 Europe/Paris",
        utc("2026-06-01 16:00"),
    )
    late = hold_for("post", [standing], utc("2026-06-01 21:30"))  # 23:30
    assert late.until == utc("2026-06-02 07:00")
    assert late.reason.endswith("next at 2026-06-02 09:00 Europe/Paris")


def test_the_working_hours_hold_a_warm_up_but_the_daily_limits_do_not():
    night = alice({"like": 50}, daily={"like": 50}, working_hours=["09:00-18:00"], timezone="Europe/Paris")
    assert hold_for("account_warmup", [night], utc("2026-06-01 22:00")).kind == WORKING_HOURS
    assert hold_for("account_warmup", [night], utc("2026-06-01 10:00")) is None


def test_a_restricted_account_holds_every_task_but_match_account_until_its_rest_ends():
    resting = alice(
        restriction=Restriction("rate limited by TikTok: Too many attempts.", utc("2026-06-01 11:00")),
        timezone="Europe/Paris",
    )
    hold = hold_for("account_warmup", [resting], utc("2026-06-01 10:00"))
    assert hold == Hold(
        RESTRICTED,
        "alice",
        "@alice is restricted until 13:00 Europe/Paris (rate limited by TikTok: Too many attempts.)",
        utc("2026-06-01 11:00"),
    )
    assert hold_for("match_account", [resting], utc("2026-06-01 10:00")) is None
    assert hold_for("follow", [resting], utc("2026-06-01 11:00")) is None


def test_a_restriction_comes_before_a_limit_and_a_limit_before_the_working_hours():
    everything = alice(
        {"follow": 1},
        Restriction("action blocked", utc("2026-06-01 23:00")),
        daily={"follow": 1},
        working_hours=["09:00-10:00"],
        timezone="Europe/Paris",
    )
    assert hold_for("follow", [everything], utc("2026-06-01 20:00")).kind == RESTRICTED
    limited = alice({"follow": 1}, daily={"follow": 1}, working_hours=["09:00-10:00"], timezone="Europe/Paris")
    assert hold_for("follow", [limited], utc("2026-06-01 20:00")).kind == DAILY_LIMIT


def test_a_task_for_several_accounts_waits_for_the_first_that_holds_it():
    bob = Standing("bob", "Bob", effective(Limits(daily={"follow": 2}), None, UTC), {"follow": 2})
    hold = hold_for("follow", [alice(), bob], utc("2026-06-01 10:00"))
    assert (hold.kind, hold.account) == (DAILY_LIMIT, "Bob")


def test_a_warm_up_stops_liking_at_the_limit_and_likes_again_the_next_local_day():
    started = utc("2026-06-01 21:50")  # 23:50 in Paris
    allowance = Allowance([alice({"like": 48}, daily={"like": 50}, timezone="Europe/Paris")], started)
    assert allowance.refusal("like", started) is None
    allowance.count("like", started)
    allowance.count("like", started + timedelta(minutes=1))
    assert allowance.refusal("like", started + timedelta(minutes=2)) == "daily like limit"
    assert allowance.refusal("collect", started + timedelta(minutes=2)) is None
    assert allowance.refusal("like", started + timedelta(minutes=10)) is None  # 00:00: a new day


def test_a_warm_up_acts_only_inside_the_working_hours():
    allowance = Allowance([alice(working_hours=["09:00-12:00"], timezone="Europe/Paris")], utc("2026-06-01 09:00"))
    assert allowance.refusal("like", utc("2026-06-01 09:59")) is None
    assert allowance.refusal("like", utc("2026-06-01 10:00")) == "outside working hours"
