"""SQLiteEventStore: the append-only log, one writer with group commit, readers apart.

Appends from many callers wait in one queue; the writer takes everything queued, inserts it
and updates every view in ONE transaction on its own thread, commits (one fsync for the whole
batch), then resumes each caller. A stream not at its expected version fails only the append
that expected it: the batch is retried append by append under savepoints.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator, Callable, Sequence

import anyio

from projections.projection import Projection
from projections.views import CHECKPOINT, all_views
from service.events import encode_event, event_type
from service.store.connection import open_connection
from service.store.migrations import migrate
from service.store.readers import Readers, open_readers
from service.store.records import ConcurrencyError, RecordedEvent, SideWrite, StoreError, StreamAppend
from service.store.write_stats import WriteStats

log = logging.getLogger("droidledger.store")

_INSERT = "INSERT INTO events (position, stream_id, version, type, data, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"
_EVENT_COLUMNS = "position, stream_id, version, type, data, recorded_at"
CHECKPOINT_INTERVAL_S = 0.5
CHECKPOINT_RESTART_FRAMES = 16_384  # 64 MiB of 4 KiB pages


def utc_now() -> datetime:
    """The default clock of recorded_at."""
    return datetime.now(timezone.utc)


def _rollback_quietly(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is open; a broken connection has nothing left to roll back."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _refused(exc: BaseException) -> StoreError:
    error = StoreError(f"the event log could not be written: {exc}")
    error.__cause__ = exc
    return error


class _Append:
    """One caller's atomic append, waiting for the writer."""

    __slots__ = ("appends", "side_writes", "done", "recorded", "error")

    def __init__(self, appends: Sequence[StreamAppend], side_writes: Sequence[SideWrite]) -> None:
        self.appends = appends
        self.side_writes = side_writes
        self.done = anyio.Event()
        self.recorded: list[RecordedEvent] = []
        self.error: BaseException | None = None


