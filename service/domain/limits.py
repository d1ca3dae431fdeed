"""Account limits: what an account may do per day, in which hours, in which time zone, and how
long it rests after the platform warns it. Pure: the time is passed in.

A limits document says only what it sets (None: "not said here"); an account's own document
falls back field by field, and action by action, on the defaults, then on the server's zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
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
    if not (
        colon
        and len(hours) == 2
        and len(minutes) == 2
        and hours.isascii()
        and hours.isdigit()
        and minutes.isascii()
        and minutes.isdigit()
    ):
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


def describe_hours(limits: EffectiveLimits) -> str:
    """`09:00-12:30, 18:00-23:00 Europe/Paris`."""
    return f"{', '.join(str(w) for w in limits.working_hours)} {limits.zone_name}"


def limits_from(
    daily: Mapping[str, int | None],
    working_hours: Sequence[str] | None,
    timezone_name: str | None,
    cooldown_hours: Sequence[float] | None,
) -> Limits:
    """A document from the fields an event or a view stores (checked when they were recorded)."""
    hours = None if working_hours is None else tuple(parse_window(text) for text in working_hours)
    return Limits(dict(daily), hours, timezone_name, None if cooldown_hours is None else tuple(cooldown_hours))


def limits_fields(limits: Limits) -> dict:
    """The fields an event stores for a document (`limits_from` reads them back)."""
    return {
        "daily": dict(limits.daily),
        "working_hours": None if limits.working_hours is None else [str(w) for w in limits.working_hours],
        "timezone": limits.timezone,
        "cooldown_hours": None if limits.cooldown_hours is None else list(limits.cooldown_hours),
    }
