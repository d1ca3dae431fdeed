"""Hearing of other processes' commits: LISTEN/NOTIFY, with polling as the fallback.

Every write transaction notifies the log's channel with its schema and last position at commit;
a dedicated connection listens to its own schema's and tells the store (`advance`). While the listener is down (the
server restarted), and in case a notification is lost, the last position is also polled.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import anyio
import psycopg

from service.store.postgresql.connection import CONNECT_TIMEOUT_S, NOTIFY_CHANNEL

log = logging.getLogger("droidledger.store")

POLL_INTERVAL_S = 1.0
RECONNECT_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 5.0)


class CommitListener:
    """Calls `advance(position)` for every commit of any process on the log."""

    def __init__(self, url: str, advance: Callable[[int], None], last_position: Callable[[], Awaitable[int]]) -> None:
        self.url = url
        self.advance = advance
        self.last_position = last_position
        self.listening = False

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Listen (reconnecting after a failure) and poll, until cancelled."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._poll)
            await tg.start(self._listen)
            task_status.started()

    async def _listen(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        failures = 0
        started = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                ) as conn:
                    schema = (await (await conn.execute("SELECT COALESCE(current_schema(), '')")).fetchone())[0]
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening, failures = True, 0
                    if not started:
                        started = True
                        task_status.started()
                    async for notify in conn.notifies():
                        farm, _, position = notify.payload.rpartition(":")
                        if farm == schema:  # the channel is the database's: other schemas' farms use it too
                            self.advance(int(position))
            except (psycopg.Error, OSError) as exc:
                self.listening = False
                if not started:
                    started = True
                    task_status.started()  # polling covers for it meanwhile
                delay = RECONNECT_DELAYS_S[min(failures, len(RECONNECT_DELAYS_S) - 1)]
                if failures == 0:
                    log.warning("lost the notifications of new events (%s); reconnecting, polling meanwhile", exc)
                failures += 1
                await anyio.sleep(delay)

    async def _poll(self) -> None:
        while True:
            await anyio.sleep(POLL_INTERVAL_S)
            try:
                self.advance(await self.last_position())
            except Exception:  # noqa: BLE001 - the database is away; the next poll tries again
                pass
