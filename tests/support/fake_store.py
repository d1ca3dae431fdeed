"""An in-memory EventStore (service/store/interface.py) for unit tests of handlers, the scheduler
and the actors: the log in a list, versions checked as a real store checks them, the views read
by folding the log with the projections' own rebuild folds (what replay writes), side tables in
dicts. No SQL, no threads: each append commits at once.

`fail_next_appends(n, error)` makes the next n appends raise (a conflict, the database away).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import anyio

from projections.account_view import AccountFold, AccountRow
from projections.actions_view import ActionsFold
from projections.agent_view import AgentFold, AgentRow
from projections.device_view import DeviceFold, DeviceRow
from projections.material_view import MaterialFold
from projections.queries import ActionCount, PendingTask, RestrictionRow, TaskFilter, TaskPage, limits_of_document
from projections.safety_view import SafetyFold
from projections.task_view import FAILED, PENDING, RUNNING, TaskRow, TaskViewRebuild
from service.domain.limits import Limits
from service.events import encode_event, event_type
from service.store.records import (
    ConcurrencyError,
    EraseSecrets,
    Fence,
    FencedOff,
    IdempotentResponse,
    RecordedEvent,
    RememberResponse,
    SaveSecrets,
    SideWrite,
    StartHeartbeat,
    StoreError,
    StreamAppend,
)
from service.store.write_stats import WriteStats

MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class FakeEventStore:
    """The log and its views in memory."""

    backend = "fake"
    location = "memory"

    def __init__(self, now: Callable[[], datetime] = lambda: MOMENT) -> None:
        self.log: list[RecordedEvent] = []
        self.secrets: dict[int, dict[str, str]] = {}
        self.idempotency: dict[str, IdempotentResponse] = {}
        self.heartbeats: dict[str, tuple[str, float]] = {}  # name -> (incarnation, unix seconds)
        self.stats = WriteStats()
        self.now = now
        self.views = FakeViews(self)
        self.side = FakeSideReads(self)
        self.appends: list[tuple[StreamAppend, ...]] = []  # every append tried, refused ones included
        self._failures: list[Exception] = []
        self._advanced = anyio.Event()

    # --- test controls ------------------------------------------------------------------------

    def fail_next_appends(self, count: int, error: Exception) -> None:
        """The next `count` appends raise `error` and record nothing."""
        self._failures.extend([error] * count)

    def events_of(self, stream_id: str) -> list[object]:
        """The decoded events of a stream."""
        return [r.event for r in self.log if r.stream_id == stream_id]

    # --- the interface ------------------------------------------------------------------------

    @property
    def position(self) -> int:
        return len(self.log)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeEventStore]:
        yield self

    async def append(
        self, *appends: StreamAppend, side_writes: Sequence[SideWrite] = (), fence: Fence | None = None
    ) -> list[RecordedEvent]:
        self.appends.append(appends)
        if self._failures:
            raise self._failures.pop(0)
        if fence is not None and self._owner(fence.serial) != (fence.agent, fence.incarnation, False):
            raise FencedOff(f"phone {fence.serial} no longer belongs to agent {fence.agent} ({fence.incarnation})")
        conflicts = [
            (a.stream_id, a.expected_version, self._version(a.stream_id))
            for a in appends
            if self._version(a.stream_id) != a.expected_version
        ]
        if conflicts:
            raise ConcurrencyError(conflicts)
        for write in side_writes:  # all or nothing, as in the store's transaction
            self._check_side_write(write)
        recorded_at = self.now().isoformat(timespec="milliseconds")
        recorded = []
        for stream_id, expected, events in appends:
            for offset, event in enumerate(events, start=1):
                recorded.append(
                    RecordedEvent(
                        len(self.log) + len(recorded) + 1,
                        stream_id,
                        expected + offset,
                        event_type(event),
                        encode_event(event),
                        recorded_at,
                        event,
                    )
                )
        self.log.extend(recorded)
        for write in side_writes:
            self._side_write(write)
        self.stats.record(1, len(recorded), 0.0)
        advanced, self._advanced = self._advanced, anyio.Event()
        advanced.set()
        return recorded

    def _owner(self, serial: str) -> tuple[str | None, str | None, bool]:
        owner: tuple[str | None, str | None, bool] = (None, None, False)
        for recorded in self.log:
            if recorded.stream_id == f"device-{serial}":
                if recorded.type == "device-claimed":
                    owner = (recorded.event.agent, recorded.event.incarnation, False)
                elif recorded.type == "device-released":
                    owner = (None, None, False)
                elif recorded.type == "device-agent-lost":
                    owner = (owner[0], owner[1], True)
        return owner

    @asynccontextmanager
    async def leadership(self, on_waiting: Callable[[], None] = lambda: None) -> AsyncIterator[None]:
        """One process shares the store: it leads at once, for as long as it likes."""
        yield

    async def beat(self, name: str, incarnation: str) -> bool:
        row = next((r for r in await self.views.agents() if r.name == name), None)
        if row is None or row.incarnation != incarnation or row.state != "alive":
            return False
        self.heartbeats[name] = (incarnation, self.now().timestamp())
        return True

    def _side_write(self, write: SideWrite) -> None:
        match write:
            case StartHeartbeat(name, incarnation):
                self.heartbeats[name] = (incarnation, self.now().timestamp())
            case SaveSecrets(task_id, secrets):
                self.secrets.setdefault(task_id, {}).update(secrets)
            case EraseSecrets(task_id):
                self.secrets.pop(task_id, None)
            case RememberResponse(key, body_hash, response, created_at, _):
                self.idempotency[key] = IdempotentResponse(body_hash, response, created_at)

    def _check_side_write(self, write: SideWrite) -> None:
        """A live row of the same Idempotency-Key refuses the append (a unique key in the store)."""
        if isinstance(write, RememberResponse):
            held = self.idempotency.get(write.key)
            if held is not None and held.created_at >= write.replaces_before:
                raise StoreError(f"idempotency key {write.key!r} is taken")

    def _version(self, stream_id: str) -> int:
        return sum(1 for r in self.log if r.stream_id == stream_id)

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        return [r for r in self.log if r.stream_id == stream_id and r.version > after_version]

    async def stream_version(self, stream_id: str) -> int:
        return self._version(stream_id)

    async def read_streams(self, stream_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
        return {stream_id: await self.read_stream(stream_id) for stream_id in stream_ids}

    async def read_all(self, after: int = 0, limit: int = 100) -> list[RecordedEvent]:
        return self.log[after : after + limit]

    async def wait_for_commit(self, after: int) -> int:
        while self.position <= after:
            await self._advanced.wait()
        return self.position

    async def check_writable(self) -> None:
        return None


def _fold(store: FakeEventStore, *folds) -> None:
    for recorded in store.log:
        for fold in folds:
            if recorded.type in fold.types:
                fold.feed(recorded)


class FakeViews:
    """The ReadModel of service/store/interface.py, by folding the whole log at each read."""

    def __init__(self, store: FakeEventStore) -> None:
        self.store = store

    def _tasks(self) -> tuple[list[TaskRow], int]:
        fold = TaskViewRebuild()
        _fold(self.store, fold)
        return sorted((row for row in fold.rows.values() if row is not None), key=lambda row: row.id), fold.last_id

    def _devices(self) -> dict[str, DeviceRow]:
        fold = DeviceFold({})
        _fold(self.store, fold)
        return fold.rows

    def _matches(self, row: TaskRow, where: TaskFilter) -> bool:
        return all(
            getattr(where, name) is None or getattr(row, name) == getattr(where, name)
            for name in ("status", "serial", "script_name", "source", "username")
        )

    async def task_page(self, where: TaskFilter, offset: int, limit: int) -> TaskPage:
        matching = [row for row in reversed(self._tasks()[0]) if self._matches(row, where)]
        return TaskPage(len(matching), matching[offset : offset + limit])

    async def task(self, task_id: int) -> TaskRow | None:
        return next((row for row in self._tasks()[0] if row.id == task_id), None)

    async def task_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for row in self._tasks()[0]:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    async def task_ids(self, where: TaskFilter) -> list[int]:
        return [row.id for row in self._tasks()[0] if self._matches(row, where)]

    async def failed_task_ids(self) -> list[int]:
        return await self.task_ids(TaskFilter(status=FAILED))

    async def pending_tasks(self) -> list[PendingTask]:
        return [
            PendingTask(
                row.id,
                row.serial,
                row.start_time,
                row.script_name,
                row.username,
                row.waiting_reason,
                row.waiting_until,
                row.dispatched_agent,
                row.dispatched_incarnation,
            )
            for row in self._tasks()[0]
            if row.status == PENDING
        ]

    async def running_task_ids(self) -> list[int]:
        running = {row.id for row in self._tasks()[0] if row.status == RUNNING}
        running |= {row.current_task_id for row in self._devices().values() if row.current_task_id}
        return sorted(running)

    async def last_task_id(self) -> int:
        return self._tasks()[1]

    async def devices(self) -> list[DeviceRow]:
        return [row for _, row in sorted(self._devices().items())]

    async def device(self, serial: str) -> DeviceRow | None:
        return self._devices().get(serial)

    async def online_serials(self) -> set[str]:
        return {serial for serial, row in self._devices().items() if row.online}

    async def accounts(self, serial: str | None = None) -> list[AccountRow]:
        fold = AccountFold()
        _fold(self.store, fold)
        rows = sorted((row for row in fold.rows.values() if row is not None), key=lambda row: row.key)
        return [row for row in rows if serial is None or row.serial == serial]

    async def account(self, key: str) -> AccountRow | None:
        return next((row for row in await self.accounts() if row.key == key), None)

    async def agents(self) -> list[AgentRow]:
        fold = AgentFold()
        _fold(self.store, fold)
        return [row for _, row in sorted(fold.rows.items())]

    async def material_uses(self) -> dict[str, int]:
        fold = MaterialFold()
        _fold(self.store, fold)
        return {path: uses for path, uses, _ in fold.uses.values()}

    def _safety(self) -> SafetyFold:
        fold = SafetyFold()
        _fold(self.store, fold)
        return fold

    async def default_limits(self) -> Limits | None:
        document = self._safety().defaults
        return limits_of_document(document) if document is not None else None

    async def account_limits(self, keys: Sequence[str] | None = None) -> dict[str, Limits]:
        return {
            key: limits_of_document(document)
            for key, document in self._safety().limits.items()
            if keys is None or key in keys
        }

    async def restrictions(self, keys: Sequence[str] | None = None) -> dict[str, RestrictionRow]:
        return {
            key: RestrictionRow(*row)
            for key, row in self._safety().restrictions.items()
            if row is not None and (keys is None or key in keys)
        }

    async def action_counts(self, keys: Sequence[str] | None, since: int, until: int) -> list[ActionCount]:
        fold = ActionsFold()
        _fold(self.store, fold)
        return [
            ActionCount(key, action, bucket, n)
            for (key, action, bucket), n in sorted(fold.counts.items())
            if (keys is None or key in keys) and since <= bucket < until
        ]

    async def safety_counters(self) -> dict[str, int]:
        return dict(self._safety().counters)

    async def waiting_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self._tasks()[0]:
            if row.waiting_kind is not None:
                counts[row.waiting_kind] = counts.get(row.waiting_kind, 0) + 1
        return counts


class FakeSideReads:
    """The side tables' reads."""

    def __init__(self, store: FakeEventStore) -> None:
        self.store = store

    async def secrets(self, task_id: int) -> dict[str, str]:
        return dict(self.store.secrets.get(task_id, {}))

    async def idempotent_response(self, key: str) -> IdempotentResponse | None:
        return self.store.idempotency.get(key)

    async def agent_silences(self) -> dict[str, tuple[str, float]]:
        now = self.store.now().timestamp()
        alive = {(r.name, r.incarnation) for r in await self.store.views.agents() if r.state == "alive"}
        return {
            name: (incarnation, now - beat_at)
            for name, (incarnation, beat_at) in self.store.heartbeats.items()
            if (name, incarnation) in alive
        }
