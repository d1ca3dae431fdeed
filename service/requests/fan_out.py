"""From one create request to its tasks (docs/api.md, "Create tasks", fan-out).

Tasks come in request order: for each serial (or username) as given, for each target as
given. Due times: with `start_time`, the first task on each device is due at its next
occurrence; without, the first task on each device is due as soon as the device is free
(None). Each further task the request makes for the same device is due a random whole
number of minutes in [min_interval, max_interval] after the previous one, counted from the
start time or, without one, from `now`; a total offset of 0 without a start time stays None.
Intervals are elapsed time (computed in UTC), so they stay exact across a DST change.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import msgspec

from service.domain.account import account_key
from service.domain.apps import TIKTOK
from service.errors import invalid
from service.requests.create_task import CreateTaskRequest
from service.requests.scripts import TARGET_KEYS
from service.requests.scripts.comment import comment_lines
from service.requests.task_app import multi_account_app, task_app
from service.requests.values import show

MAX_TASKS = 10_000


class TaskSpec(msgspec.Struct, kw_only=True, frozen=True):
    """One task to create: its config holds its single target and shows secrets as "***"."""

    serial: str
    username: str | None
    script_name: str
    script_config: dict[str, Any]
    start_time: datetime | None
    secrets: dict[str, str]
    app: str = TIKTOK

    def __repr__(self) -> str:
        hidden = {key: "***" for key in self.secrets}
        return (
            f"TaskSpec(serial={self.serial!r}, username={self.username!r},"
            f" script_name={self.script_name!r}, script_config={self.script_config!r},"
            f" start_time={self.start_time!r}, secrets={hidden!r}, app={self.app!r})"
        )


def next_occurrence(now: datetime, hour: int, minute: int) -> datetime:
    """The next time the wall clock of `now`'s zone shows hour:minute (now itself counts).

    A time skipped by a DST change falls forward (02:30 becomes 03:30); an ambiguous one
    is its first occurrence.
    """
    zone = now.tzinfo
    if zone is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    for day in (now.date(), now.date() + timedelta(days=1)):
        wall = datetime.combine(day, time(hour, minute), tzinfo=zone)
        due = wall.astimezone(UTC).astimezone(zone)
        if due.timestamp() >= now.timestamp():
            return due
    raise AssertionError("unreachable: tomorrow's occurrence is always ahead")


def lines_of(
    request: CreateTaskRequest,
    accounts_by_device: Mapping[str, Sequence[str]],
    device_of_account: Mapping[str, str],
    app_of_account: Mapping[str, str | None] | None = None,
    multi_app: str = TIKTOK,
) -> list[tuple[str, str | None]]:
    """The (serial, username) pairs the request runs on, in request order; with enable_multi_account,
    each phone's accounts of `multi_app` (accounts of an app droidledger does not know count for any)."""
    if request.usernames is not None:
        unknown = [u for u in request.usernames if account_key(u) not in device_of_account]
        if unknown:
            named = ", ".join(show(u) for u in dict.fromkeys(unknown))
            raise invalid(f"usernames not known as accounts: {named}")
        return [(device_of_account[account_key(u)], u) for u in request.usernames]
    serials = request.serials or ()
    if not request.enable_multi_account:
        return [(serial, None) for serial in serials]
    apps = app_of_account or {}

    def of_app(serial: str) -> list[str]:
        return [a for a in accounts_by_device.get(serial) or () if apps.get(account_key(a)) in (None, multi_app)]

    return [(serial, account) for serial in serials for account in (of_app(serial) or (None,))]


def fan_out(
    request: CreateTaskRequest,
    *,
    accounts_by_device: Mapping[str, Sequence[str]],
    device_of_account: Mapping[str, str],
    now: datetime,
    rng: random.Random,
    app_of_account: Mapping[str, str | None] | None = None,
    default_app: str = TIKTOK,
) -> list[TaskSpec]:
    """The tasks one request creates, in id order; a 40001 when they cannot all be made.

    `app_of_account` maps an account (compared form) to the app it lives in; `default_app` is the
    server's (service/requests/task_app.py says how each task's app is chosen)."""
    apps = app_of_account or {}
    multi_app = multi_account_app(request, request.targets, default_app) if request.enable_multi_account else TIKTOK
    lines = lines_of(request, accounts_by_device, device_of_account, apps, multi_app)
    targets: Sequence[str | None] = request.targets or (None,)
    if len(lines) * len(targets) > MAX_TASKS:
        raise invalid(
            f"this request would create {len(lines) * len(targets):,} tasks;"
            f" at most {MAX_TASKS:,} are allowed in one request"
        )
    start = next_occurrence(now, *request.start_time) if request.start_time else None
    origin = (start or now).astimezone(UTC)
    zone = now.tzinfo
    low, high = request.min_interval, request.max_interval

    def gap() -> int:  # minutes between two tasks of the request on one device
        return low if low == high else rng.randint(low, high)

    target_key = TARGET_KEYS.get(request.script_name)
    config = request.config
    line_count = 0
    if request.script_name == "comment" and config["comment_order"] == "sequential":
        line_count = len(comment_lines(config["comment_content"]))
    offsets: dict[str, int] = {}  # minutes after the origin of each device's latest task
    counts: dict[str, int] = {}  # tasks so far on each device
    tasks = []
    for line, (serial, username) in enumerate(lines):
        for target in targets:
            app = task_app(request, target, username, apps, default_app, f"usernames[{line}]")
            n = counts.get(serial, 0)
            counts[serial] = n + 1
            offset = 0 if n == 0 else offsets[serial] + gap()
            offsets[serial] = offset
            due = start if offset == 0 else (origin + timedelta(minutes=offset)).astimezone(zone)
            task_config = {target_key: [target], **config} if target_key else dict(config)
            if line_count:
                task_config["comment_line"] = n % line_count + 1
            tasks.append(
                TaskSpec(
                    serial=serial,
                    username=username,
                    script_name=request.script_name,
                    script_config=task_config,
                    start_time=due,
                    secrets=dict(request.secrets),
                    app=app,
                )
            )
    return tasks
