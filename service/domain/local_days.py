"""An account's days and working hours in its own time zone. Pure: the time is passed in.

Every moment returned is in UTC: Python compares and subtracts two datetimes of one zone by
their wall clocks, which is wrong across a clock change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from service.domain.limits import Window


def first_moment(day: date, minute: int, zone: tzinfo) -> datetime:
    """The first moment (in UTC) the local clock reads `minute` (since midnight) on `day`, or later:
    a time a clock change skips (02:30 on a spring-forward night) comes when the clocks jump."""
    wanted = datetime.combine(day, time(minute // 60, minute % 60), zone)
    if wanted.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wanted.replace(tzinfo=None):
        return wanted.astimezone(UTC)  # it exists (an hour that happens twice: its first time)
    # In the gap: the offset after the jump (fold 1) gives a moment before it, the offset before
    # (fold 0) one after it; the jump lies between.
    low, high = wanted.replace(fold=1).astimezone(UTC), wanted.astimezone(UTC)
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
    return max(first_moment(day, start, zone), now.astimezone(UTC))
