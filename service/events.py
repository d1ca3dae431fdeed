"""The events droidledger records: msgspec Structs with explicit string tags.

A stored event never changes shape: a field added later gets a default, so rows written before
it decode unchanged (tests/domain/test_event_shapes.py), and a type's tag is never renamed.
The tag is the `type` column of the log and the `type` key inside the stored JSON.

    Event
    ├── TaskEvent      stream "task-<id>"
    │     created, started, step-completed, completed, failed,
    │     stop-requested, retried, deleted, material-used, held, released,
    │     dispatched, dispatch-withdrawn
    ├── DeviceEvent    stream "device-<serial>"
    │     device-connected, device-disconnected, device-state-changed, actor-restarted,
    │     device-paused, device-resumed, device-claimed, device-released, device-agent-lost
    ├── AccountEvent   stream "account-<username as compared>"
    │     account-registered, account-removed, limits-set, account-restricted, restriction-cleared
    ├── DefaultLimitsSet  stream "limits" (the limits of every account that sets none of its own)
    └── AgentEvent     stream "agent-<name>"
          agent-started, agent-stopped, agent-lost
"""

from __future__ import annotations

from typing import Any, Union, get_args

import msgspec


class _Event(msgspec.Struct, kw_only=True, tag_field="type", omit_defaults=False):
    """Base of every event: tagged by `type`."""


# --- tasks -------------------------------------------------------------------------------


class TaskCreated(_Event, kw_only=True, tag="created"):
    """A client created the task (secrets in script_config are already redacted)."""

    serial: str
    username: str | None = None
    script_name: str
    script_config: dict[str, Any]
    source: str = "api"
    start_time: str | None = None  # due time, ISO 8601 with offset; None = when the device is free
    app: str = "tiktok"  # ours: the app it runs on (tiktok or instagram); events before it were TikTok's


class TaskStarted(_Event, kw_only=True, tag="started"):
    """A device began an attempt; `seed` makes the run's randomness replayable."""

    attempt: int
    serial: str
    username: str | None = None
    seed: int
    steps: int = 0  # ours: how many steps the script plans (0 when unknown)


class StepCompleted(_Event, kw_only=True, tag="step-completed"):
    """One named step of the script finished."""

    attempt: int
    index: int  # 1-based
    name: str
    detail: str = ""
    duration_ms: int
    # ours: what the step did on the platform ("follow", "like", ...) and for which accounts
    # (compared form); the accounts' daily counts are folded from these.
    actions: list[str] = []
    accounts: list[str] = []


class TaskCompleted(_Event, kw_only=True, tag="completed"):
    """The attempt finished successfully."""

    attempt: int
    steps: int
    duration_ms: int


class TaskFailed(_Event, kw_only=True, tag="failed"):
    """The attempt failed, or the task was stopped (reason "stopped")."""

    attempt: int
    step: str | None = None
    reason: str
    artifacts: list[str] = []


class StopRequested(_Event, kw_only=True, tag="stop-requested"):
    """A client asked the task to stop."""


class TaskRetried(_Event, kw_only=True, tag="retried"):
    """The failed task is pending again for its next attempt."""

    attempt: int  # the next attempt
    automatic: bool = False
    due_at: str | None = None  # ours: when it is due (ISO 8601); None = now


class TaskDeleted(_Event, kw_only=True, tag="deleted"):
    """The task left every view; its stream stays for audit."""


class MaterialUsed(_Event, kw_only=True, tag="material-used"):
    """Ours: a post took these files from the material library (least-used first next time)."""

    attempt: int
    paths: list[str]


class TaskHeld(_Event, kw_only=True, tag="held"):
    """Ours: the pending task may not start yet for its account (a daily limit, the working
    hours, a restriction); it is due again at `until` (ISO 8601)."""

    kind: str  # "restricted", "daily_limit" or "working_hours"
    account: str  # the account that holds it, as shown
    reason: str
    until: str