class SQLiteEventStore:
    """The event log in one SQLite file (or `:memory:`), with its views kept in step."""

    def __init__(self, path: str | Path, *, sync: str = "full", views: Sequence[Projection] | None = None,
                 readers: int = 2, max_batch: int = 2000, now: Callable[[], datetime] = utc_now) -> None:
        self.path = str(path)
        self.sync = sync
        self.views = tuple(all_views() if views is None else views)
        self.max_batch = max_batch
        self.stats = WriteStats()
        self.position = 0  # last committed position
        self._reader_count = readers
        self._now = now
        self._writer: sqlite3.Connection | None = None
        self._readers: Readers | None = None
        self._limiter = anyio.CapacityLimiter(1)
        self._queue: list[_Append] = []
        self._work = anyio.Event()
        self._committed = anyio.Event()
        self._closing = False

    # --- lifecycle -------------------------------------------------------------------------

    @asynccontextmanager
    async def running(self) -> AsyncIterator["SQLiteEventStore"]:
        """Open the database, run the writer until the block exits, then drain and close."""
        await anyio.to_thread.run_sync(self._open_writer, limiter=self._limiter)
        try:
            self._readers = await open_readers(self.path, self._reader_count, self._writer, self._limiter)
            async with anyio.create_task_group() as tg:
                await tg.start(self._write_loop)
                checkpoints = anyio.CancelScope()
                if self.path != ":memory:":
                    tg.start_soon(self._checkpoint_loop, checkpoints)
                try:
                    yield self
                finally:
                    checkpoints.cancel()
                    self._closing = True
                    self._work.set()
        finally:
            with anyio.CancelScope(shield=True):
                if self._readers is not None:
                    await self._readers.close()
                await anyio.to_thread.run_sync(self._close_writer, limiter=self._limiter)

    def _open_writer(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = open_connection(self.path, sync=self.sync)
        try:
            # Commits never pay for a checkpoint: a background connection does them (_checkpoint_loop).
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            migrate(conn)
            self.position = conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
        except BaseException:
            conn.close()
            raise
        self._writer = conn

    def _close_writer(self) -> None:
        conn, self._writer = self._writer, None
        if conn is None:
            return
        try:
            # Fold the WAL into the database and truncate it, so erased secrets leave the WAL too.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            log.warning("closing the database without a final checkpoint: %s", exc)
        finally:
            conn.close()

    # --- appending -------------------------------------------------------------------------

    async def append(self, *appends: StreamAppend, side_writes: Sequence[SideWrite] = ()) -> list[RecordedEvent]:
        """Append atomically to one or more streams; returns the recorded events once durable.

        Raises ConcurrencyError when a stream is not at its expected version.
        """
        if self._closing:
            raise StoreError("the store is shutting down")
        pending = _Append(appends, side_writes)
        started = time.perf_counter()
        self._queue.append(pending)
        self._work.set()
        await pending.done.wait()
        if pending.error is not None:
            raise pending.error
        self.stats.append_seconds.observe(time.perf_counter() - started)
        return pending.recorded

    async def _write_loop(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        while True:
            await self._work.wait()
            self._work = anyio.Event()
            while self._queue:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
                with anyio.CancelScope(shield=True):
                    try:
                        await anyio.to_thread.run_sync(self._commit, batch, limiter=self._limiter)
                    except Exception as exc:  # noqa: BLE001 - callers must hear of it, never wait forever
                        for pending in batch:
                            pending.recorded, pending.error = [], _refused(exc)
                for pending in batch:
                    pending.done.set()
                committed, self._committed = self._committed, anyio.Event()
                committed.set()
            if self._closing:
                return

    async def _checkpoint_loop(self, scope: anyio.CancelScope) -> None:
        """Fold the WAL into the database in the background, so commits stay short.

        PASSIVE checkpoints never block the writer or readers; if the WAL still grows past
        CHECKPOINT_RESTART_FRAMES (readers kept it busy), one RESTART checkpoint resets it.
        """
        conn = await anyio.to_thread.run_sync(
            lambda: sqlite3.connect(self.path, isolation_level=None, check_same_thread=False))
        try:
            with scope:
                await self._checkpoint_forever(conn)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(conn.close)

    async def _checkpoint_forever(self, conn: sqlite3.Connection) -> None:
        position = self.position
        while True:
            await anyio.sleep(CHECKPOINT_INTERVAL_S)
            if self.position == position:
                continue
            position = self.position
            _, frames, _ = await anyio.to_thread.run_sync(
                lambda: conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
            if frames > CHECKPOINT_RESTART_FRAMES:
                await anyio.to_thread.run_sync(lambda: conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone())

    def _commit(self, batch: list[_Append]) -> None:
        """Runs on the writer thread: the whole batch in one transaction."""
        conn = self._writer
        started = time.perf_counter()
        recorded_at = self._now().isoformat(timespec="milliseconds")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                position = conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
                rows: list[tuple] = []
                for pending in batch:
                    position = self._stage(pending, position, recorded_at, rows)
                conn.executemany(_INSERT, rows)
                for pending in batch:
                    for side in pending.side_writes:
                        conn.execute(side.sql, side.params)
                self._apply_views([r for pending in batch for r in pending.recorded], position)
                conn.execute("COMMIT")
            except Exception:  # noqa: BLE001 - isolate the append at fault; the others commit
                conn.execute("ROLLBACK")
                position = self._commit_one_by_one(batch, recorded_at)
        except BaseException as exc:
            _rollback_quietly(conn)
            error = _refused(exc)
            for pending in batch:
                pending.recorded, pending.error = [], error
            return
        self.position = max(self.position, position)
        self.stats.record(len(batch), sum(len(p.recorded) for p in batch), time.perf_counter() - started)

    def _stage(self, pending: _Append, position: int, recorded_at: str, rows: list[tuple]) -> int:
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

    def _commit_one_by_one(self, batch: list[_Append], recorded_at: str) -> int:
        """A batch hit a version conflict: isolate it so only the conflicting appends fail."""
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        position = conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
        for pending in batch:
            conn.execute("SAVEPOINT one_append")
            rows: list[tuple] = []
            try:
                staged = self._stage(pending, position, recorded_at, rows)
                conn.executemany(_INSERT, rows)
                for side in pending.side_writes:
                    conn.execute(side.sql, side.params)
                self._apply_views(pending.recorded, staged)
                conn.execute("RELEASE one_append")
                position = staged
            except sqlite3.IntegrityError as exc:
                conn.execute("ROLLBACK TO one_append")
                conn.execute("RELEASE one_append")
                conflicts = self._conflicts(pending)
                pending.recorded = []
                pending.error = ConcurrencyError(conflicts) if conflicts else _refused(exc)
            except Exception as exc:  # noqa: BLE001 - this append alone fails
                conn.execute("ROLLBACK TO one_append")
                conn.execute("RELEASE one_append")
                pending.recorded, pending.error = [], _refused(exc)
        conn.execute("COMMIT")
        return position

    def _conflicts(self, pending: _Append) -> list[tuple[str, int, int]]:
        found = []
        for stream_id, expected, _ in pending.appends:
            actual = self._writer.execute(
                "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_id = ?", (stream_id,)
            ).fetchone()[0]
            if actual != expected:
                found.append((stream_id, expected, actual))
        return found

    def _apply_views(self, recorded: list[RecordedEvent], position: int) -> None:
        if not recorded:
            return
        for view in self.views:
            view.apply(self._writer, recorded)
        self._writer.execute(
            "INSERT INTO checkpoints (name, position) VALUES (?, ?) "
            "ON CONFLICT DO UPDATE SET position = excluded.position",
            (CHECKPOINT, position),
        )

    # --- reading ---------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run a read-only query on a reader connection (never behind the writer)."""
        return await self._readers.fetchall(sql, params)

    async def lookup(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run a short indexed read-only query (a page, a row, counters) on the event loop's read connection."""
        return await self._readers.lookup(sql, params)

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        """A stream's events after `after_version`, oldest first."""
        rows = await self.fetchall(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND version > ? ORDER BY version",
            (stream_id, after_version),
        )
        return [RecordedEvent(*row) for row in rows]

    async def read_all(self, after: int = 0, limit: int = 100) -> list[RecordedEvent]:
        """The global log in commit order, after a position."""
        rows = await self.fetchall(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        )
        return [RecordedEvent(*row) for row in rows]

    async def wait_for_commit(self, after: int) -> int:
        """Wait until something beyond position `after` is committed; returns the position."""
        while self.position <= after:
            await self._committed.wait()
        return self.position

    async def run_in_writer(self, function: Callable[[sqlite3.Connection], object]) -> object:
        """Run maintenance work (backup, checkpoint) on the writer's connection and thread."""
        return await anyio.to_thread.run_sync(function, self._writer, limiter=self._limiter)
