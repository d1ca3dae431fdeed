"""Read connections: the API's queries never wait behind the writer (WAL snapshots).

A file database gets a small pool of aiosqlite connections, and one plain connection for
lookups: short indexed reads (a page of the list, a row, the counters) that take tens of
microseconds, run right on the event loop, where a hop to a worker thread and back would cost
more than the query (and, under load, wait for the GIL twice). `:memory:` has no second
connection to offer, so its reads run on the writer's connection, between commits.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence
from typing import Protocol

import aiosqlite
import anyio

from service.store.sqlite.connection import READER_PRAGMAS


class Readers(Protocol):
    """Where read-only queries run."""

    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a query."""

    async def lookup(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a short indexed query (bounded: a page, a row, counters)."""

    async def close(self) -> None:
        """Close the connections."""


class ReaderPool:
    """aiosqlite connections used in turn (each has its own thread)."""

    def __init__(self, connections: list[aiosqlite.Connection], inline: sqlite3.Connection) -> None:
        self._connections = connections
        self._next = itertools.cycle(connections)
        self._inline = inline

    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a query, on the next connection of the pool."""
        return list(await next(self._next).execute_fetchall(sql, params))

    async def lookup(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a short indexed query, on the event loop's own read connection."""
        return self._inline.execute(sql, params).fetchall()

    async def close(self) -> None:
        """Close every connection."""
        for conn in self._connections:
            await conn.close()
        self._inline.close()


class WriterConnectionReads:
    """Reads of an in-memory database, serialised with the writer on its thread."""

    def __init__(self, conn: sqlite3.Connection, limiter: anyio.CapacityLimiter) -> None:
        self._conn = conn
        self._limiter = limiter

    async def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """All rows of a query, run between two commits."""
        return await anyio.to_thread.run_sync(lambda: self._conn.execute(sql, params).fetchall(), limiter=self._limiter)

    lookup = fetchall

    async def close(self) -> None:
        """The writer's connection is closed by the store."""


async def open_readers(path: str, count: int, writer: sqlite3.Connection, limiter: anyio.CapacityLimiter) -> Readers:
    """A pool for a file database, the writer's connection for `:memory:`."""
    if path == ":memory:":
        return WriterConnectionReads(writer, limiter)
    connections = []
    inline = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in READER_PRAGMAS:
            inline.execute(pragma)
        for _ in range(max(1, count)):
            conn = await aiosqlite.connect(path, isolation_level=None)
            for pragma in READER_PRAGMAS:
                await conn.execute(pragma)
            connections.append(conn)
    except BaseException:
        for conn in connections:
            await conn.close()
        inline.close()
        raise
    return ReaderPool(connections, inline)
