"""Group commit, for both backends: every append queued while a commit runs goes into the next
transaction, with the views' updates and the side writes, and one commit (one fsync) serves
them all.

Appends wait in one queue; the writer thread takes everything queued, gives the events their
positions (the next after the log's last, under the log's write lock: positions are gap-free
and commit in order), inserts them, updates every view, commits, then resumes each caller. A
stream not at its expected version fails only the append that expected it: the batch is then
written again append by append under savepoints.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

import anyio

from projections.projection import Projection, Sql
from projections.views import CHECKPOINT
from service.events import encode_event, event_type, serial_of
from service.store import side_tables
from service.store.records import (
    ConcurrencyError,
    Fence,
    FencedOff,
    RecordedEvent,
    SideWrite,
    StoreError,
    StreamAppend,
)
from service.store.write_stats import WriteStats

log = logging.getLogger("droidledger.store")

CHECKPOINT_UPSERT = (
    "INSERT INTO checkpoints (name, position) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
)


class WriterConnection(Protocol):
    """A backend's one write connection, used on the writer thread only."""

    sql: Sql  # statements inside the open transaction (views, side writes)
    broken: bool  # lost (a server restarted): the writer opens a new one for the next batch
    now_sql: str  # the database's clock in unix seconds, as an SQL expression

    def begin(self) -> int:
        """Open a transaction holding the log's write lock; the log's last position."""

    def insert_events(self, rows: Sequence[tuple]) -> None:
        """Insert rows of `events` (position, stream_id, version, type, data, recorded_at)."""

    def stream_version(self, stream_id: str) -> int:
        """A stream's last version, 0 if it has none."""

    def savepoint(self) -> None:
        """Mark a point the transaction can roll back to."""

    def rollback_to_savepoint(self) -> None:
        """Undo everything since the savepoint, and forget it."""

    def release_savepoint(self) -> None:
        """Keep everything since the savepoint, and forget it."""

    def commit(self, position: int) -> None:
        """Commit; `position` is the log's last position after it."""

    def pipeline(self) -> AbstractContextManager:
        """A block whose statements may be sent without waiting for each one's answer."""

    def rollback(self) -> None:
        """Roll back the open transaction, if any; never raises."""

    def is_conflict(self, error: BaseException) -> bool:
        """Whether the error is a stream already at the version an append gave its event."""

    def close(self) -> None:
        """Close the connection; never raises."""


def refused(error: BaseException) -> StoreError:
    """The StoreError a caller gets when its append could not be written."""
    wrapped = StoreError(f"the event log could not be written: {error}")
    wrapped.__cause__ = error
    return wrapped


class _Append:
    """One caller's atomic append, waiting for the writer."""

    __slots__ = ("appends", "side_writes", "fence", "done", "recorded", "error")

    def __init__(self, appends: Sequence[StreamAppend], side_writes: Sequence[SideWrite], fence: Fence | None) -> None:
        self.appends = appends
        self.side_writes = side_writes
        self.fence = fence
        self.done = anyio.Event()
        self.recorded: list[RecordedEvent] = []
        self.error: BaseException | None = None


