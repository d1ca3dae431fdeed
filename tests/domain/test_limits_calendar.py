"""Days and working hours in an account's zone: windows, day boundaries, and the nights the clocks change
(Europe/Paris: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from service.domain.limits import (
    DEFAULT_COOLDOWN_HOURS,
    Limits,
    Window,
    effective,
    first_overlap,
    parse_window,
    zone_named,
)
from service.domain.local_days import day_bounds, first_moment, next_opening

PARIS = zone_named("Europe/Paris")
UTC = UTC


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def windows(*texts: str) -> tuple[Window, ...]:
    return tuple(parse_window(text) for text in texts)


def test_a_window_reads_hours_and_minutes_and_may_end_at_midnight():
    assert parse_window("09:00-12:30") == Window(540, 750)
    assert parse_window(" 18:00-24:00 ") == Window(1080, 1440)
    assert str(Window(540, 750)) == "09:00-12:30"


@pytest.mark.parametrize(
    "text",
    [
        "9-12",
        "09:00",
        "09:00-12",
        "9:00-12:00",
        "09:60-10:00",
        "25:00-26:00",
        "12:00-09:00",
        "10:00-10:00",
        "24:00-24:00",
        "22:00-02:00",
        "ab:cd-ef:gh",
    ],
)
def test_a_malformed_or_empty_or_overnight_window_is_refused(text):
    with pytest.raises(ValueError):
        parse_window(text)


def test_overlapping_windows_are_found_and_touching_ones_are_not():
    assert first_overlap(windows("09:00-12:00", "12:00-14:00")) is None
    assert first_overlap(windows("18:00-23:00", "09:00-12:30", "12:00-13:00")) == (1, 2)


def test_a_time_zone_must_exist():
    assert zone_named("Europe/Paris").key == "Europe/Paris"
    for name in ("Mars/Olympus", "America", "../etc/passwd", ""):
        with pytest.raises(ValueError, match="unknown time zone"):
            zone_named(name)


def test_a_day_in_paris_runs_from_local_midnight_to_local_midnight():
    assert day_bounds(utc("2026-06-01 21:59:59"), PARIS) == (utc("2026-05-31 22:00"), utc("2026-06-01 22:00"))
    assert day_bounds(utc("2026-06-01 22:00"), PARIS) == (utc("2026-06-01 22:00"), utc("2026-06-02 22:00"))


def test_the_day_the_clocks_go_forward_has_23_hours_and_the_day_they_go_back_25():
    start, end = day_bounds(utc("2026-03-29 12:00"), PARIS)
    assert (start, end, end - start) == (utc("2026-03-28 23:00"), utc("2026-03-29 22:00"), timedelta(hours=23))
    start, end = day_bounds(utc("2026-10-25 12:00"), PARIS)
    assert (start, end, end - start) == (utc("2026-10-24 22:00"), utc("2026-10-25 23:00"), timedelta(hours=25))


def test_a_midnight_that_the_clocks_skip_starts_the_day_at_the_jump():
    santiago = zone_named("America/Santiago")  # 2026-09-06 00:00 → 01:00
    assert first_moment(date(2026, 9, 6), 0, santiago) == utc("2026-09-06 04:00")
    assert day_bounds(utc("2026-09-06 12:00"), santiago)[0] == utc("2026-09-06 04:00")


def test_inside_a_window_nothing_waits_and_outside_the_next_opening_is_given():
    hours = windows("09:00-12:30", "18:00-23:00")
    assert next_opening(utc("2026-06-01 08:00"), hours, PARIS) is None  # 10:00 in Paris
    assert next_opening(utc("2026-06-01 11:00"), hours, PARIS) == utc("2026-06-01 16:00")  # 13:00 → 18:00
    assert next_opening(utc("2026-06-01 21:30"), hours, PARIS) == utc("2026-06-02 07:00")  # 23:30 → 09:00
    assert next_opening(utc("2026-06-01 11:00"), (), PARIS) is None


def test_the_end_of_a_window_is_outside_it():
    assert next_opening(utc("2026-06-01 10:30"), windows("09:00-12:30"), PARIS) == utc("2026-06-02 07:00")


def test_a_window_opening_in_the_skipped_hour_opens_when_the_clocks_jump():
    # 02:30 does not exist in Paris on 2026-03-29: the clocks go from 02:00 CET to 03:00 CEST (01:00 UTC).
    assert next_opening(utc("2026-03-29 00:30"), windows("02:30-05:00"), PARIS) == utc("2026-03-29 01:00")
    assert next_opening(utc("2026-03-29 01:00"), windows("02:30-05:00"), PARIS) is None  # 03:00 CEST


def test_a_window_in_the_hour_that_happens_twice_opens_at_its_first_time_and_holds_both():
    hours = windows("02:00-02:30")
    assert next_opening(utc("2026-10-24 22:00"), hours, PARIS) == utc("2026-10-25 00:00")  # 02:00 CEST
    assert next_opening(utc("2026-10-25 00:10"), hours, PARIS) is None  # 02:10 CEST
    assert next_opening(utc("2026-10-25 01:10"), hours, PARIS) is None  # 02:10 CET, again


def test_working_hours_follow_local_time_across_the_spring_change():
    morning = windows("09:00-12:00")
    assert next_opening(utc("2026-03-28 07:30"), morning, PARIS) == utc("2026-03-28 08:00")  # 08:30 CET → 09:00
    assert next_opening(utc("2026-03-28 08:00"), morning, PARIS) is None  # 09:00 CET
    assert next_opening(utc("2026-03-28 11:00"), morning, PARIS) == utc("2026-03-29 07:00")  # 09:00 CEST
    assert next_opening(utc("2026-03-29 07:30"), morning, PARIS) is None  # 09:30 CEST
    assert next_opening(utc("2026-10-25 07:30"), morning, PARIS) == utc("2026-10-25 08:00")  # 08:30 CET → 09:00


def test_an_accounts_own_limits_fall_back_on_the_defaults_action_by_action_and_field_by_field():
    defaults = Limits(daily={"follow": 30, "like": 100}, working_hours=windows("09:00-18:00"), timezone="Europe/Paris")
    own = Limits(daily={"follow": 10, "like": None, "comment": 5})
    limits = effective(own, defaults, UTC)
    assert dict(limits.daily) == {"follow": 10, "comment": 5}
    assert (limits.working_hours, limits.zone_name, limits.cooldown_hours) == (
        windows("09:00-18:00"),
        "Europe/Paris",
        DEFAULT_COOLDOWN_HOURS,
    )
    anytime = effective(Limits(working_hours=(), timezone="Asia/Tokyo", cooldown_hours=(2.0,)), defaults, UTC)
    assert (anytime.working_hours, anytime.zone_name, anytime.cooldown_hours) == ((), "Asia/Tokyo", (2.0,))


def test_without_any_limits_nothing_is_limited_and_the_servers_zone_applies():
    limits = effective(None, None, PARIS)
    assert (dict(limits.daily), limits.working_hours, limits.zone_name) == ({}, (), "Europe/Paris")
