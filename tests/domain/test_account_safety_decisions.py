"""An account's own limits, the rests its warnings earn (escalating within 7 days), lifting a rest; the
default limits from the API and from a file; pausing a phone; holding a pending task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.account import AccountNotFound, decide_clear, decide_restrict, decide_set_limits, fold
from service.domain.default_limits import FROM_API, FROM_FILE, decide_set_defaults
from service.domain.default_limits import fold as fold_defaults
from service.domain.device import DeviceNotFound, DeviceState, decide_pause, decide_resume
from service.domain.errors import TransitionRefused
from service.domain.limits import Limits, parse_window
from service.domain.task import HoldTask, ReleaseTask, StartTask, decide
from service.domain.task import fold as fold_task
from service.events import (
    AccountLimitsSet,
    AccountRegistered,
    AccountRestricted,
    DefaultLimitsSet,
    DevicePaused,
    DeviceResumed,
    RestrictionCleared,
    TaskCreated,
    TaskHeld,
    TaskReleased,
    TaskStarted,
)

UTC = UTC
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
REGISTERED = AccountRegistered(username="alice", serial="phone-1")
LADDER = (1.0, 6.0, 24.0)
FOLLOW_30 = Limits(daily={"follow": 30}, working_hours=(parse_window("09:00-18:00"),), timezone="Europe/Paris")


def warned(at: datetime, hours: float = 1) -> AccountRestricted:
    return AccountRestricted(
        reason="rate limited",
        at=at.isoformat(timespec="seconds"),
        until=(at + timedelta(hours=hours)).isoformat(timespec="seconds"),
        strike=1,
    )


def test_setting_an_accounts_limits_records_them_once():
    assert decide_set_limits(fold("alice", [REGISTERED]), FOLLOW_30) == [
        AccountLimitsSet(
            daily={"follow": 30}, working_hours=["09:00-18:00"], timezone="Europe/Paris", cooldown_hours=None
        )
    ]
    again = fold("alice", [REGISTERED, *decide_set_limits(fold("alice", [REGISTERED]), FOLLOW_30)])
    assert decide_set_limits(again, FOLLOW_30) == []
    assert decide_set_limits(again, Limits()) == [AccountLimitsSet()]


def test_limits_of_an_unknown_account_are_refused():
    with pytest.raises(AccountNotFound):
        decide_set_limits(fold("nobody", []), FOLLOW_30)


def test_a_first_warning_rests_the_account_one_hour():
    assert decide_restrict(fold("alice", [REGISTERED]), "rate limited", NOW, LADDER, task_id=7) == [
        AccountRestricted(
            reason="rate limited",
            at="2026-06-01T10:00:00+00:00",
            until="2026-06-01T11:00:00+00:00",
            strike=1,
            task_id=7,
        )
    ]


def test_warnings_repeated_within_seven_days_rest_it_six_then_twenty_four_hours_and_no_longer():
    history = [REGISTERED, warned(NOW - timedelta(days=6)), RestrictionCleared()]
    second = decide_restrict(fold("alice", history), "action blocked", NOW, LADDER)[0]
    assert (second.strike, second.until) == (2, "2026-06-01T16:00:00+00:00")
    third = decide_restrict(fold("alice", [*history, warned(NOW - timedelta(hours=10))]), "blocked", NOW, LADDER)[0]
    assert (third.strike, third.until) == (3, "2026-06-02T10:00:00+00:00")
    history += [warned(NOW - timedelta(hours=10)), warned(NOW - timedelta(hours=9))]
    fourth = decide_restrict(fold("alice", history), "blocked", NOW, LADDER)[0]
    assert (fourth.strike, fourth.until) == (4, "2026-06-02T10:00:00+00:00")


def test_a_warning_older_than_seven_days_no_longer_counts():
    history = [REGISTERED, warned(NOW - timedelta(days=7))]
    assert decide_restrict(fold("alice", history), "rate limited", NOW, LADDER)[0].strike == 1


def test_a_new_warning_never_shortens_a_longer_rest():
    history = [REGISTERED, warned(NOW - timedelta(days=30), hours=24 * 40)]
    assert decide_restrict(fold("alice", history), "again", NOW, LADDER)[0].until == "2026-06-11T10:00:00+00:00"


def test_clearing_lifts_a_current_rest_and_does_nothing_once_it_ended():
    resting = fold("alice", [REGISTERED, warned(NOW - timedelta(minutes=30))])
    assert decide_clear(resting, NOW) == [RestrictionCleared()]
    assert decide_clear(resting, NOW + timedelta(hours=1)) == []
    assert fold("alice", [REGISTERED, warned(NOW), RestrictionCleared()]).restriction is None


def test_a_cleared_rest_still_counts_as_a_warning():
    history = [REGISTERED, warned(NOW - timedelta(hours=2)), RestrictionCleared()]
    assert decide_restrict(fold("alice", history), "again", NOW, LADDER)[0].strike == 2


def test_the_api_replaces_the_defaults_only_when_they_change():
    set_by_api = DefaultLimitsSet(
        daily={"follow": 30}, working_hours=["09:00-18:00"], timezone="Europe/Paris", source=FROM_API
    )
    assert decide_set_defaults(fold_defaults([]), FOLLOW_30, FROM_API) == [set_by_api]
    assert decide_set_defaults(fold_defaults([set_by_api]), FOLLOW_30, FROM_API) == []


def test_an_unchanged_file_keeps_what_the_api_set_since_and_an_edited_one_applies():
    from_file = DefaultLimitsSet(
        daily={"follow": 30}, working_hours=["09:00-18:00"], timezone="Europe/Paris", source=FROM_FILE
    )
    by_api = DefaultLimitsSet(daily={"follow": 5}, source=FROM_API)
    assert decide_set_defaults(fold_defaults([]), FOLLOW_30, FROM_FILE) == [from_file]
    assert decide_set_defaults(fold_defaults([from_file, by_api]), FOLLOW_30, FROM_FILE) == []
    edited = Limits(daily={"follow": 20})
    assert decide_set_defaults(fold_defaults([from_file, by_api]), edited, FROM_FILE) == [
        DefaultLimitsSet(daily={"follow": 20}, source=FROM_FILE)
    ]


def test_a_known_phone_pauses_and_resumes_once_each():
    phone = DeviceState("phone-1", known=True, state="device")
    assert decide_pause(phone) == [DevicePaused()]
    paused = DeviceState("phone-1", known=True, state="device", paused=True)
    assert (decide_pause(paused), decide_resume(paused), decide_resume(phone)) == ([], [DeviceResumed()], [])
    with pytest.raises(DeviceNotFound):
        decide_pause(DeviceState("phone-9"))


CREATED = TaskCreated(serial="phone-1", username="alice", script_name="follow", script_config={})
HOLD = HoldTask(kind="daily_limit", account="alice", reason="limit", until="2026-06-01T22:00:00+00:00")


def test_a_pending_task_is_held_once_per_reason_and_released_once():
    held = TaskHeld(kind="daily_limit", account="alice", reason="limit", until="2026-06-01T22:00:00+00:00")
    assert decide(fold_task(7, [CREATED]), HOLD) == [held]
    assert decide(fold_task(7, [CREATED, held]), HOLD) == []
    assert decide(fold_task(7, [CREATED, held]), ReleaseTask()) == [TaskReleased()]
    assert decide(fold_task(7, [CREATED, held, TaskReleased()]), ReleaseTask()) == []
    assert fold_task(7, [CREATED, held, TaskStarted(attempt=1, serial="phone-1", seed=1)]).held is None


def test_a_running_task_is_neither_held_nor_released():
    running = fold_task(7, [CREATED, *decide(fold_task(7, [CREATED]), StartTask(serial="phone-1", seed=1))])
    for command in (HOLD, ReleaseTask()):
        with pytest.raises(TransitionRefused):
            decide(running, command)