class GroupCommitWriter:
    """The queue of appends and the thread that commits them; `connect` opens (and, after a lost
    connection, reopens) the backend's write connection on that thread."""

    def __init__(
        self,
        connect: Callable[[], WriterConnection],
        views: Sequence[Projection],
        now: Callable[[], datetime],
        *,
        max_batch: int = 2000,
    ) -> None:
        self._connect = connect
        self.views = tuple(views)
        self._now = now
        self.max_batch = max_batch
        self.stats = WriteStats()
        self.position = 0  # the log's last position as of this writer's last commit
        self.limiter = anyio.CapacityLimiter(1)  # the writer thread: one thing at a time
        self.connection: WriterConnection | None = None
        self._queue: list[_Append] = []
        self._work = anyio.Event()
        self.on_commit: Callable[[int], None] = lambda position: None  # told the log's position after each batch
        self._closing = False

    # --- the caller's side ------------------------------------------------------------------

    async def append(
        self, *appends: StreamAppend, side_writes: Sequence[SideWrite] = (), fence: Fence | None = None
    ) -> list[RecordedEvent]:
        """Append atomically to one or more streams; the recorded events once durable.

        Raises ConcurrencyError when a stream is not at its expected version, FencedOff when the
        fence's phone no longer belongs to its incarnation, StoreError when the database refused.
        """
        if self._closing:
            raise StoreError("the store is shutting down")
        pending = _Append(appends, side_writes, fence)
        started = time.perf_counter()
        self._queue.append(pending)
        self._work.set()
        await pending.done.wait()
        if pending.error is not None:
            raise pending.error
        self.stats.append_seconds.observe(time.perf_counter() - started)
        return pending.recorded

    async def run_on_writer(self, function: Callable[[WriterConnection], Any]) -> Any:
        """Run maintenance on the write connection, between two commits."""

        def run() -> Any:
            try:
                return function(self._connection())
            except BaseException:
                self._drop_connection_if_lost()
                raise

        return await anyio.to_thread.run_sync(run, limiter=self.limiter)

    # --- the writer's side ------------------------------------------------------------------

    async def open(self) -> int:
        """Connect; the log's last position."""
        self.position = await self.run_on_writer(self._last_position)
        return self.position

    @staticmethod
    def _last_position(conn: WriterConnection) -> int:
        position = conn.begin()
        conn.rollback()
        return position

    def _connection(self) -> WriterConnection:
        if self.connection is None:
            self.connection = self._connect()
        return self.connection

    def _drop_connection_if_lost(self) -> None:
        """A lost connection is closed: the next batch opens a new one."""
        if self.connection is not None and self.connection.broken:
            self.connection.close()
            self.connection = None

    def close(self) -> None:
        """Refuse new appends and let the loop end once the queue is empty."""
        self._closing = True
        self._work.set()

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Commit what is queued, batch after batch, until closed and drained."""
        task_status.started()
        while True:
            await self._work.wait()
            self._work = anyio.Event()
            while self._queue:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                with anyio.CancelScope(shield=True):
                    try:
                        await anyio.to_thread.run_sync(self._commit, batch, limiter=self.limiter)
                    except Exception as exc:  # noqa: BLE001 - callers must hear of it, never wait forever
                        for pending in batch:
                            pending.recorded, pending.error = [], refused(exc)
                for pending in batch:
                    pending.done.set()
                self.on_commit(self.position)
            if self._closing:
                return

    def _commit(self, batch: list[_Append]) -> None:
        """Runs on the writer thread: the whole batch in one transaction."""
        started = time.perf_counter()
        recorded_at = self._now().isoformat(timespec="milliseconds")
        try:
            conn = self._connection()
            position = conn.begin()
            try:
                with conn.pipeline():
                    owners = _Owners(conn, batch)
                    rows: list[tuple] = []
                    for pending in batch:
                        if owners.fenced_off(pending):
                            continue
                        position = self._stage(pending, position, recorded_at, rows)
                        owners.note(pending)
                    conn.insert_events(rows)
                    for pending in batch:
                        if pending.error is None:
                            self._side_writes(conn, pending.side_writes)
                    self._apply_views(conn, [r for pending in batch for r in pending.recorded], position)
                    conn.commit(position)
            except Exception:  # noqa: BLE001 - isolate the append at fault; the others commit
                conn.rollback()
                position = self._commit_one_by_one(conn, batch, recorded_at)
        except BaseException as exc:
            self._drop_connection_if_lost()
            error = refused(exc)
            for pending in batch:
                pending.recorded, pending.error = [], error
            return
        self.position = max(self.position, position)
        self.stats.record(len(batch), sum(len(p.recorded) for p in batch), time.perf_counter() - started)

    @staticmethod
    def _stage(pending: _Append, position: int, recorded_at: str, rows: list[tuple]) -> int:
        """Give the append's events their positions and versions; add their rows."""
        recorded = []
        for stream_id, expected_version, events in pending.appends:
            version = expected_version
            for event in events:
                position += 1
                version += 1
                data = encode_event(event)
                kind = event_type(event)
                rows.append((position, stream_id, version, kind, data, recorded_at))
                recorded.append(RecordedEvent(position, stream_id, version, kind, data, recorded_at, event))
        pending.recorded = recorded
        return position

    def _commit_one_by_one(self, conn: WriterConnection, batch: list[_Append], recorded_at: str) -> int:
        """A batch failed: write it again append by append, so that only the appends at fault fail."""
        position = conn.begin()
        owners = _Owners(conn, batch)
        for pending in batch:
            pending.error = None
            if owners.fenced_off(pending):
                continue
            conn.savepoint()
            rows: list[tuple] = []
            try:
                staged = self._stage(pending, position, recorded_at, rows)
                conn.insert_events(rows)
                self._side_writes(conn, pending.side_writes)
                self._apply_views(conn, pending.recorded, staged)
                conn.release_savepoint()
                owners.note(pending)
                position = staged
            except Exception as exc:  # noqa: BLE001 - this append alone fails
                conn.rollback_to_savepoint()
                conflicts = self._conflicts(conn, pending) if conn.is_conflict(exc) else []
                pending.recorded = []
                pending.error = ConcurrencyError(conflicts) if conflicts else refused(exc)
        conn.commit(position)
        return position

    @staticmethod
    def _conflicts(conn: WriterConnection, pending: _Append) -> list[tuple[str, int, int]]:
        found = []
        for stream_id, expected, _ in pending.appends:
            actual = conn.stream_version(stream_id)
            if actual != expected:
                found.append((stream_id, expected, actual))
        return found

    @staticmethod
    def _side_writes(conn: WriterConnection, writes: Sequence[SideWrite]) -> None:
        for write in writes:
            for sql, params in side_tables.statements(write, conn.now_sql):
                conn.sql.execute(sql, params)

    def _apply_views(self, conn: WriterConnection, recorded: list[RecordedEvent], position: int) -> None:
        if not recorded:
            return
        for view in self.views:
            view.apply(conn.sql, recorded)
        conn.sql.execute(CHECKPOINT_UPSERT, (CHECKPOINT, position))


