"""PostgresEventStore: the event log in a PostgreSQL database, shared by every process of a farm.

Writes: one psycopg connection per process, on the writer's thread, committing in groups
(`service/store/writer.py`) under the log's advisory lock (positions gap-free, committed in
order). Reads: a pool of async connections. Followers: every process hears every commit
(`listener.py`). A lost connection (the server restarted) fails the requests in flight with a
StoreError (50001) and is opened again for the next.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

import anyio
import psycopg

from projections.projection import Projection
from projections.views import all_views
from service.clock import utc_now
from service.store.base import BaseEventStore
from service.store.locator import locate
from service.store.migrations import migrate
from service.store.postgresql.connection import NOW_SQL, PostgresWriterConnection, connect
from service.store.postgresql.listener import CommitListener
from service.store.postgresql.locks import advisory
from service.store.postgresql.readers import PostgresReaders
from service.store.records import StoreError
from service.store.writer import GroupCommitWriter


class PostgresEventStore(BaseEventStore):
    """The event log in PostgreSQL, with its views kept in step."""

    backend = "postgresql"
    now_sql = NOW_SQL

    def __init__(
        self,
        url: str,
        *,
        views: Sequence[Projection] | None = None,
        readers: int = 8,
        max_batch: int = 2000,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(
            GroupCommitWriter(self._connect, all_views() if views is None else views, now, max_batch=max_batch)
        )
        self.url = url
        self.reads = PostgresReaders(url, readers)
        self.listener = CommitListener(url, self.advance, self._last_position)

    @property
    def location(self) -> str:
        """The database's URL, without its password."""
        return locate(self.url).display

    def _connect(self) -> PostgresWriterConnection:
        conn = PostgresWriterConnection(connect(self.url))
        try:
            migrate(conn, self.backend)
        except BaseException:
            conn.close()
            raise
        return conn

    @asynccontextmanager
    async def running(self) -> AsyncIterator[PostgresEventStore]:
        """Connect, migrate, run the writer and the listener until the block exits; then drain and close."""
        self.advance(await self.writer.open())
        try:
            await self.reads.open()
            async with anyio.create_task_group() as tg:
                await tg.start(self.listener.run)
                await tg.start(self.writer.run)
                try:
                    yield self
                finally:
                    self.writer.close()
                    tg.cancel_scope.cancel()  # the listener; the writer has drained (shielded commits)
        finally:
            with anyio.CancelScope(shield=True):
                await self.reads.close()
                await anyio.to_thread.run_sync(self._close_writer, limiter=self.writer.limiter)

    def _close_writer(self) -> None:
        conn, self.writer.connection = self.writer.connection, None
        if conn is not None:
            conn.close()

    async def _last_position(self) -> int:
        rows = await self.fetchall("SELECT COALESCE(MAX(position), 0) FROM events")
        return rows[0][0]

    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """A read-only query on a pooled connection (StoreError when the database is away)."""
        try:
            return await self.reads.fetchall(sql, params)
        except (psycopg.Error, OSError) as exc:  # the pool's PoolTimeout is a psycopg.OperationalError
            raise StoreError(f"the database could not be read: {exc}") from exc

    def name_lock(self, name: str, purpose: str) -> AbstractAsyncContextManager[None]:
        """Hold an agent's name for the block (DatabaseInUse when a live process holds it)."""
        return advisory(
            self.url, f"agent:{name}", what=f"the agent name {name!r}", purpose=purpose, keep_through_outages=True
        )

    def leadership(self, on_waiting: Callable[[], None] = lambda: None) -> AbstractAsyncContextManager[None]:
        """Wait to be the one process that schedules (`on_waiting` once if another one does); the
        block is cancelled if that ends."""
        return advisory(self.url, "scheduling", what="the scheduling", purpose="schedule", on_waiting=on_waiting)

    async def check_writable(self) -> None:
        """Take the log's lock and let go, writing nothing (StoreError when it cannot)."""

        def probe(conn: PostgresWriterConnection) -> str:
            try:
                conn.begin()
                return next(iter(conn.sql.execute("SELECT current_setting('transaction_read_only')")))[0]
            finally:
                conn.rollback()

        try:
            read_only = await self.writer.run_on_writer(probe)
        except (psycopg.Error, OSError) as exc:
            raise StoreError(f"the database does not take writes: {exc}") from exc
        if read_only == "on":
            raise StoreError("the database does not take writes: its transactions are read-only")
