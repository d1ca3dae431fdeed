"""Response shapes of the API (their own Structs, never the storage rows) and row mapping."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import msgspec

from projections.agent_view import AgentRow
from projections.device_view import DeviceRow
from projections.task_view import TaskRow
from service.domain.task import TaskStatus


class Progress(msgspec.Struct, kw_only=True):
    """The last completed step of the current attempt."""

    step: int
    steps: int | None
    name: str


class Waiting(msgspec.Struct, kw_only=True):
    """Why a pending task may not start yet for its account, and until when."""

    kind: str  # "restricted", "daily_limit" or "working_hours"
    reason: str
    until: str


class TaskOut(msgspec.Struct, kw_only=True):
    """A task as the API shows it."""

    id: int
    serial: str
    username: str | None
    script_name: str
    script_config: msgspec.Raw
    status: int
    status_text: str
    source: str
    start_time: str | None
    retry_count: int
    attempt: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    failed_step: str | None
    artifacts: msgspec.Raw
    stop_requested: bool
    progress: Progress | None
    waiting: Waiting | None = None
    app: str = "tiktok"


_STATUS_TEXT = [status.text for status in TaskStatus]
_EMPTY_LIST = msgspec.Raw(b"[]")


def task_out(row: TaskRow) -> TaskOut:
    """A row of the task view in its API shape."""
    return TaskOut(
        id=row.id,
        serial=row.serial,
        username=row.username,
        script_name=row.script_name,
        script_config=msgspec.Raw(row.script_config),
        status=row.status,
        status_text=_STATUS_TEXT[row.status],
        source=row.source,
        start_time=row.start_time,
        retry_count=row.retry_count,
        attempt=row.attempt,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        failed_step=row.failed_step,
        artifacts=msgspec.Raw(row.artifacts) if row.artifacts else _EMPTY_LIST,
        stop_requested=bool(row.stop_requested),
        progress=Progress(step=row.progress_step, steps=row.progress_steps, name=row.progress_name)
        if row.progress_step is not None
        else None,
        waiting=Waiting(kind=row.waiting_kind, reason=row.waiting_reason, until=row.waiting_until)
        if row.waiting_kind is not None
        else None,
        app=row.app,
    )


class TaskList(msgspec.Struct, kw_only=True):
    """A page of tasks."""

    total: int
    page: int
    page_size: int
    tasks: list[TaskOut]


class TaskStats(msgspec.Struct, kw_only=True):
    """Tasks per status."""

    total: int
    pending: int
    running: int
    completed: int
    failed: int


class CreatedTasks(msgspec.Struct, kw_only=True):
    """What POST /task answers."""

    task_ids: list[int]
    created_count: int
    offline_serials: list[str]


class DeletedTask(msgspec.Struct, kw_only=True):
    """What DELETE /task/{id} answers."""

    task_id: int


class BatchDeleted(msgspec.Struct, kw_only=True):
    """What DELETE /task/batch answers."""

    deleted_count: int
    task_ids: list[int]
    not_found: list[int]


class BatchStopped(msgspec.Struct, kw_only=True):
    """What POST /task/batch/stop answers: the tasks stopped (or asked to halt), those not found, and those
    skipped (finished, or already asked to stop)."""

    stopped_count: int
    task_ids: list[int]
    not_found: list[int]
    skipped: list[int]


class BatchRetried(msgspec.Struct, kw_only=True):
    """What POST /task/batch/retry answers: the tasks retried, those not found, and those skipped (not failed)."""

    retried_count: int
    task_ids: list[int]
    not_found: list[int]
    skipped: list[int]


class MatchingTasks(msgspec.Struct, kw_only=True):
    """What GET /task/ids answers: every task matching the filters, oldest first."""

    total: int
    task_ids: list[int]


class RetriedTasks(msgspec.Struct, kw_only=True):
    """What POST /task/retry-all answers."""

    retried_count: int
    task_ids: list[int]


class TaskRef(msgspec.Struct, kw_only=True):
    """What stop and retry answer."""

    task_id: int
    status: int
    status_text: str


class EventOut(msgspec.Struct, kw_only=True):
    """An event as the API shows it."""

    position: int
    stream: str
    task_id: int | None
    version: int
    type: str
    data: msgspec.Raw
    recorded_at: str


class EventList(msgspec.Struct, kw_only=True):
    """Events, oldest first."""

    events: list[EventOut]


class DeviceOut(msgspec.Struct, kw_only=True):
    """A phone as the API shows it."""

    serial: str
    model: str
    state: str
    online: bool
    busy: bool
    current_task_id: int | None
    tasks_completed: int
    tasks_failed: int
    paused: bool = False  # finishes its current task and starts no other until resumed
    agent: str | None = None  # the agent that owns the phone (its actor runs there)
    agent_lost: bool = False  # that agent stopped answering: the phone waits for an agent to claim it


def device_out(row: DeviceRow) -> DeviceOut:
    """A row of the device view in its API shape."""
    return DeviceOut(
        serial=row.serial,
        model=row.model,
        state=row.state,
        online=bool(row.online),
        busy=bool(row.busy),
        current_task_id=row.current_task_id,
        tasks_completed=row.tasks_completed,
        tasks_failed=row.tasks_failed,
        paused=bool(row.paused),
        agent=row.agent,
        agent_lost=bool(row.agent_lost),
    )


class DeviceList(msgspec.Struct, kw_only=True):
    """Every phone the service has seen."""

    devices: list[DeviceOut]


class AgentOut(msgspec.Struct, kw_only=True):
    """An agent name's last incarnation as the API shows it."""

    name: str
    incarnation: str
    host: str
    pid: int
    shard: str  # "i/N", or "" for every phone of its adb server
    lease_s: float
    state: str  # alive, stopped or lost
    started_at: str
    ended_at: str | None
    reason: str | None  # why it is lost
    phones: int  # phones it owns now


