"""The task aggregate: its state, the commands it accepts and the events they produce.

    pending ──start──► running ──complete──► completed
       │                  │
       └──stop──► failed ◄┴──fail / stop──┘      failed ──retry──► pending

A pending task may be held (it waits for its account: a limit, the working hours, a
restriction) and released again; holding changes no status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

from service.domain.errors import TaskNotFound, TransitionRefused
from service.events import (
    DispatchWithdrawn,
    MaterialUsed,
    StepCompleted,
    StopRequested,
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskDispatched,
    TaskEvent,
    TaskFailed,
    TaskHeld,
    TaskReleased,
    TaskRetried,
    TaskStarted,
)

STOPPED = "stopped"


class TaskStatus(IntEnum):
    """The vendor's status codes."""

    PENDING = 0
    RUNNING = 1
    COMPLETED = 2
    FAILED = 3

    @property
    def text(self) -> str:
        """`pending`, `running`, `completed` or `failed`."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class TaskState:
    """What the domain needs to know of a task to decide."""

    task_id: int
    version: int = 0
    exists: bool = False
    deleted: bool = False
    status: TaskStatus = TaskStatus.PENDING
    attempt: int = 1
    serial: str = ""
    username: str | None = None
    script_name: str = ""
    stop_requested: bool = False
    stopped: bool = False  # the last failure was a stop
    automatic_retries: int = 0  # since creation or the last manual retry
    held: tuple[str, str] | None = None  # (reason, until) while the pending task waits for its account
    dispatched_to: tuple[str, str] | None = None  # (agent, incarnation) of a pending task given to its phone


def evolve(state: TaskState, event: TaskEvent) -> TaskState:
    """The state after one event."""
    version = state.version + 1
    match event:
        case TaskCreated():
            return replace(
                state,
                version=version,
                exists=True,
                serial=event.serial,
                username=event.username,
                script_name=event.script_name,
            )
        case TaskStarted():
            return replace(
                state,
                version=version,
                status=TaskStatus.RUNNING,
                attempt=event.attempt,
                serial=event.serial,
                held=None,
                dispatched_to=None,
            )
        case TaskDispatched():
            return replace(state, version=version, held=None, dispatched_to=(event.agent, event.incarnation))
        case DispatchWithdrawn():
            return replace(state, version=version, dispatched_to=None)
        case TaskCompleted():
            return replace(state, version=version, status=TaskStatus.COMPLETED)
        case TaskFailed():
            return replace(
                state,
                version=version,
                status=TaskStatus.FAILED,
                stopped=state.stop_requested,
                held=None,
                dispatched_to=None,
            )
        case TaskHeld():
            return replace(state, version=version, held=(event.reason, event.until))
        case TaskReleased():
            return replace(state, version=version, held=None)
        case StopRequested():
            return replace(state, version=version, stop_requested=True)
        case TaskRetried():
            return replace(
                state,
                version=version,
                status=TaskStatus.PENDING,
                attempt=event.attempt,
                stop_requested=False,
                stopped=False,
                automatic_retries=state.automatic_retries + 1 if event.automatic else 0,
            )
        case TaskDeleted():
            return replace(state, version=version, deleted=True)
    return replace(state, version=version)


def fold(task_id: int, events: Sequence[TaskEvent]) -> TaskState:
    """The state after a whole stream."""
    state = TaskState(task_id)
    for event in events:
        state = evolve(state, event)
    return state


# --- commands ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateTask:
    """Record a new task."""

    serial: str
    script_name: str
    script_config: dict[str, Any]
    username: str | None = None
    source: str = "api"
    start_time: str | None = None
    app: str = "tiktok"


@dataclass(frozen=True, slots=True)
class DispatchTask:
    """The scheduler gives the pending task to the agent incarnation that owns its phone."""

    agent: str
    incarnation: str


@dataclass(frozen=True, slots=True)
class WithdrawDispatch:
    """The dispatched task did not start: back to its queue (only if dispatched to `incarnation`, when given)."""

    reason: str
    incarnation: str | None = None


@dataclass(frozen=True, slots=True)
class StartTask:
    """A device begins the task's current attempt; `incarnation` the agent's (None: no dispatch needed)."""

    serial: str
    seed: int
    username: str | None = None
    steps: int = 0
    agent: str | None = None
    incarnation: str | None = None


@dataclass(frozen=True, slots=True)
class CompleteStep:
    """A named step of the running attempt finished."""

    index: int
    name: str
    duration_ms: int
    detail: str = ""
    actions: tuple[str, ...] = ()  # what it did on the platform ("follow", "like", ...)
    accounts: tuple[str, ...] = ()  # for whom (compared form)


@dataclass(frozen=True, slots=True)
class RecordMaterialUse:
    """The running attempt took these files from the material library."""

    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompleteTask:
    """The running attempt finished successfully."""

    steps: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class FailTask:
    """The attempt failed (or halted after a stop: reason "stopped")."""

    reason: str
    step: str | None = None
    artifacts: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class RequestStop:
    """A client asks the task to stop."""


@dataclass(frozen=True, slots=True)
class RetryTask:
    """Make a failed task pending again; `due_at` None means now."""

    automatic: bool = False
    due_at: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteTask:
    """Remove the task from every view (a running one is stopped first)."""


@dataclass(frozen=True, slots=True)
class HoldTask:
    """The pending task waits for its account until `until` (ISO 8601)."""

    kind: str
    account: str
    reason: str
    until: str


@dataclass(frozen=True, slots=True)
class ReleaseTask:
    """What held the pending task is over."""


Command = (
    CreateTask
    | StartTask
    | CompleteStep
    | RecordMaterialUse
    | CompleteTask
    | FailTask
    | RequestStop
    | RetryTask
    | DeleteTask
    | HoldTask
    | ReleaseTask
    | DispatchTask
    | WithdrawDispatch
)


def decide(state: TaskState, command: Command) -> list[TaskEvent]:
    """The events a command produces, or DomainError. Pure."""
    if isinstance(command, CreateTask):
        if state.exists:
            raise TransitionRefused(f"task {state.task_id} already exists")
        return [
            TaskCreated(
                serial=command.serial,
                username=command.username,
                script_name=command.script_name,
                script_config=command.script_config,
                source=command.source,
                start_time=command.start_time,
                app=command.app,
            )
        ]
    if not state.exists or (state.deleted and state.status != TaskStatus.RUNNING):
        # A deleted task is gone, except to the script still running it when it was deleted.
        raise TaskNotFound(state.task_id)
    match command:
        case FailTask():
            # Allowed after `deleted` too: the script of a deleted running task still halts.
            _require(state, (TaskStatus.PENDING, TaskStatus.RUNNING), "fail")
            return [
                TaskFailed(
                    attempt=state.attempt, step=command.step, reason=command.reason, artifacts=list(command.artifacts)
                )
            ]
        case CompleteStep():
            _require(state, (TaskStatus.RUNNING,), "record a step of")
            return [
                StepCompleted(
                    attempt=state.attempt,
                    index=command.index,
                    name=command.name,
                    detail=command.detail,
                    duration_ms=command.duration_ms,
                    actions=list(command.actions),
                    accounts=list(command.accounts),
                )
            ]
        case RecordMaterialUse():
            _require(state, (TaskStatus.RUNNING,), "record material for")
            return [MaterialUsed(attempt=state.attempt, paths=list(command.paths))]
        case CompleteTask():
            _require(state, (TaskStatus.RUNNING,), "complete")
            return [TaskCompleted(attempt=state.attempt, steps=command.steps, duration_ms=command.duration_ms)]
    if state.deleted:
        raise TaskNotFound(state.task_id)
    match command:
        case StartTask():
            _require(state, (TaskStatus.PENDING,), "start")
            if state.stop_requested:
                raise TransitionRefused(f"task {state.task_id} has a stop requested")
            if command.incarnation is not None and state.dispatched_to != (command.agent, command.incarnation):
                raise TransitionRefused(f"task {state.task_id} is not dispatched to agent {command.agent}")
            return [
                TaskStarted(
                    attempt=state.attempt,
                    serial=command.serial,
                    username=command.username,
                    seed=command.seed,
                    steps=command.steps,
                )
            ]
        case RequestStop():
            if state.status == TaskStatus.PENDING:
                return [StopRequested(), TaskFailed(attempt=state.attempt, reason=STOPPED)]
            if state.status == TaskStatus.RUNNING:
                return [] if state.stop_requested else [StopRequested()]
            raise TransitionRefused(
                f"task {state.task_id} is {state.status.text}: only a pending or running task can be stopped"
            )
        case RetryTask():
            if state.status != TaskStatus.FAILED:
                raise TransitionRefused(
                    f"task {state.task_id} is {state.status.text}: only a failed task can be retried"
                )
            if command.automatic and state.stopped:
                raise TransitionRefused(f"task {state.task_id} was stopped: it is never retried automatically")
            return [TaskRetried(attempt=state.attempt + 1, automatic=command.automatic, due_at=command.due_at)]
        case DeleteTask():
            if state.status == TaskStatus.RUNNING and not state.stop_requested:
                return [StopRequested(), TaskDeleted()]
            return [TaskDeleted()]
        case HoldTask():
            _require(state, (TaskStatus.PENDING,), "hold")
            if state.held == (command.reason, command.until):
                return []
            return [TaskHeld(kind=command.kind, account=command.account, reason=command.reason, until=command.until)]
        case ReleaseTask():
            _require(state, (TaskStatus.PENDING,), "release")
            return [TaskReleased()] if state.held is not None else []
        case DispatchTask():
            _require(state, (TaskStatus.PENDING,), "dispatch")
            if state.stop_requested or state.dispatched_to is not None:
                raise TransitionRefused(f"task {state.task_id} is already dispatched or stopping")
            released = [TaskReleased()] if state.held is not None else []
            return [
                *released,
                TaskDispatched(serial=state.serial, agent=command.agent, incarnation=command.incarnation),
            ]
        case WithdrawDispatch():
            _require(state, (TaskStatus.PENDING,), "withdraw the dispatch of")
            if state.dispatched_to is None or command.incarnation not in (None, state.dispatched_to[1]):
                return []
            return [DispatchWithdrawn(reason=command.reason)]
    raise TypeError(f"unknown command {command!r}")


def _require(state: TaskState, allowed: tuple[TaskStatus, ...], verb: str) -> None:
    if state.status not in allowed:
        raise TransitionRefused(f"cannot {verb} task {state.task_id}: it is {state.status.text}")