class TaskReleased(_Event, kw_only=True, tag="released"):
    """Ours: what held the pending task is over; it runs when its phone is free."""


class TaskDispatched(_Event, kw_only=True, tag="dispatched"):
    """Ours: the scheduler gave the pending task to the agent that owns its phone, to start now."""

    serial: str
    agent: str
    incarnation: str


class DispatchWithdrawn(_Event, kw_only=True, tag="dispatch-withdrawn"):
    """Ours: a dispatched task that never started is back in its phone's queue (its agent was lost,
    or its phone was gone when the dispatch arrived)."""

    reason: str


TaskEvent = Union[
    TaskCreated,
    TaskStarted,
    StepCompleted,
    TaskCompleted,
    TaskFailed,
    StopRequested,
    TaskRetried,
    TaskDeleted,
    MaterialUsed,
    TaskHeld,
    TaskReleased,
    TaskDispatched,
    DispatchWithdrawn,
]

# --- devices -----------------------------------------------------------------------------


class DeviceConnected(_Event, kw_only=True, tag="device-connected"):
    """adb reports the phone (again)."""

    model: str = ""
    state: str = "device"


class DeviceDisconnected(_Event, kw_only=True, tag="device-disconnected"):
    """The phone left adb's list, or its connection broke."""

    reason: str = ""


class DeviceStateChanged(_Event, kw_only=True, tag="device-state-changed"):
    """adb's state for the phone changed (`device`, `offline`, `unauthorized`, ...)."""

    state: str


class DeviceActorRestarted(_Event, kw_only=True, tag="actor-restarted"):
    """Ours: the phone's actor died unexpectedly and its supervisor restarted it."""

    reason: str


class DeviceClaimed(_Event, kw_only=True, tag="device-claimed"):
    """Ours: an agent (one incarnation of it) owns the phone: only its appends for the phone land."""

    agent: str
    incarnation: str


class DeviceReleased(_Event, kw_only=True, tag="device-released"):
    """Ours: the owning agent let the phone go (it left its adb server's list, or the agent stopped)."""

    agent: str
    incarnation: str
    reason: str = ""


class DeviceAgentLost(_Event, kw_only=True, tag="device-agent-lost"):
    """Ours: the phone's agent stopped answering; the phone is free to claim, its appends are refused."""

    agent: str
    incarnation: str
    reason: str


class DevicePaused(_Event, kw_only=True, tag="device-paused"):
    """Ours: the phone finishes its current task and starts no other until resumed."""


class DeviceResumed(_Event, kw_only=True, tag="device-resumed"):
    """Ours: the paused phone takes tasks again."""


DeviceEvent = Union[
    DeviceConnected,
    DeviceDisconnected,
    DeviceStateChanged,
    DeviceActorRestarted,
    DevicePaused,
    DeviceResumed,
    DeviceClaimed,
    DeviceReleased,
    DeviceAgentLost,
]

# --- accounts ----------------------------------------------------------------------------


class AccountRegistered(_Event, kw_only=True, tag="account-registered"):
    """The account lives on this phone (registering it again moves it)."""

    username: str  # as given; the stream id holds the compared form
    serial: str
    package: str = "com.zhiliaoapp.musically"


class AccountRemoved(_Event, kw_only=True, tag="account-removed"):
    """The registry forgets the account."""


class AccountLimitsSet(_Event, kw_only=True, tag="limits-set"):
    """Ours: the account's own limits (each one not given falls back to the defaults);
    replaces the account's earlier ones."""

    daily: dict[str, int | None] = {}  # action -> per day; None: no limit, whatever the defaults say
    working_hours: list[str] | None = None  # "HH:MM-HH:MM" local windows; [] any time; None: the defaults'
    timezone: str | None = None  # IANA name; None: the defaults', else the server's
    cooldown_hours: list[float] | None = None  # the rest after a 1st, 2nd, 3rd+ warning within 7 days


