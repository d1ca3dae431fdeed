"""The log for clients that wait for it: the event stream and the long-poll of `GET /events`.

One `LogFeed` per server. It keeps the newest events in memory, read once from the store however
many clients follow: a commit wakes every waiting client, the first one reads the new events, the
others find them in memory. A client further behind (a reconnect from an old position) reads the
store directly. Waiting is the store's `wait_for_commit` (woken by this process's writer, by
PostgreSQL's notifications, or by the SQLite follower), never a loop that polls, and one client at a
time does it for all the others.

`close()` ends every stream and long-poll at once: the server calls it when it starts shutting
down, so no open connection holds the shutdown up.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

import anyio

from service.events import (
    TaskCreated,
    decode_event,
    device_stream,
    task_id_of,
    task_stream,
)
from service.store.interface import EventStore
from service.store.records import RecordedEvent

READ_BATCH = 1000  # events per read of the store
KEEP = 4096  # newest events kept in memory
KNOWN_SERIALS = 65536  # tasks whose phone the serial filter remembers


@dataclass(frozen=True)
class LogFilter:
    """Which events a client wants: one task's, one phone's (its own stream and its tasks'), some types."""

    task_id: int | None = None
    serial: str | None = None
    types: frozenset[str] | None = None


class LogFeed:
    """The newest events in memory, the filters, and the counters /metrics shows."""

    def __init__(self, store: EventStore, keep: int = KEEP) -> None:
        self._store = store
        self._keep = keep
        self._recent: list[RecordedEvent] = []
        self._positions: list[int] = []  # of _recent, for bisect
        self._start: int | None = None  # _recent holds every event after _start up to _end
        self._end = 0
        self._reading: anyio.Event | None = None  # set when the read in flight is in memory
        self._serials: OrderedDict[int, str] = OrderedDict()  # task id -> its phone, most recent last
        self.closing = anyio.Event()
        self._changed = anyio.Event()  # set (and replaced) when the watch ends, and by close()
        self._watch: anyio.CancelScope | None = None
        self.streams_open = 0
        self.polls_waiting = 0
        self.sent = {"stream": 0, "long-poll": 0}  # events handed to clients, by how

    def close(self) -> None:
        """End every stream and long-poll now, and every one that starts later."""
        self.closing.set()
        if self._watch is not None:
            self._watch.cancel()
        self._wake()

    # --- reading -----------------------------------------------------------------------------

    async def read(self, after: int, limit: int = READ_BATCH, fresh: bool = False) -> list[RecordedEvent]:
        """The log after a position, oldest first, at most `limit` events. `fresh`: at the memory's end,
        ask the store even when no commit was heard of (another process's may not be yet)."""
        if self._start is None:
            await self._catch_up()
        if after >= self._end:
            if fresh:
                return await self._store.read_all(after, limit)
            if self._store.position > self._end:
                await self._catch_up()
        if after < self._start:  # before the memory (also once it moved on)
            return await self._store.read_all(after, limit)
        first = bisect.bisect_right(self._positions, after)
        return self._recent[first : first + limit]

    async def _catch_up(self) -> None:
        """Read what committed after the memory's end. One read at a time: the callers that come
        meanwhile wait for it, and are all woken together when it is in memory."""
        if self._reading is not None:
            await self._reading.wait()
            return
        self._reading = done = anyio.Event()
        try:
            if self._start is None:
                self._start = self._end = self._store.position
            if self._store.position <= self._end:
                return
            batch = await self._store.read_all(self._end, READ_BATCH)
            if not batch:
                return
            self._recent += batch
            self._positions += [event.position for event in batch]
            self._end = batch[-1].position
            for event in batch:
                if event.type == "created" and (number := task_id_of(event.stream_id)) is not None:
                    self._remember(number, _serial_of_created(event))
            extra = len(self._recent) - self._keep
            if extra > 0:
                self._start = self._positions[extra - 1]
                del self._recent[:extra], self._positions[:extra]
        finally:
            self._reading = None
            done.set()

    async def matching(
        self, after: int, where: LogFilter, limit: int, fresh: bool = False
    ) -> tuple[list[RecordedEvent], int]:
        """Events after a position that pass the filter (at most `limit`), and the position read up to:
        the next call goes on from there. ([], after) when the log has nothing after `after`."""
        if where == LogFilter():
            found = await self.read(after, limit, fresh)
            return found, found[-1].position if found else after
        found: list[RecordedEvent] = []
        read_to = after
        while len(found) < limit:
            batch = await self.read(read_to, READ_BATCH, fresh)
            if not batch:
                break
            for event in batch:
                if await self._passes(event, where):
                    found.append(event)
                    if len(found) == limit:
                        return found, event.position
                read_to = event.position
        return found, read_to

    # --- waiting -----------------------------------------------------------------------------

    def _wake(self) -> None:
        changed, self._changed = self._changed, anyio.Event()
        changed.set()

    async def wait_beyond(self, position: int, timeout: float) -> Literal["commit", "timeout", "closing"]:
        """Wait until the log is beyond `position`, for at most `timeout` seconds, or until close().

        One waiter at a time waits for the store's next commit (the watch), until the earliest deadline
        of all the waiters; it reads what committed, then wakes all the others (also when it leaves: a
        deadline, its client gone), and one of those still waiting watches next."""
        deadline = anyio.current_time() + timeout
        while not self.closing.is_set() and self._store.position <= position:
            if anyio.current_time() >= deadline:
                return "timeout"
            if self._watch is not None:
                if deadline < self._watch.deadline:
                    self._watch.deadline = deadline
                await self._changed.wait()
                continue
            with anyio.CancelScope(deadline=deadline) as self._watch:
                try:
                    await self._store.wait_for_commit(self._store.position)
                    await self._catch_up()  # the others, woken, find the new events in memory
                finally:
                    self._watch = None
                    self._wake()
        return "closing" if self.closing.is_set() else "commit"

    # --- filtering ---------------------------------------------------------------------------

    async def _passes(self, event: RecordedEvent, where: LogFilter) -> bool:
        if where.types is not None and event.type not in where.types:
            return False
        task_id = task_id_of(event.stream_id)
        if where.task_id is not None and task_id != where.task_id:
            return False
        if where.serial is not None:
            if task_id is None:
                return event.stream_id == device_stream(where.serial)
            return await self._serial_of(task_id) == where.serial
        return True

    async def _serial_of(self, task_id: int) -> str | None:
        """The phone a task was created for: remembered, else from the tasks view, else (a deleted
        task) from its `created` event."""
        serial = self._serials.get(task_id)
        if serial is not None:
            self._serials.move_to_end(task_id)
            return serial
        row = await self._store.views.task(task_id)
        if row is not None:
            serial = row.serial
        else:
            stream = await self._store.read_stream(task_stream(task_id))
            serial = _serial_of_created(stream[0]) if stream and stream[0].type == "created" else None
        if serial is not None:
            self._remember(task_id, serial)
        return serial

    def _remember(self, task_id: int, serial: str | None) -> None:
        if serial is None:
            return
        self._serials[task_id] = serial
        self._serials.move_to_end(task_id)
        if len(self._serials) > KNOWN_SERIALS:
            self._serials.popitem(last=False)


def _serial_of_created(event: RecordedEvent) -> str | None:
    decoded = decode_event(event.data)
    return decoded.serial if isinstance(decoded, TaskCreated) else None
