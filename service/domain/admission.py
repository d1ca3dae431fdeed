"""May a task start now for its accounts, and may a running warm-up still act? Pure: each
account's standing and the time are passed in.

A task waits (is held) while one of its accounts is restricted, has reached the task's daily
limit, or is outside its working hours, in that order; the hold says why and until when.
match_account is never held (it only reads which accounts a phone has). An account warm-up is
held by a restriction and the working hours, never by a daily limit: it starts, and each of
its actions stops at its own limit while the watching goes on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from service.domain.limits import EffectiveLimits, describe_hours
from service.domain.local_days import day_bounds, next_opening

RESTRICTED, DAILY_LIMIT, WORKING_HOURS = "restricted", "daily_limit", "working_hours"
HOLD_KINDS = (RESTRICTED, DAILY_LIMIT, WORKING_HOURS)
SCRIPT_ACTIONS = {"follow": "follow", "unfollow": "unfollow", "comment": "comment", "post": "post"}
NEVER_HELD = frozenset({"match_account"})


@dataclass(frozen=True, slots=True)
class Restriction:
    """The rest the platform's warning earned an account."""

    reason: str
    until: datetime


@dataclass(frozen=True, slots=True)
class Standing:
    """An account as admission sees it at one moment."""

    key: str
    username: str
    limits: EffectiveLimits
    today: Mapping[str, int] = field(default_factory=dict)  # actions done in the local day holding the moment
    restriction: Restriction | None = None


def standing(
    key: str,
    username: str,
    limits: EffectiveLimits,
    done: Iterable[tuple[int, str, int]],
    rest: Restriction | None,
    now: datetime,
) -> Standing:
    """An account's standing at `now` from what it did, as (quarter-hour start in unix time, action,
    count): today is the local day holding `now` in the account's zone; a rest that ended is none."""
    start, end = (moment.timestamp() for moment in day_bounds(now, limits.zone))
    today: Counter = Counter()
    for bucket, action, n in done:
        if start <= bucket < end:
            today[action] += n
    return Standing(key, username, limits, dict(today), rest if rest is not None and rest.until > now else None)


@dataclass(frozen=True, slots=True)
class Hold:
    """Why a task may not start yet, and when to ask again."""

    kind: str
    account: str
    reason: str
    until: datetime


def handle(username: str) -> str:
    """`@name`."""
    return "@" + username.lstrip("@")


def local_time(moment: datetime, limits: EffectiveLimits, now: datetime | None = None) -> str:
    """`18:00 Europe/Paris`; with `now`, the date too when it is another day there."""
    local = moment.astimezone(limits.zone)
    dated = now is not None and local.date() != now.astimezone(limits.zone).date()
    return f"{local.strftime('%Y-%m-%d %H:%M' if dated else '%H:%M')} {limits.zone_name}"


def hold_for(script_name: str, standings: Sequence[Standing], now: datetime) -> Hold | None:
    """The hold on a task of this script acting for these accounts, or None: it may start."""
    if script_name in NEVER_HELD:
        return None
    for s in standings:
        if s.restriction is not None and s.restriction.until > now:
            until = s.restriction.until
            return Hold(
                RESTRICTED,
                s.username,
                f"{handle(s.username)} is restricted until {local_time(until, s.limits, now)} ({s.restriction.reason})",
                until,
            )
    action = SCRIPT_ACTIONS.get(script_name)
    for s in standings:
        limit = s.limits.daily.get(action) if action else None
        done = s.today.get(action, 0) if action else 0
        if limit is not None and done >= limit:
            _, next_day = day_bounds(now, s.limits.zone)
            return Hold(
                DAILY_LIMIT,
                s.username,
                f"daily {action} limit of {handle(s.username)} reached "
                f"({done}/{limit}); next after {local_time(next_day, s.limits)}",
                next_day,
            )
    for s in standings:
        opening = next_opening(now, s.limits.working_hours, s.limits.zone)
        if opening is not None:
            return Hold(
                WORKING_HOURS,
                s.username,
                f"outside the working hours of {handle(s.username)} "
                f"({describe_hours(s.limits)}); next at {local_time(opening, s.limits, now)}",
                opening,
            )
    return None


class Allowance:
    """What a running task's accounts may still do, action by action: a warm-up asks before each
    like, follow, favourite and comment, and counts what it did."""

    def __init__(self, standings: Sequence[Standing], started: datetime) -> None:
        self.standings = tuple(standings)
        self.started = started
        self.done: list[tuple[str, datetime]] = []  # this run's actions

    def refusal(self, action: str, now: datetime) -> str | None:
        """Why the action may not be done now ("daily like limit", "outside working hours"), or None."""
        for s in self.standings:
            if next_opening(now, s.limits.working_hours, s.limits.zone) is not None:
                return "outside working hours"
            limit = s.limits.daily.get(action)
            if limit is None:
                continue
            start, end = day_bounds(now, s.limits.zone)
            earlier = s.today.get(action, 0) if start <= self.started.astimezone(UTC) < end else 0
            mine = sum(1 for kind, at in self.done if kind == action and start <= at < end)
            if earlier + mine >= limit:
                return f"daily {action} limit"
        return None

    def count(self, action: str, now: datetime) -> None:
        """The run did the action."""
        self.done.append((action, now.astimezone(UTC)))