class _Owners:
    """Who owns each phone, as this transaction sees it: the device view, then the batch's own
    claims, releases and losses (an append later in the batch must see an earlier one's)."""

    def __init__(self, conn: WriterConnection, batch: list[_Append]) -> None:
        # One query for every phone the batch's fences name (in a PostgreSQL pipeline, each read
        # is a round trip made while the log's lock is held).
        serials = sorted({p.fence.serial for p in batch if p.fence is not None})
        self.overlay: dict[str, tuple[str | None, str | None, bool]] = dict.fromkeys(serials, (None, None, False))
        if serials:
            marks = ", ".join("?" * len(serials))
            sql = f"SELECT serial, agent, incarnation, agent_lost FROM devices WHERE serial IN ({marks})"
            for serial, agent, incarnation, lost in conn.sql.execute(sql, tuple(serials)):
                self.overlay[serial] = (agent, incarnation, bool(lost))

    def owner(self, serial: str) -> tuple[str | None, str | None, bool]:
        return self.overlay[serial]

    def fenced_off(self, pending: _Append) -> bool:
        """Whether the append's fence fails (then it carries FencedOff and records nothing)."""
        fence = pending.fence
        if fence is None:
            return False
        agent, incarnation, lost = self.owner(fence.serial)
        if (agent, incarnation) == (fence.agent, fence.incarnation) and not lost:
            return False
        pending.recorded = []
        pending.error = FencedOff(
            f"phone {fence.serial} no longer belongs to agent {fence.agent} ({fence.incarnation}): nothing recorded"
        )
        return True

    def note(self, pending: _Append) -> None:
        """Ownership changes the (now staged) append makes."""
        for recorded in pending.recorded:
            if recorded.type in _OWNERSHIP and (serial := serial_of(recorded.stream_id)) is not None:
                event = recorded.event
                if recorded.type == "device-claimed":
                    self.overlay[serial] = (event.agent, event.incarnation, False)
                elif recorded.type == "device-released":
                    self.overlay[serial] = (None, None, False)
                else:
                    self.overlay[serial] = (event.agent, event.incarnation, True)


_OWNERSHIP = frozenset({"device-claimed", "device-released", "device-agent-lost"})
