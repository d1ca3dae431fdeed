"""Limits: the body of `PUT /account/{username}/limits` and `PUT /limits`, and the `serve --limits`
file (TOML, the same keys). Every problem is a 40001 naming the field; unknown keys are refused,
so that a misspelt limit is never silently not applied.

    {"daily": {"follow": 30, "comment": 10}, "working_hours": ["09:00-12:30", "18:00-23:00"],
     "timezone": "Europe/Paris", "cooldown_hours": [1, 6, 24]}

A key left out (or null) falls back on the defaults; in `daily`, null means "no limit" whatever
the defaults say, and `working_hours: []` means any time.
"""

from __future__ import annotations

from typing import Any

from service.domain.limits import ACTIONS, Limits, first_overlap, parse_window, zone_named
from service.errors import invalid
from service.requests.body import decode_object
from service.requests.fields import Reading, read_object
from service.requests.values import array, integer, number, show, text

MAX_PER_DAY = 100_000
MAX_COOLDOWN_HOURS = 24 * 365


def _daily(path: str, value: Any) -> dict[str, int | None]:
    if not isinstance(value, dict):
        raise invalid(f"{path} must be an object of actions, got {show(value)}")
    per_day = integer(0, MAX_PER_DAY)
    daily: dict[str, int | None] = {}
    for action, limit in value.items():
        if action not in ACTIONS:
            raise invalid(f"{path}.{action[:50]} is not an action: choose {', '.join(ACTIONS)}")
        daily[action] = None if limit is None else per_day(f"{path}.{action}", limit)
    return daily


def _window(path: str, value: Any):
    try:
        return parse_window(text(path, value))
    except ValueError as error:
        raise invalid(f"{path} {error}, got {show(value)}") from None


def _working_hours(path: str, value: Any) -> tuple:
    windows = tuple(array(_window, 24)(path, value))
    overlap = first_overlap(windows)
    if overlap is not None:
        earlier, later = overlap
        raise invalid(f"{path}[{later}] ({windows[later]}) overlaps {path}[{earlier}] ({windows[earlier]})")
    return windows


def _timezone(path: str, value: Any) -> str:
    name = text(path, value)
    try:
        zone_named(name)
    except ValueError:
        raise invalid(f"{path} must be an IANA time zone such as Europe/Paris, got {show(value)}") from None
    return name


def _cooldowns(path: str, value: Any) -> tuple[float, ...]:
    hours = array(number(0, MAX_COOLDOWN_HOURS, above=True), 10)(path, value)
    if not hours:
        raise invalid(f"{path} must list at least one duration (hours)")
    for index in range(1, len(hours)):
        if hours[index] < hours[index - 1]:
            raise invalid(f"{path}[{index}] must not be shorter than {path}[{index - 1}]: repeats rest longer")
    return tuple(float(h) for h in hours)


FIELDS = {"daily": _daily, "working_hours": _working_hours, "timezone": _timezone, "cooldown_hours": _cooldowns}


def parse_limits(raw: Any, path: str = "") -> Limits:
    """A limits document from a decoded JSON or TOML object, or a 40001 naming the first problem."""
    reading: Reading = read_object(path, raw, FIELDS)
    prefix = f"{path}." if path else ""
    for position, key in enumerate(raw):
        if key not in FIELDS:
            reading.fail(position, f"{prefix}{str(key)[:50]} is not a limit: use {', '.join(FIELDS)}")
    reading.raise_first()
    values = reading.values
    return Limits(
        daily=values.get("daily", {}),
        working_hours=values.get("working_hours"),
        timezone=values.get("timezone"),
        cooldown_hours=values.get("cooldown_hours"),
    )


def parse_limits_body(body: bytes) -> Limits:
    """The limits a request body sets."""
    return parse_limits(decode_object(body))
