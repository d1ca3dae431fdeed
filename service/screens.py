"""The phones' screens for the board: `GET /device/{serial}/screenshot`.

A screenshot is taken through the connection of the agent in this process (the phone's own
driver, so it waits its turn behind the phone's device calls, in a worker thread), shared by
every viewer and kept for CACHE_S: a hundred open boards cost one screenshot per phone per
CACHE_S. A phone this process does not drive (owned by an agent elsewhere, or `serve --no-agent`)
is refused with the owner's name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio

from devices.errors import DeviceError
from service.errors import ApiError, Code
from service.store.interface import EventStore

CACHE_S = 2.0


class Screens:
    """The last screenshot of each phone, taken at most once per CACHE_S whatever the number of viewers."""

    def __init__(self, store: EventStore, agent: Callable[[], Any], now: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.agent = agent  # the Agent of this process, or None (read at each call: it starts after the API)
        self.now = now
        self._shots: dict[str, tuple[float, bytes]] = {}
        self._locks: dict[str, anyio.Lock] = {}

    async def png(self, serial: str) -> bytes:
        """The phone's screen as a PNG, at most CACHE_S old."""
        kept = self._fresh(serial)
        if kept is not None:
            return kept
        lock = self._locks.setdefault(serial, anyio.Lock())
        async with lock:  # the viewers who arrive meanwhile share this one
            kept = self._fresh(serial)
            if kept is not None:
                return kept
            png = await self._take(serial)
            self._shots[serial] = (self.now(), png)
            return png

    def _fresh(self, serial: str) -> bytes | None:
        kept = self._shots.get(serial)
        return kept[1] if kept is not None and self.now() - kept[0] < CACHE_S else None

    async def _take(self, serial: str) -> bytes:
        row = await self.store.views.device(serial)
        if row is None:
            raise ApiError(Code.NOT_FOUND, f"phone {serial!r} not found")
        agent = self.agent()
        if agent is None or agent.claims is None or serial not in agent.claims.owned:
            raise ApiError(Code.STATE_CONFLICT, _elsewhere(serial, row.agent, agent))
        if not row.online:
            raise ApiError(Code.STATE_CONFLICT, f"phone {serial} is {row.state}: no screenshot")
        try:
            session = await agent.connector.for_phone(serial)()
            png = await session.driver.screenshot_png()
        except DeviceError as exc:
            raise ApiError(Code.STATE_CONFLICT, f"phone {serial} gave no screenshot: {exc}") from exc
        if png is None:
            raise ApiError(Code.STATE_CONFLICT, f"phone {serial} gave no screenshot")
        return png


def _elsewhere(serial: str, owner: str | None, agent: Any) -> str:
    if owner is None:
        return f"phone {serial} is driven by no agent: no screenshot"
    if agent is None:
        return (
            f"phone {serial} is driven by agent {owner!r}, not by this server (it runs no agent in its process):"
            " its screen can be seen only there"
        )
    return f"phone {serial} is driven by agent {owner!r}, not by this server's agent {agent.name!r}"
