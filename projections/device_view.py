"""The device view: each phone's adb state, whether it is busy, what it has run, and which
agent incarnation owns it (the fence the store checks an agent's appends against)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from projections.projection import Sql
from service.events import (
    TASK_ID_AT,
    DeviceAgentLost,
    DeviceClaimed,
    DeviceConnected,
    DevicePaused,
    DeviceStateChanged,
    TaskCompleted,
    TaskStarted,
    serial_of,
)
from service.store.records import RecordedEvent

_RELEVANT = frozenset(
    {
        "device-connected",
        "device-disconnected",
        "device-state-changed",
        "device-paused",
        "device-resumed",
        "started",
        "completed",
        "failed",
        "deleted",
        "device-claimed",
        "device-released",
        "device-agent-lost",
    }
)


class DeviceRow(msgspec.Struct, array_like=True, gc=False):
    """A row of `devices`, field order = column order."""

    serial: str
    model: str
    state: str
    online: int
    busy: int
    current_task_id: int | None
    current_deleted: int
    tasks_completed: int
    tasks_failed: int
    paused: int  # finishes its current task and starts no other until resumed
    agent: str | None = None  # the owning agent's name
    incarnation: str | None = None  # and which process of that name
    agent_lost: int = 0  # the owner stopped answering (the phone may be claimed; its appends are refused)


COLUMNS = DeviceRow.__struct_fields__
_UPSERT = (
    f"INSERT INTO devices ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT (serial) "
    f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS if c != 'serial')}"
)


class DeviceFold:
    """Device rows keyed by serial, plus which device runs which task."""

    types = _RELEVANT

    def __init__(self, rows: dict[str, DeviceRow]) -> None:
        self.rows = rows
        self.running = {row.current_task_id: row for row in rows.values() if row.current_task_id}
        self.changed: set[str] = set()
        self.handlers = {  # by event type; replay calls them directly
            "device-connected": self._connected,
            "device-disconnected": self._disconnected,
            "device-state-changed": self._state_changed,
            "started": self._started,
            "completed": self._finished,
            "failed": self._finished,
            "deleted": self._deleted,
            "device-paused": self._paused,
            "device-resumed": self._paused,
            "device-claimed": self._claimed,
            "device-released": self._released,
            "device-agent-lost": self._agent_lost,
        }

    def _device(self, serial: str) -> DeviceRow:
        row = self.rows.get(serial)
        if row is None:
            row = self.rows[serial] = DeviceRow(serial, "", "unknown", 0, 0, None, 0, 0, 0, 0)
        self.changed.add(serial)
        return row

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one event; task events matter only for the phone that runs the task."""
        handler = self.handlers.get(recorded.type)
        if handler is not None:
            handler(recorded.stream_id, recorded.version, recorded.recorded_at, recorded.event)

    # Handlers: (stream_id, version, recorded_at, event), as replay calls them.

    def _connected(self, stream_id: str, version: int, recorded_at: str, event: DeviceConnected) -> None:
        row = self._device(serial_of(stream_id))
        row.model = event.model or row.model
        row.state = event.state
        row.online = int(event.state == "device")

    def _disconnected(self, stream_id: str, version: int, recorded_at: str, event: object) -> None:
        row = self._device(serial_of(stream_id))
        row.state, row.online = "disconnected", 0

    def _state_changed(self, stream_id: str, version: int, recorded_at: str, event: DeviceStateChanged) -> None:
        row = self._device(serial_of(stream_id))
        row.state = event.state
        row.online = int(event.state == "device")

    def _claimed(self, stream_id: str, version: int, recorded_at: str, event: DeviceClaimed) -> None:
        row = self._device(serial_of(stream_id))
        row.agent, row.incarnation, row.agent_lost = event.agent, event.incarnation, 0

    def _released(self, stream_id: str, version: int, recorded_at: str, event: object) -> None:
        row = self._device(serial_of(stream_id))
        row.agent, row.incarnation, row.agent_lost = None, None, 0

    def _agent_lost(self, stream_id: str, version: int, recorded_at: str, event: DeviceAgentLost) -> None:
        self._device(serial_of(stream_id)).agent_lost = 1

    def _paused(self, stream_id: str, version: int, recorded_at: str, event: object) -> None:
        self._device(serial_of(stream_id)).paused = int(type(event) is DevicePaused)

    def _started(self, stream_id: str, version: int, recorded_at: str, event: TaskStarted) -> None:
        row = self._device(event.serial)
        if row.current_task_id:
            self.running.pop(row.current_task_id, None)
        task_id = int(stream_id[TASK_ID_AT:])
        row.busy, row.current_task_id, row.current_deleted = 1, task_id, 0
        self.running[task_id] = row

    def _finished(self, stream_id: str, version: int, recorded_at: str, event: object) -> None:
        row = self.running.pop(int(stream_id[TASK_ID_AT:]), None)
        if row is None:
            return  # a pending task stopped: no phone was involved
        self.changed.add(row.serial)
        if row.current_deleted:
            pass  # a deleted task's outcome changes no view; the phone is free again
        elif type(event) is TaskCompleted:
            row.tasks_completed += 1
        else:
            row.tasks_failed += 1
        row.busy, row.current_task_id, row.current_deleted = 0, None, 0

    def _deleted(self, stream_id: str, version: int, recorded_at: str, event: object) -> None:
        row = self.running.get(int(stream_id[TASK_ID_AT:]))
        if row is not None:
            row.current_deleted = 1
            self.changed.add(row.serial)

    def write(self, conn: Sql) -> None:
        """Write the rows that changed."""
        if self.changed:
            conn.executemany(_UPSERT, [msgspec.structs.astuple(self.rows[s]) for s in sorted(self.changed)])


class DeviceView:
    """`devices`."""

    tables = ("devices",)

    def apply(self, conn: Sql, events: Sequence[RecordedEvent]) -> None:
        """The devices table is small (one row per phone): load it whole when an event matters."""
        if not any(r.type in _RELEVANT for r in events):
            return
        rows = {values[0]: DeviceRow(*values) for values in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM devices")}
        fold = DeviceFold(rows)
        for recorded in events:
            fold.feed(recorded)
        fold.write(conn)

    def rebuilder(self) -> DeviceFold:
        """Fold the whole log in memory."""
        return DeviceFold({})
