"""What both backends' stores share: appending through the group-commit writer, reading the log
and the streams with the same SQL, typed view queries, and following the log's position.

A backend adds where reads run (`fetchall`, `lookup`), how it opens and closes, and how it hears
of other processes' commits (it calls `advance`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import anyio

from projections.queries import ViewQueries
from service.store import side_tables
from service.store.records import Fence, RecordedEvent, SideWrite, StoreError, StreamAppend
from service.store.side_tables import SideTables
from service.store.write_stats import WriteStats
from service.store.writer import GroupCommitWriter

_EVENT_COLUMNS = "position, stream_id, version, type, data, recorded_at"


class BaseEventStore(ABC):
    """The log's reads and position over a backend's `fetchall`/`lookup` and its writer."""

    backend = ""
    now_sql = ""  # the database's clock in unix seconds, as an SQL expression

    def __init__(self, writer: GroupCommitWriter) -> None:
        self.writer = writer
        writer.on_commit = self.advance
        self.views = ViewQueries(self)
        self.side = SideTables(self, self.now_sql)
        self._position = 0
        self._advanced = anyio.Event()

    # --- where reads run (the backend's) ---------------------------------------------------

    @abstractmethod
    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a read-only query (`?` placeholders)."""

    async def lookup(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a short indexed read-only query (a page, a row, counters)."""
        return await self.fetchall(sql, params)

    # --- the position ----------------------------------------------------------------------

    @property
    def position(self) -> int:
        """The log's last position this process knows committed."""
        return self._position

    @property
    def stats(self) -> WriteStats:
        """What this process's writer has done, for /metrics."""
        return self.writer.stats

    def advance(self, position: int) -> None:
        """The log reached `position` (this process's commit, or another's): wake the followers."""
        if position > self._position:
            self._position = position
            advanced, self._advanced = self._advanced, anyio.Event()
            advanced.set()

    async def wait_for_commit(self, after: int) -> int:
        """Return once the log is beyond `after`; its last position."""
        while self._position <= after:
            await self._advanced.wait()
        return self._position

    # --- appending and reading -------------------------------------------------------------

    async def append(
        self, *appends: StreamAppend, side_writes: Sequence[SideWrite] = (), fence: Fence | None = None
    ) -> list[RecordedEvent]:
        """Append atomically to one or more streams, with side writes; the recorded events once durable.

        ConcurrencyError when a stream is not at its expected version; FencedOff when the fence's
        phone no longer belongs to its agent incarnation.
        """
        return await self.writer.append(*appends, side_writes=side_writes, fence=fence)

    async def beat(self, name: str, incarnation: str) -> bool:
        """Renew an agent incarnation's heartbeat (the database's clock); False once the log says
        it is no longer alive (declared lost, or replaced)."""

        def renew(conn) -> bool:
            position = conn.begin()
            try:
                renewed = bool(list(conn.sql.execute(*side_tables.beat(name, incarnation, conn.now_sql))))
                conn.commit(position)
            except BaseException:
                conn.rollback()
                raise
            return renewed

        try:
            return await self.writer.run_on_writer(renew)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - the driver's errors, as the store's
            raise StoreError(f"the heartbeat could not be written: {exc}") from exc

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        """A stream's events after `after_version`, oldest first (a short indexed read: a lookup)."""
        rows = await self.lookup(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND version > ? ORDER BY version",
            (stream_id, after_version),
        )
        return [RecordedEvent(*row) for row in rows]

    async def stream_version(self, stream_id: str) -> int:
        """A stream's last version, 0 for a stream with no events."""
        rows = await self.lookup("SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_id = ?", (stream_id,))
        return rows[0][0]

    async def read_streams(self, stream_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
        """Several whole streams, each oldest first (one query per 500 streams)."""
        found: dict[str, list[RecordedEvent]] = {stream_id: [] for stream_id in stream_ids}
        for start in range(0, len(stream_ids), 500):
            chunk = list(stream_ids[start : start + 500])
            rows = await self.fetchall(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id IN ({','.join('?' * len(chunk))}) "
                f"ORDER BY stream_id, version",
                chunk,
            )
            for row in rows:
                found[row[1]].append(RecordedEvent(*row))
        return found

    async def read_all(self, after: int = 0, limit: int = 100) -> list[RecordedEvent]:
        """The global log in commit order, after a position (positions commit in order: none is skipped).
        A bounded range of the primary key: a lookup (followers read every commit's events this way)."""
        rows = await self.lookup(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?", (after, limit)
        )
        return [RecordedEvent(*row) for row in rows]
