"""Read connections: a pool of async psycopg connections (each query one snapshot)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from service.store.postgresql.connection import CONNECT_TIMEOUT_S, translate

POOL_TIMEOUT_S = 3.0  # a read waits this long for the database (away during a restart), then 50001


async def _configure(conn: AsyncConnection) -> None:
    await conn.set_read_only(True)


class PostgresReaders:
    """Read-only queries, `?` placeholders, on a pool that replaces connections a restart broke."""

    def __init__(self, url: str, size: int) -> None:
        self.pool = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=max(2, size),
            open=False,
            timeout=POOL_TIMEOUT_S,
            configure=_configure,
            check=AsyncConnectionPool.check_connection,
            kwargs={
                "autocommit": True,
                "connect_timeout": CONNECT_TIMEOUT_S,
                "application_name": f"droidledger pid {os.getpid()} reads",
            },
        )

    async def open(self) -> None:
        """Open the pool (its first connection ready)."""
        await self.pool.open(wait=True, timeout=POOL_TIMEOUT_S)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a query."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(translate(sql), params or None)
            return await cursor.fetchall()

    async def close(self) -> None:
        """Close every connection."""
        await self.pool.close()
