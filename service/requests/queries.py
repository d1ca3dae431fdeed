"""Query strings of `GET /task`, `GET /events` and `GET /events/stream`.

An empty value counts as absent (`?status=&page=1`); unknown parameters are ignored; a
repeated parameter counts as the mapping's `get` gives it (Litestar's MultiDict: the first),
or the last when a list is given. Whole numbers are ASCII digits only: "-1", "+1", "1.0"
and " 1" are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

import msgspec

from service.errors import invalid
from service.events import EVENT_TYPES
from service.requests.values import INT64_MAX, clean, show

_DIGITS = re.compile(r"[0-9]{1,19}")


class TaskListQuery(msgspec.Struct, kw_only=True, frozen=True):
    """Filters and page of `GET /task` (the constraints document what the parser enforces)."""

    status: Annotated[int, msgspec.Meta(ge=0, le=3)] | None = None
    serial: str | None = None
    script_name: str | None = None
    source: Literal["ui", "api"] | None = None
    page: Annotated[int, msgspec.Meta(ge=1, le=INT64_MAX)] = 1
    page_size: Annotated[int, msgspec.Meta(ge=1, le=100)] = 20

    @property
    def offset(self) -> int:
        """Rows to skip; capped at the largest 64-bit integer (far past any end)."""
        return min((self.page - 1) * self.page_size, INT64_MAX)


_TYPES_DOC = "comma-separated event types, e.g. created,completed,failed"


class StreamQuery(msgspec.Struct, kw_only=True, frozen=True):
    """Where `GET /events/stream` starts (the Last-Event-ID header wins over `after`) and its filters."""

    after: Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX)] | None = None
    task_id: Annotated[int, msgspec.Meta(ge=1, le=INT64_MAX)] | None = None
    serial: str | None = None
    types: Annotated[str, msgspec.Meta(description=_TYPES_DOC)] | None = None

    @property
    def type_set(self) -> frozenset[str] | None:
        """The event types asked for, None for every type."""
        return frozenset(self.types.split(",")) if self.types is not None else None


class EventsQuery(StreamQuery, kw_only=True, frozen=True):
    """Position, size, filters and wait of `GET /events`."""

    after: Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX)] = 0
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100
    wait: Annotated[int, msgspec.Meta(ge=0, le=60, description="seconds to wait for a matching event")] = 0


def whole(lo: int, hi: int) -> Callable[[str, str], int]:
    """A query value that is a whole number in [lo, hi]."""
    bounds = f"between {lo} and {hi}" if hi < INT64_MAX else f"at least {lo}"

    def check(key: str, value: str) -> int:
        number = int(value) if _DIGITS.fullmatch(value) else None
        if number is None or not lo <= number <= hi:
            raise invalid(f"{key} must be a whole number {bounds}, got {show(value)}")
        return number

    return check


def one_of(*options: str) -> Callable[[str, str], str]:
    """A query value that is one of the given words."""

    def check(key: str, value: str) -> str:
        if value not in options:
            raise invalid(f"{key} must be one of {', '.join(options)}, got {show(value)}")
        return value

    return check


def event_types(key: str, value: str) -> str:
    """A comma-separated list of known event types (at least one), blanks around names and empty names dropped."""
    names = [name.strip() for name in value.split(",")]
    if not any(names):
        raise invalid(f"{key} must name at least one event type, got {show(value)}")
    unknown = sorted({name for name in names if name and name not in EVENT_TYPES})
    if unknown:
        raise invalid(f"{key}: unknown event type {show(unknown[0])}; known: {', '.join(sorted(EVENT_TYPES))}")
    return ",".join(name for name in names if name)


def _read(params: Mapping[str, Any], checks: Mapping[str, Callable[[str, str], Any]]) -> dict:
    found = {}
    for key, check in checks.items():
        value = params.get(key)
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else None
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise invalid(f"{key} must be text, got {show(value)}")
        found[key] = check(key, clean(key, value))
    return found


TASK_LIST = {
    "status": whole(0, 3),
    "serial": lambda key, value: value,
    "script_name": lambda key, value: value,
    "source": one_of("ui", "api"),
    "page": whole(1, INT64_MAX),
    "page_size": whole(1, 100),
}
STREAM = {
    "after": whole(0, INT64_MAX),
    "task_id": whole(1, INT64_MAX),
    "serial": lambda key, value: value,
    "types": event_types,
}
EVENTS = {**STREAM, "limit": whole(1, 1000), "wait": whole(0, 60)}


def parse_task_list_query(params: Mapping[str, str]) -> TaskListQuery:
    """The list filters; status 0..3, source ui|api, page ≥ 1, page_size 1..100."""
    return TaskListQuery(**_read(params, TASK_LIST))


def parse_events_query(params: Mapping[str, str]) -> EventsQuery:
    """The events window; after ≥ 0 (default 0), limit 1..1000 (default 100), the filters, wait 0..60 s."""
    return EventsQuery(**_read(params, EVENTS))


def parse_stream_query(params: Mapping[str, str], last_event_id: str | None) -> StreamQuery:
    """The stream's start and filters; a Last-Event-ID header (a position) replaces `after`."""
    found = _read(params, STREAM)
    if last_event_id is not None and last_event_id.strip():
        found["after"] = whole(0, INT64_MAX)("Last-Event-ID", last_event_id.strip())
    return StreamQuery(**found)


class TaskFilterQuery(msgspec.Struct, kw_only=True, frozen=True):
    """The filters of `GET /task/ids`: those of `GET /task`, without the page."""

    status: Annotated[int, msgspec.Meta(ge=0, le=3)] | None = None
    serial: str | None = None
    script_name: str | None = None
    source: Literal["ui", "api"] | None = None


TASK_FILTER = {key: TASK_LIST[key] for key in TaskFilterQuery.__struct_fields__}


def parse_task_filter_query(params: Mapping[str, str]) -> TaskFilterQuery:
    """The list filters alone (page and page_size are ignored like any unknown parameter)."""
    return TaskFilterQuery(**_read(params, TASK_FILTER))
