"""Session advisory locks held on a connection of their own: an agent's name while the agent lives,
and the scheduling (one `serve` schedules at a time; another takes over when it dies).

A database that is away is waited for, never taken for a holder: taking a lock retries the
connection. While a lock is held, its connection is watched. The scheduling ends with it (the
block is cancelled; the scheduler waits to lead again). An agent's name is taken again once the
database is back — it is a guard against two live processes of one name, and the fencing of every
append is what keeps an agent that lost its phones from writing — and only if another process took
the name meanwhile does the block end, with DatabaseInUse.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import psycopg

from service.store.locator import locate
from service.store.postgresql.connection import CONNECT_TIMEOUT_S, LOCK_KEY_OF
from service.store.records import DatabaseInUse

log = logging.getLogger("droidledger.store")

RETRY_S = 1.0
WATCH_S = 2.0


@asynccontextmanager
async def advisory(
    url: str,
    kind: str,
    *,
    what: str,
    purpose: str,
    on_waiting: Callable[[], None] | None = None,
    keep_through_outages: bool = False,
) -> AsyncIterator[None]:
    """Hold the farm's lock of this kind (connection.LOCK_KEY_OF) for the block. Taken elsewhere:
    DatabaseInUse at once, or with `on_waiting`, call it and wait for the lock. Its connection lost:
    the block is cancelled, or with `keep_through_outages` the lock is taken again (DatabaseInUse
    after the block if another process took it meanwhile)."""
    conn = await _take(url, kind, what, purpose, on_waiting)
    taken_elsewhere: DatabaseInUse | None = None
    try:
        async with anyio.create_task_group() as tg:

            async def watch() -> None:
                nonlocal conn, taken_elsewhere
                while True:
                    await anyio.sleep(WATCH_S)
                    try:
                        await conn.execute("SELECT 1")
                        continue
                    except (psycopg.Error, OSError) as exc:
                        log.warning(
                            "lost %s (%s)%s",
                            what,
                            exc,
                            ": taking it again once the database answers"
                            if keep_through_outages
                            else ": stopping what it guarded",
                        )
                    await _close(conn)
                    if not keep_through_outages:
                        tg.cancel_scope.cancel()
                        return
                    try:
                        conn = await _take(url, kind, what, purpose, None)
                        log.info("holding %s again", what)
                    except DatabaseInUse as exc:
                        taken_elsewhere = exc
                        tg.cancel_scope.cancel()
                        return

            tg.start_soon(watch)
            try:
                yield
            finally:
                tg.cancel_scope.cancel()
    finally:
        await _close(conn)
    if taken_elsewhere is not None:
        raise taken_elsewhere


async def _take(
    url: str, kind: str, what: str, purpose: str, on_waiting: Callable[[], None] | None
) -> psycopg.AsyncConnection:
    """A connection holding the lock; connection failures are retried (said once)."""
    complained = told = False
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(
                url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name=f"droidledger pid {os.getpid()} {what}",
            )
        except (psycopg.Error, OSError) as exc:
            if not complained:
                log.warning("cannot take %s yet (%s); trying again", what, exc)
                complained = True
            await anyio.sleep(RETRY_S)
            continue
        try:
            while not (await (await conn.execute(f"SELECT pg_try_advisory_lock({LOCK_KEY_OF})", (kind,))).fetchone())[
                0
            ]:
                if on_waiting is None:
                    raise DatabaseInUse(
                        f"{what} on {locate(url).display} is held by another process; stop it before you {purpose}"
                    )
                if not told:
                    on_waiting()
                    told = True
                await anyio.sleep(RETRY_S)
            return conn
        except (psycopg.Error, OSError) as exc:  # the database went away while we waited: connect again
            await _close(conn)
            if not complained:
                log.warning("cannot take %s yet (%s); trying again", what, exc)
                complained = True
            await anyio.sleep(RETRY_S)
        except BaseException:
            await _close(conn)
            raise


async def _close(conn: psycopg.AsyncConnection) -> None:
    with anyio.CancelScope(shield=True):
        try:
            await conn.close()
        except (psycopg.Error, OSError):
            pass
