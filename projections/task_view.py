"""The task view: one row per live task, and the counters behind stats and list totals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import msgspec

from projections.projection import Sql
from service.domain.task import TaskStatus
from service.events import (
    TASK_EVENT_TYPES,
    TASK_ID_AT,
    StepCompleted,
    StopRequested,
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskDispatched,
    TaskFailed,
    TaskHeld,
    TaskRetried,
    TaskStarted,
    task_id_of,
)
from service.store.records import RecordedEvent

# The statuses as the plain integers the rows hold.
PENDING, RUNNING, COMPLETED, FAILED = (
    int(status) for status in (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.COMPLETED, TaskStatus.FAILED)
)

_encode = msgspec.json.Encoder().encode


class TaskRow(msgspec.Struct, array_like=True, gc=False):
    """A row of `tasks`, field order = column order."""

    id: int
    serial: str
    username: str | None
    script_name: str
    script_config: bytes
    status: int
    source: str
    start_time: str | None
    retry_count: int
    auto_retries: int
    attempt: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    failed_step: str | None
    artifacts: bytes | None
    stop_requested: int
    stopped: int
    progress_step: int | None
    progress_steps: int | None
    progress_name: str | None
    version: int
    waiting_kind: str | None  # while a held pending task waits for its account
    waiting_reason: str | None
    waiting_until: str | None
    dispatched_agent: str | None = None  # a pending task given to its phone's agent, not started yet
    dispatched_incarnation: str | None = None
    app: str = "tiktok"  # the app the task runs on

    def count_key(self) -> tuple[str, str, str, int]:
        """The counter this row adds one to."""
        return (self.serial, self.script_name, self.source, self.status)


COLUMNS = TaskRow.__struct_fields__
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM tasks"
_UPSERT = (
    f"INSERT INTO tasks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT (id) "
    f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS if c != 'id')}"
)
_INSERT = f"INSERT INTO tasks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_astuple = msgspec.structs.astuple


def _created(task_id: int, event: TaskCreated, recorded_at: str, version: int) -> TaskRow:
    return TaskRow(
        task_id,
        event.serial,
        event.username,
        event.script_name,
        _encode(event.script_config),
        PENDING,
        event.source,
        event.start_time,
        0,
        0,
        1,
        recorded_at,
        None,
        None,
        None,
        None,
        None,
        0,
        0,
        None,
        None,
        None,
        version,
        None,
        None,
        None,
        None,
        None,
        event.app,
    )


def _step_completed(row: TaskRow, event: StepCompleted, recorded_at: str) -> TaskRow:
    row.progress_step = event.index
    row.progress_name = event.name
    return row


def _started(row: TaskRow, event: TaskStarted, recorded_at: str) -> TaskRow:
    row.status = RUNNING
    row.attempt = event.attempt
    row.serial = event.serial
    row.started_at = recorded_at
    row.finished_at = row.error = row.failed_step = row.artifacts = None
    row.progress_step = row.progress_name = None
    row.progress_steps = event.steps or None
    row.waiting_kind = row.waiting_reason = row.waiting_until = None
    row.dispatched_agent = row.dispatched_incarnation = None
    return row


def _completed(row: TaskRow, event: TaskCompleted, recorded_at: str) -> TaskRow:
    row.status = COMPLETED
    row.finished_at = recorded_at
    row.progress_steps = event.steps
    return row


def _failed(row: TaskRow, event: TaskFailed, recorded_at: str) -> TaskRow:
    row.status = FAILED
    row.finished_at = recorded_at
    row.error = event.reason
    row.failed_step = event.step
    row.artifacts = _encode(event.artifacts)
    row.stopped = row.stop_requested
    row.waiting_kind = row.waiting_reason = row.waiting_until = None
    row.dispatched_agent = row.dispatched_incarnation = None
    return row


def _stop_requested(row: TaskRow, event: StopRequested, recorded_at: str) -> TaskRow:
    row.stop_requested = 1
    return row


def _retried(row: TaskRow, event: TaskRetried, recorded_at: str) -> TaskRow:
    row.status = PENDING
    row.attempt = event.attempt
    row.retry_count += 1
    row.auto_retries = row.auto_retries + 1 if event.automatic else 0
    row.start_time = event.due_at
    row.stop_requested = row.stopped = 0
    row.started_at = row.finished_at = row.error = row.failed_step = row.artifacts = None
    row.progress_step = row.progress_steps = row.progress_name = None
    return row


def _deleted(row: TaskRow, event: TaskDeleted, recorded_at: str) -> None:
    return None


def _held(row: TaskRow, event: TaskHeld, recorded_at: str) -> TaskRow:
    row.waiting_kind, row.waiting_reason, row.waiting_until = event.kind, event.reason, event.until
    return row


def _released(row: TaskRow, event: object, recorded_at: str) -> TaskRow:
    row.waiting_kind = row.waiting_reason = row.waiting_until = None
    return row


def _dispatched(row: TaskRow, event: TaskDispatched, recorded_at: str) -> TaskRow:
    row.dispatched_agent, row.dispatched_incarnation = event.agent, event.incarnation
    row.waiting_kind = row.waiting_reason = row.waiting_until = None
    return row


def _withdrawn(row: TaskRow, event: object, recorded_at: str) -> TaskRow:
    row.dispatched_agent = row.dispatched_incarnation = None
    return row


def _unchanged(row: TaskRow, event: object, recorded_at: str) -> TaskRow:
    return row


# How each event type changes an existing row (`created` makes the row).
_APPLY = {
    "step-completed": _step_completed,
    "started": _started,
    "completed": _completed,
    "failed": _failed,
    "stop-requested": _stop_requested,
    "retried": _retried,
    "deleted": _deleted,
    "material-used": _unchanged,
    "held": _held,
    "released": _released,
    "dispatched": _dispatched,
    "dispatch-withdrawn": _withdrawn,
}


def reduce(row: TaskRow | None, task_id: int, recorded: RecordedEvent) -> TaskRow | None:
    """The row after one event; None when the task does not exist or was deleted."""
    if recorded.type == "created":
        return _created(task_id, recorded.event, recorded.recorded_at, recorded.version)
    if row is None:
        return None  # events after `deleted` (the "stopped" of a deleted running task)
    row = _APPLY[recorded.type](row, recorded.event, recorded.recorded_at)
    if row is not None:
        row.version = recorded.version
    return row


def _task_events(events: Iterable[RecordedEvent]) -> list[tuple[int, RecordedEvent]]:
    return [(task_id, r) for r in events if (task_id := task_id_of(r.stream_id)) is not None]


def _write_counts(conn: Sql, deltas: Counter) -> None:
    """Add the deltas to the counters; a counter that reaches zero is removed (as replay has none)."""
    changes = [(*key, n) for key, n in deltas.items() if n]
    if changes:
        conn.executemany(
            "INSERT INTO task_counts (serial, script_name, source, status, n) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (serial, script_name, source, status) DO UPDATE SET n = task_counts.n + excluded.n",
            changes,
        )
    decreased = [key for key, n in deltas.items() if n < 0]
    if decreased:
        conn.executemany(
            "DELETE FROM task_counts WHERE serial = ? AND script_name = ? AND source = ? AND status = ? AND n = 0",
            decreased,
        )


def _write_sequence(conn: Sql, last_id: int) -> None:
    conn.execute(
        "INSERT INTO task_sequence (one, last_id) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET last_id = "
        "CASE WHEN excluded.last_id > task_sequence.last_id THEN excluded.last_id ELSE task_sequence.last_id END",
        (last_id,),
    )


# Events that change neither status nor counters: applied as in-place updates, no row read.
_PATCHES = frozenset({"step-completed", "stop-requested", "material-used"})
_PATCH = (
    "UPDATE tasks SET progress_step = COALESCE(?, progress_step), progress_name = COALESCE(?, progress_name), "
    "stop_requested = CASE WHEN ? = 1 THEN 1 ELSE stop_requested END, version = ? WHERE id = ?"
)


def _patches(task_events: list[tuple[int, RecordedEvent]], skip: set[int]) -> list[tuple]:
    """One UPDATE per task whose events in the batch are all patches (progress, stop flag)."""
    patched: dict[int, list] = {}
    for task_id, recorded in task_events:
        if task_id in skip:
            continue
        patch = patched.get(task_id)
        if patch is None:
            patch = patched[task_id] = [None, None, 0, 0, task_id]
        if recorded.type == "step-completed":
            patch[0] = recorded.event.index
            patch[1] = recorded.event.name
        elif recorded.type == "stop-requested":
            patch[2] = 1
        patch[3] = recorded.version
    return [tuple(patch) for patch in patched.values()]


class TaskView:
    """`tasks`, `task_counts` and `task_sequence`."""

    tables = ("tasks", "task_counts", "task_sequence")

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """Fold the batch into the rows it touches and write the rows and counter deltas.

        Tasks that only got progress or a stop flag are patched in place; the others are read,
        folded with `reduce` (the function replay uses) and written back with counter deltas.
        """
        task_events = _task_events(events)
        if not task_events:
            return
        folded = {task_id for task_id, r in task_events if r.type not in _PATCHES}
        patches = _patches(task_events, folded)
        if patches:
            conn.executemany(_PATCH, patches)
        task_events = [(task_id, r) for task_id, r in task_events if task_id in folded]
        if not task_events:
            return
        rows: dict[int, TaskRow | None] = {}
        existing = {task_id for task_id, r in task_events if r.type != "created"}
        if existing:
            marks = ",".join("?" * len(existing))
            for values in conn.execute(f"{_SELECT} WHERE id IN ({marks})", tuple(existing)):
                rows[values[0]] = TaskRow(*values)
        before = {task_id: row.count_key() for task_id, row in rows.items()}
        created = 0
        for task_id, recorded in task_events:
            rows[task_id] = reduce(rows.get(task_id), task_id, recorded)
            if recorded.type == "created":
                created = max(created, task_id)
        deltas: Counter = Counter()
        for key in before.values():
            deltas[key] -= 1
        upserts, deletes = [], []
        for task_id, row in rows.items():
            if row is None:
                if task_id in before:
                    deletes.append((task_id,))
            else:
                deltas[row.count_key()] += 1
                upserts.append(_astuple(row))
        if deletes:
            conn.executemany("DELETE FROM tasks WHERE id = ?", deletes)
        if upserts:
            conn.executemany(_UPSERT, upserts)
        _write_counts(conn, deltas)
        if created:
            _write_sequence(conn, created)

    def rebuilder(self) -> TaskViewRebuild:
        """Fold the whole log in memory."""
        return TaskViewRebuild()


class TaskViewRebuild:
    """The task view folded from an empty state."""

    types = TASK_EVENT_TYPES

    def __init__(self) -> None:
        self.rows: dict[int, TaskRow | None] = {}
        self.last_id = 0
        # Replay calls these directly, by event type, with the stored row's fields: no dispatch
        # and no RecordedEvent per event.
        self.handlers = {
            "created": self._created,
            **{kind: self._updater(apply) for kind, apply in _APPLY.items()},
            "step-completed": self._step_completed,
        }

    def _step_completed(self, stream_id: str, version: int, recorded_at: str, event: StepCompleted) -> None:
        """The most frequent event, `_step_completed` inlined."""
        row = self.rows.get(int(stream_id[TASK_ID_AT:]))
        if row is not None:
            row.progress_step = event.index
            row.progress_name = event.name
            row.version = version

    def _created(self, stream_id: str, version: int, recorded_at: str, event: TaskCreated) -> None:
        task_id = int(stream_id[TASK_ID_AT:])
        self.rows[task_id] = _created(task_id, event, recorded_at, version)
        if task_id > self.last_id:
            self.last_id = task_id

    def _updater(self, apply):
        rows = self.rows

        def handle(stream_id: str, version: int, recorded_at: str, event) -> None:
            task_id = int(stream_id[TASK_ID_AT:])
            row = rows.get(task_id)
            if row is not None:
                row = rows[task_id] = apply(row, event, recorded_at)
                if row is not None:
                    row.version = version

        return handle

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one task event."""
        self.handlers[recorded.type](recorded.stream_id, recorded.version, recorded.recorded_at, recorded.event)

    def write(self, conn: Sql) -> None:
        """Insert every live row, the counters and the sequence."""
        live = [row for row in self.rows.values() if row is not None]
        live.sort(key=lambda row: row.id)
        conn.executemany(_INSERT, [_astuple(row) for row in live])
        _write_counts(conn, Counter(row.count_key() for row in live))
        if self.last_id:
            _write_sequence(conn, self.last_id)
