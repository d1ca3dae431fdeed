"""Task ids: the `{id}` of a task's path, and the body of `DELETE /task/batch`, `POST /task/batch/stop|retry`."""

from __future__ import annotations

import re

from service.errors import ApiError, Code, invalid
from service.requests.body import decode_object
from service.requests.values import INT64_MAX, integer, show

MAX_BATCH = 10_000
_ID = re.compile(r"[0-9]{1,19}")
_task_id = integer(1, INT64_MAX)


def parse_task_id(raw: str) -> int:
    """The task id in a path; anything that is not a positive 64-bit integer names no task,
    so it is a 40401 like an unknown id."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= INT64_MAX:
        return raw
    if isinstance(raw, str) and _ID.fullmatch(raw) and 1 <= int(raw) <= INT64_MAX:
        return int(raw)
    raise ApiError(Code.NOT_FOUND, f"task {show(raw)} not found")


def parse_task_batch(body: bytes) -> tuple[int, ...]:
    """The ids of `{"task_ids": [...]}`: 1 to 10,000 positive 64-bit integers.

    A repeated id counts once (first occurrence kept), so each is acted on or reported once.
    """
    ids = decode_object(body).get("task_ids")
    if ids is None:
        raise invalid("task_ids is required: an array of task ids")
    if not isinstance(ids, list):
        raise invalid(f"task_ids must be an array of task ids, got {show(ids)}")
    if not ids:
        raise invalid("task_ids must hold at least one task id")
    if len(ids) > MAX_BATCH:
        raise invalid(f"task_ids has {len(ids):,} entries; at most {MAX_BATCH:,} are allowed")
    checked = (_task_id(f"task_ids[{index}]", value) for index, value in enumerate(ids))
    return tuple(dict.fromkeys(checked))
