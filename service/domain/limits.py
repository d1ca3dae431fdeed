"""Account limits: what an account may do per day, in which hours, in which time zone, and how
long it rests after the platform warns it. Pure: the time is passed in.

A limits document says only what it sets (None: "not said here"); an account's own document
falls back field by field, and action by action, on the defaults, then on the server's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ACTIONS = ("follow", "unfollow", "like", "comment", "post", "collect")
DEFAULT_COOLDOWN_HOURS = (1.0, 6.0, 24.0)
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """Working hours within a local day: [start, end) in minutes since midnight (end ≤ 24:00)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"

    def holds(self, minute: float) -> bool:
        """Whether a local time (minutes since midnight) falls inside."""
        return self.start <= minute < self.end


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_window(text: str) -> Window:
    """`"09:00-12:30"` (24:00 may end a window); ValueError saying what is wrong."""
    start, dash, end = text.strip().partition("-")
    if not dash:
        raise ValueError('must look like "09:00-12:30"')
    first, last = _minutes(start), _minutes(end)
    if first >= MINUTES_PER_DAY or last <= first:
        raise ValueError('must end after it starts, within one day (split a night: "22:00-24:00", "00:00-02:00")')
    return Window(first, last)


def _minutes(clock: str) -> int:
    hours, colon, minutes = clock.strip().partition(":")
    if not (colon and len(hours) == 2 and len(minutes) == 2 and hours.isascii() and hours.isdigit()
            and minutes.isascii() and minutes.isdigit()):
        raise ValueError('must look like "09:00-12:30"')
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY:
        raise ValueError("names a time of day that does not exist")
    return value


def first_overlap(windows: Sequence[Window]) -> tuple[int, int] | None:
    """The indexes (earlier, later) of two windows that overlap, if any (touching is fine)."""
    for later, window in enumerate(windows):
        for earlier in range(later):
            other = windows[earlier]
            if window.start < other.end and other.start < window.end:
                return earlier, later
    return None


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone of a name; ValueError if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)") from None


@dataclass(frozen=True, slots=True)
class Limits:
    """One limits document, an account's own or the defaults; None (or an absent action) falls back."""

    daily: Mapping[str, int | None] = field(default_factory=dict)  # None: no limit, whatever falls back
    working_hours: tuple[Window, ...] | None = None  # (): any time
    timezone: str | None = None
    cooldown_hours: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class EffectiveLimits:
    """What applies to one account: its own limits over the defaults over the server's zone."""

    daily: Mapping[str, int]  # only the limited actions
    working_hours: tuple[Window, ...]  # (): any time
    zone: tzinfo
    zone_name: str
    cooldown_hours: tuple[float, ...]


def effective(own: Limits | None, defaults: Limits | None, server_zone: tzinfo) -> EffectiveLimits:
    """The limits that apply, field by field and action by action."""
    own, defaults = own or Limits(), defaults or Limits()
    daily = {}
    for action in ACTIONS:
        limit = own.daily[action] if action in own.daily else defaults.daily.get(action)
        if limit is not None:
            daily[action] = limit
    hours = own.working_hours if own.working_hours is not None else defaults.working_hours
    name = own.timezone or defaults.timezone
    zone = zone_named(name) if name else server_zone
    cooldowns = own.cooldown_hours or defaults.cooldown_hours or DEFAULT_COOLDOWN_HOURS
    return EffectiveLimits(daily, tuple(hours or ()), zone, name or zone_name(server_zone), tuple(cooldowns))


def zone_name(zone: tzinfo) -> str:
    """An IANA key where the zone has one, else what the zone calls itself (UTC, +02:00)."""
    return getattr(zone, "key", None) or str(zone)


# --- the calendar day and the working hours, in the account's zone ----------------------------


def first_moment(day: date, minute: int, zone: tzinfo) -> datetime:
    """The first moment (in UTC) the local clock reads `minute` (since midnight) on `day`, or later:
    a time a clock change skips (02:30 on a spring-forward night) comes when the clocks jump.

    Every moment here is in UTC: Python compares and subtracts two datetimes of one zone by their
    wall clocks, which is wrong across a clock change."""
    wanted = datetime.combine(day, time(minute // 60, minute % 60), zone)
    if wanted.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == wanted.replace(tzinfo=None):
        return wanted.astimezone(timezone.utc)  # it exists (an hour that happens twice: its first time)
    # In the gap: the offset after the jump (fold 1) gives a moment before it, the offset before
    # (fold 0) one after it; the jump lies between.
    low, high = wanted.replace(fold=1).astimezone(timezone.utc), wanted.astimezone(timezone.utc)
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def day_bounds(now: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The local calendar day holding `now`: [its first moment, the next day's) in UTC, 23 to 25 hours long."""
    today = now.astimezone(zone).date()
    return first_moment(today, 0, zone), first_moment(today + timedelta(days=1), 0, zone)


def next_opening(now: datetime, windows: Sequence[Window], zone: tzinfo) -> datetime | None:
    """None while `now` is inside a window (or no window is set), else when the next one opens (UTC)."""
    if not windows:
        return None
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute + local.second / 60
    if any(window.holds(minute) for window in windows):
        return None
    starts = sorted(window.start for window in windows)
    later = [start for start in starts if start > minute]
    day = local.date() if later else local.date() + timedelta(days=1)
    start = later[0] if later else starts[0]
    return max(first_moment(day, start, zone), now.astimezone(timezone.utc))


def describe_hours(limits: EffectiveLimits) -> str:
    """`09:00-12:30, 18:00-23:00 Europe/Paris`."""
    return f"{', '.join(str(w) for w in limits.working_hours)} {limits.zone_name}"


def local_clock(moment: datetime, limits: EffectiveLimits, now: datetime) -> str:
    """`18:00 Europe/Paris`, with the date when it is not today there."""
    local = moment.astimezone(limits.zone)
    shown = local.strftime("%H:%M") if local.date() == now.astimezone(limits.zone).date() else local.strftime("%Y-%m-%d %H:%M")
    return f"{shown} {limits.zone_name}"


def limits_from(daily: Mapping[str, int | None], working_hours: Sequence[str] | None, timezone_name: str | None,
                cooldown_hours: Sequence[float] | None) -> Limits:
    """A document from the fields an event or a view stores (checked when they were recorded)."""
    hours = None if working_hours is None else tuple(parse_window(text) for text in working_hours)
    return Limits(dict(daily), hours, timezone_name, None if cooldown_hours is None else tuple(cooldown_hours))


def limits_fields(limits: Limits) -> dict:
    """The fields an event stores for a document (`limits_from` reads them back)."""
    return {"daily": dict(limits.daily),
            "working_hours": None if limits.working_hours is None else [str(w) for w in limits.working_hours],
            "timezone": limits.timezone,
            "cooldown_hours": None if limits.cooldown_hours is None else list(limits.cooldown_hours)}
