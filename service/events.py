"""The events droidledger records: msgspec Structs with explicit string tags.

A stored event never changes shape: a field added later gets a default, so rows written before
it decode unchanged (tests/domain/test_event_shapes.py), and a type's tag is never renamed.
The tag is the `type` column of the log and the `type` key inside the stored JSON.

    Event
    ├── TaskEvent      stream "task-<id>"
    │     created, started, step-completed, completed, failed,
    │     stop-requested, retried, deleted, material-used
    ├── DeviceEvent    stream "device-<serial>"
    │     device-connected, device-disconnected, device-state-changed, actor-restarted
    └── AccountEvent   stream "account-<username as compared>"
          account-registered, account-removed
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


TaskEvent = Union[
    TaskCreated, TaskStarted, StepCompleted, TaskCompleted, TaskFailed,
    StopRequested, TaskRetried, TaskDeleted, MaterialUsed,
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


DeviceEvent = Union[DeviceConnected, DeviceDisconnected, DeviceStateChanged, DeviceActorRestarted]

# --- accounts ----------------------------------------------------------------------------


class AccountRegistered(_Event, kw_only=True, tag="account-registered"):
    """The account lives on this phone (registering it again moves it)."""

    username: str  # as given; the stream id holds the compared form
    serial: str
    package: str = "com.zhiliaoapp.musically"


class AccountRemoved(_Event, kw_only=True, tag="account-removed"):
    """The registry forgets the account."""


AccountEvent = Union[AccountRegistered, AccountRemoved]

Event = Union[TaskEvent, DeviceEvent, AccountEvent]


def _tags(union: Any) -> frozenset[str]:
    return frozenset(kind.__struct_config__.tag for kind in get_args(union))


TASK_EVENT_TYPES = _tags(TaskEvent)
ACCOUNT_EVENT_TYPES = _tags(AccountEvent)

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


def account_stream(key: str) -> str:
    """`account-<username as compared>`."""
    return f"account-{key}"


def task_id_of(stream_id: str) -> int | None:
    """The task id of a task stream, None for other streams."""
    if stream_id.startswith("task-"):
        return int(stream_id[5:])
    return None