def agents_out(agents: list[AgentRow], devices: list[DeviceRow]) -> AgentList:
    """The agents view in its API shape, each with the count of phones the device view gives it."""
    owned: dict[str, int] = {}
    for device in devices:
        if device.agent is not None and not device.agent_lost:
            owned[device.agent] = owned.get(device.agent, 0) + 1
    return AgentList(
        agents=[
            AgentOut(
                name=a.name,
                incarnation=a.incarnation,
                host=a.host,
                pid=a.pid,
                shard=a.shard,
                lease_s=a.lease_s,
                state=a.state,
                started_at=a.started_at,
                ended_at=a.ended_at,
                reason=a.reason,
                phones=owned.get(a.name, 0),
            )
            for a in agents
        ]
    )


class AgentList(msgspec.Struct, kw_only=True):
    """Every agent that ever started, by name."""

    agents: list[AgentOut]


class AccountOut(msgspec.Struct, kw_only=True):
    """An account of the registry."""

    username: str
    serial: str
    package: str


class LimitsOut(msgspec.Struct, kw_only=True):
    """The limits that apply to an account: per action per day (limited actions only), working hours
    ([]: any time), the zone its days and hours are counted in, the rests after 1, 2, 3+ warnings."""

    daily: dict[str, int]
    working_hours: list[str]
    timezone: str
    cooldown_hours: list[float]


class RestrictionOut(msgspec.Struct, kw_only=True):
    """The rest the platform's warning earned an account."""

    reason: str
    until: str


class AccountDetail(msgspec.Struct, kw_only=True):
    """An account with its limits, what it did today (in its zone) and its rest, if it rests."""

    username: str
    serial: str
    package: str
    limits: LimitsOut
    today: dict[str, int]
    restricted: RestrictionOut | None


class AccountList(msgspec.Struct, kw_only=True):
    """Accounts of the registry."""

    accounts: list[AccountDetail]


class LimitsBody(msgspec.Struct, kw_only=True):
    """PUT /limits and PUT /account/{username}/limits: a key left out falls back on the defaults;
    in `daily`, null means no limit. Actions: follow, unfollow, like, comment, post, collect."""

    daily: dict[str, Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None] | None = None
    working_hours: list[str] | None = None  # "HH:MM-HH:MM", not overlapping; [] any time
    timezone: str | None = None  # IANA, e.g. Europe/Paris
    cooldown_hours: list[float] | None = None  # not decreasing, e.g. [1, 6, 24]


class DefaultLimitsOut(msgspec.Struct, kw_only=True):
    """The default limits as set (null: not set)."""

    daily: dict[str, int | None]
    working_hours: list[str] | None
    timezone: str | None
    cooldown_hours: list[float] | None


class LicenseOut(msgspec.Struct, kw_only=True):
    """The vendor's license check."""

    plan_name: str
    api_enabled: bool
    device_limit: int
    message: str


class HealthOut(msgspec.Struct, kw_only=True):
    """Whether the service can work."""

    database: str
    backend: str  # "sqlite" or "postgresql"
    scheduler: str
    phones_online: int


T = TypeVar("T")


class Envelope(msgspec.Struct, Generic[T], kw_only=True):
    """Every JSON response: code 0 and "success", or an error code and why (data null)."""

    code: int
    message: str
    data: T | None = None


class ErrorEnvelope(msgspec.Struct, kw_only=True):
    """An error: its code (40001 invalid parameter, 40002 missing script_name, 40003 unsupported script,
    40101 API key, 40301 plan, 40401 not found, 40501 method, 40901 state conflict, 41301 body too large,
    50001 internal), a message naming the field; data null, but for the license and health checks."""

    code: int
    message: str
    data: Any = None


class CreateTaskBody(msgspec.Struct, kw_only=True):
    """POST /task (the route reads the raw body itself, to answer errors in the API's order of checks)."""

    serials: list[str] | None = None
    usernames: list[str] | None = None
    script_name: str
    script_config: dict[str, Any]
    enable_multi_account: bool = False
    min_interval: int = 0
    max_interval: int = 0
    start_time: str | None = None


class BatchDeleteBody(msgspec.Struct, kw_only=True):
    """DELETE /task/batch, POST /task/batch/stop and /task/batch/retry."""

    task_ids: Annotated[
        list[Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]], msgspec.Meta(min_length=1, max_length=10_000)
    ]


class AccountBody(msgspec.Struct, kw_only=True):
    """POST /account."""

    username: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    serial: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    package: str = "com.zhiliaoapp.musically"