class AccountRestricted(_Event, kw_only=True, tag="account-restricted"):
    """Ours: the platform warned the account (rate limited, action blocked, ...): it rests until `until`."""

    reason: str
    at: str  # when the warning was met (ISO 8601)
    until: str
    strike: int  # 1 for the first warning within 7 days, 2 for the second, ...
    task_id: int | None = None  # the task that met it


class RestrictionCleared(_Event, kw_only=True, tag="restriction-cleared"):
    """Ours: an operator lifted the account's restriction before its end."""


AccountEvent = Union[AccountRegistered, AccountRemoved, AccountLimitsSet, AccountRestricted, RestrictionCleared]


class DefaultLimitsSet(_Event, kw_only=True, tag="default-limits-set"):
    """Ours: the limits of every account that does not set its own (same fields as limits-set)."""

    daily: dict[str, int | None] = {}
    working_hours: list[str] | None = None
    timezone: str | None = None
    cooldown_hours: list[float] | None = None
    source: str = "api"  # "api" (PUT /limits) or "file" (serve --limits FILE)


# --- agents ------------------------------------------------------------------------------


class AgentStarted(_Event, kw_only=True, tag="agent-started"):
    """Ours: an agent process began (a new incarnation of its name)."""

    incarnation: str
    host: str
    pid: int
    lease_s: float
    shard: str = ""  # "i/N" when the agent takes a share of its adb server's phones


class AgentStopped(_Event, kw_only=True, tag="agent-stopped"):
    """Ours: the incarnation ended (a clean stop, or found dead by its successor of the same name)."""

    incarnation: str
    reason: str = ""


class AgentLost(_Event, kw_only=True, tag="agent-lost"):
    """Ours: the incarnation's heartbeat stopped for longer than its lease."""

    incarnation: str
    silent_s: float


AgentEvent = Union[AgentStarted, AgentStopped, AgentLost]

Event = Union[TaskEvent, DeviceEvent, AccountEvent, DefaultLimitsSet, AgentEvent]


def _tags(union: Any) -> frozenset[str]:
    return frozenset(kind.__struct_config__.tag for kind in get_args(union))


EVENT_TYPES = _tags(Event)
TASK_EVENT_TYPES = _tags(TaskEvent)
REGISTRY_EVENT_TYPES = frozenset({"account-registered", "account-removed"})

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Event)


def encode_event(event: Event) -> bytes:
    """The stored form of an event (JSON, the tag included as `type`)."""
    return _encoder.encode(event)


def decode_event(data: bytes) -> Event:
    """The one decoder of stored events."""
    return _decoder.decode(data)


def event_type(event: Event) -> str:
    """The tag of an event, i.e. its `type` column."""
    return event.__struct_config__.tag  # type: ignore[return-value]


# --- stream ids --------------------------------------------------------------------------


def task_stream(task_id: int) -> str:
    """`task-<id>`."""
    return f"task-{task_id}"


def device_stream(serial: str) -> str:
    """`device-<serial>`."""
    return f"device-{serial}"


def agent_stream(name: str) -> str:
    """`agent-<name>`."""
    return f"agent-{name}"


def account_stream(key: str) -> str:
    """`account-<username as compared>`."""
    return f"account-{key}"


LIMITS_STREAM = "limits"  # the default limits' stream


TASK_ID_AT = len("task-")  # where the id starts in a task stream's id


def task_id_of(stream_id: str) -> int | None:
    """The task id of a task stream, None for other streams.

    Replay's fold handlers, which only ever get task streams, slice at TASK_ID_AT instead: the call
    and the check cost a quarter of their time."""
    if stream_id.startswith("task-"):
        return int(stream_id[TASK_ID_AT:])
    return None


def serial_of(stream_id: str) -> str | None:
    """The phone's serial of a device stream, None for other streams."""
    return stream_id[7:] if stream_id.startswith("device-") else None


def agent_name_of(stream_id: str) -> str | None:
    """The agent's name of an agent stream, None for other streams."""
    return stream_id[6:] if stream_id.startswith("agent-") else None
