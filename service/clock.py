"""The one clock that recorded times, due times and waits inside a run read.

`time_scale` multiplies waits inside a run (script waits, retry delays), never due times
(`start_time`, intervals) nor recorded timestamps (docs/architecture.md, invariant 7).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio


def utc_now() -> datetime:
    """The current time in UTC (what the store records when no clock is given)."""
    return datetime.now(UTC)


class Clock(Protocol):
    """Wall time and scaled waiting."""

    time_scale: float

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of run time (scaled by time_scale)."""

    async def sleep_until(self, moment: datetime) -> None:
        """Wait until a wall-clock moment (due times are never scaled)."""


class SystemClock:
    """The real clock."""

    def __init__(self, time_scale: float = 1.0) -> None:
        self.time_scale = time_scale

    def now(self) -> datetime:
        """datetime.now in UTC."""
        return utc_now()

    async def sleep(self, seconds: float) -> None:
        """anyio.sleep of the scaled duration."""
        await anyio.sleep(max(0.0, seconds * self.time_scale))

    async def sleep_until(self, moment: datetime) -> None:
        """anyio.sleep until the moment."""
        await anyio.sleep(max(0.0, (moment - self.now()).total_seconds()))


class FakeClock:
    """A clock tests move by hand; sleepers wake when it passes their deadline."""

    def __init__(self, start: datetime, time_scale: float = 1.0) -> None:
        self._now = start
        self.time_scale = time_scale
        self._moved = anyio.Event()

    def now(self) -> datetime:
        """The time the test set."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward and wake the sleepers whose deadline passed."""
        self._now += timedelta(seconds=seconds)
        moved, self._moved = self._moved, anyio.Event()
        moved.set()

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has been advanced past the deadline."""
        await self.sleep_until(self._now + timedelta(seconds=seconds * self.time_scale))

    async def sleep_until(self, moment: datetime) -> None:
        """Wait until the clock has been advanced to the moment."""
        while self._now < moment:
            await self._moved.wait()


def system_zone() -> tzinfo:
    """The system's time zone with its rules (clock changes included): $TZ, else what /etc/localtime
    links to, else the fixed offset the system reports now."""
    names = [os.environ.get("TZ", "").lstrip(":")]
    try:
        names.append(str(Path("/etc/localtime").resolve()).partition("/zoneinfo/")[2])
    except OSError:
        pass
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return datetime.now().astimezone().tzinfo


def iso(moment: datetime) -> str:
    """ISO 8601 with its UTC offset, to the second."""
    return moment.isoformat(timespec="seconds")
