"""`droidledger agent` as a process: the store opened, the agent run until SIGINT/SIGTERM, then a
clean stop (running steps finish, the phones are released, the store drains)."""

from __future__ import annotations

import logging
import signal
import socket

import anyio

from service.clock import SystemClock
from service.composition import run_agent
from service.runtime import Runtime
from service.server import limit_malloc_arenas
from service.settings import Settings
from service.store import open_store

log = logging.getLogger("droidledger")


def serve_agent(settings: Settings, name: str) -> None:
    """Run the agent named `name` until a signal asks it to stop."""
    limit_malloc_arenas()
    anyio.run(_main, settings, name)


async def _main(settings: Settings, name: str) -> None:
    clock = SystemClock(settings.time_scale)
    store = open_store(settings.store, sync=settings.sync, now=clock.now)
    async with store.running():
        rt = Runtime(settings=settings, store=store, clock=clock)
        async with anyio.create_task_group() as tg:
            tg.start_soon(_stop_on_signal, tg.cancel_scope)
            log.info(
                "droidledger agent %s on %s (adb %s:%d, shard %s), database %s",
                name,
                socket.gethostname(),
                settings.adb_host,
                settings.adb_port,
                settings.shard or "all",
                settings.store.display,
            )
            await run_agent(rt, name)


async def _stop_on_signal(scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for _ in signals:
            log.info("stopping: running steps finish, then the phones are released")
            scope.cancel()
            return
