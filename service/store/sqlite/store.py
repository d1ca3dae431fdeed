"""SQLiteEventStore: the event log in one SQLite file (or `:memory:`), its views kept in step.

One writer connection commits in groups (`service/store/writer.py`); the API's reads run on
connections of their own (WAL snapshots), so polling never waits behind a write; the WAL is
folded into the database by a background connection, so commits stay short.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import anyio

from projections.projection import Projection
from projections.views import all_views
from service.clock import utc_now
from service.store.base import BaseEventStore
from service.store.migrations import migrate
from service.store.records import DatabaseInUse, StoreError
from service.store.sqlite.connection import NOW_SQL, SQLiteWriterConnection, open_connection
from service.store.sqlite.lock import DatabaseLock
from service.store.sqlite.readers import Readers, open_readers
from service.store.writer import GroupCommitWriter

log = logging.getLogger("droidledger.store")

CHECKPOINT_INTERVAL_S = 0.5
FOLLOW_INTERVAL_S = 0.05  # how soon another process's commit (an agent's) wakes this one's followers
CHECKPOINT_RESTART_FRAMES = 16_384  # 64 MiB of 4 KiB pages


class SQLiteEventStore(BaseEventStore):
    """The event log in one SQLite file (or `:memory:`), with its views kept in step."""

    backend = "sqlite"
    now_sql = NOW_SQL

    def __init__(
        self,
        path: str | Path,
        *,
        sync: str = "full",
        views: Sequence[Projection] | None = None,
        readers: int = 2,
        max_batch: int = 2000,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(
            GroupCommitWriter(self._connect, all_views() if views is None else views, now, max_batch=max_batch)
        )
        self.path = str(path)
        self.sync = sync
        self._reader_count = readers
        self.reads: Readers | None = None
        self._names_held: set[str] = set()  # agent names held in an in-memory database

    @property
    def location(self) -> str:
        """The database file."""
        return self.path

    # --- lifecycle -------------------------------------------------------------------------

    def _connect(self) -> SQLiteWriterConnection:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = SQLiteWriterConnection(open_connection(self.path, sync=self.sync))
        try:
            # Commits never pay for a checkpoint: a background connection does them (_checkpoint_loop).
            conn.sql.execute("PRAGMA wal_autocheckpoint = 0")
            migrate(conn, self.backend)
        except BaseException:
            conn.close()
            raise
        return conn

    @asynccontextmanager
    async def running(self) -> AsyncIterator[SQLiteEventStore]:
        """Open the database, run the writer until the block exits, then drain and close."""
        self.advance(await self.writer.open())
        try:
            self.reads = await open_readers(
                self.path, self._reader_count, self.writer.connection.sql, self.writer.limiter
            )
            async with anyio.create_task_group() as tg:
                await tg.start(self.writer.run)
                checkpoints, followers = anyio.CancelScope(), anyio.CancelScope()
                if self.path != ":memory:":
                    tg.start_soon(self._checkpoint_loop, checkpoints)
                    tg.start_soon(self._follow_other_writers, followers)
                try:
                    yield self
                finally:
                    checkpoints.cancel()
                    followers.cancel()
                    self.writer.close()
        finally:
            with anyio.CancelScope(shield=True):
                if self.reads is not None:
                    await self.reads.close()
                await anyio.to_thread.run_sync(self._close_writer, limiter=self.writer.limiter)

    def _close_writer(self) -> None:
        conn, self.writer.connection = self.writer.connection, None
        if conn is None:
            return
        try:
            # Fold the WAL into the database and truncate it, so erased secrets leave the WAL too.
            conn.sql.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            log.warning("closing the database without a final checkpoint: %s", exc)
        finally:
            conn.close()

    async def _follow_other_writers(self, scope: anyio.CancelScope) -> None:
        """Hear of other processes' commits (agents on the same file): SQLite's data_version moves
        when another connection commits; then the log's last position is read."""
        with scope:
            version = None
            while True:
                await anyio.sleep(FOLLOW_INTERVAL_S)
                try:
                    ((now,),) = await self.lookup("PRAGMA data_version")
                    if now != version:
                        version = now
                        ((last,),) = await self.lookup("SELECT COALESCE(MAX(position), 0) FROM events")
                        self.advance(last)
                except sqlite3.Error as exc:  # busy for a moment: the next look will tell
                    log.debug("could not look for other writers' commits: %s", exc)

    async def _checkpoint_loop(self, scope: anyio.CancelScope) -> None:
        """Fold the WAL into the database in the background, so commits stay short.

        PASSIVE checkpoints never block the writer or readers; if the WAL still grows past
        CHECKPOINT_RESTART_FRAMES (readers kept it busy), one RESTART checkpoint resets it.
        """
        conn = await anyio.to_thread.run_sync(
            lambda: sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        )
        try:
            with scope:
                position = self.position
                while True:
                    await anyio.sleep(CHECKPOINT_INTERVAL_S)
                    if self.position == position:
                        continue
                    position = self.position
                    _, frames, _ = await anyio.to_thread.run_sync(
                        lambda: conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    )
                    if frames > CHECKPOINT_RESTART_FRAMES:
                        await anyio.to_thread.run_sync(
                            lambda: conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                        )
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(conn.close)

    # --- reading ---------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run a read-only query on a reader connection (never behind the writer)."""
        return await self.reads.fetchall(sql, params)

    async def lookup(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run a short indexed read-only query on the event loop's read connection."""
        return await self.reads.lookup(sql, params)

    @asynccontextmanager
    async def name_lock(self, name: str, purpose: str) -> AsyncIterator[None]:
        """Hold an agent's name for the block: a file lock beside the database (DatabaseInUse when held).

        An in-memory database lives in one process only: its names are held in the store itself.
        """
        if self.path == ":memory:":
            if name in self._names_held:
                raise DatabaseInUse(f"agent name {name} is in use in this process; stop it before you {purpose}")
            self._names_held.add(name)
            try:
                yield
            finally:
                self._names_held.discard(name)
            return
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        lock = DatabaseLock(self.path, f".agent-{safe}.lock")
        lock.acquire(purpose)
        try:
            yield
        finally:
            lock.release()

    @asynccontextmanager
    async def leadership(self, on_waiting: Callable[[], None] = lambda: None) -> AsyncIterator[None]:
        """One server holds a SQLite file (its lock, taken at start): it schedules."""
        yield

    async def check_writable(self) -> None:
        """Take the write lock and let go, writing nothing (StoreError when it cannot)."""

        def probe(conn: SQLiteWriterConnection) -> None:
            conn.begin()
            conn.rollback()

        try:
            await self.writer.run_on_writer(probe)
        except sqlite3.Error as exc:
            raise StoreError(f"the database does not take writes: {exc}") from exc
