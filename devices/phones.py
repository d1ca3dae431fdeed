"""Connected phones: one U2Driver and the app over it per phone, made on first use and kept.

The app a phone runs is chosen here (TikTok, devices/ui/tiktok/).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

import anyio

from devices.driver import U2Driver
from devices.ui.app import PhoneApp
from devices.ui.tiktok import TikTok
from service.clock import Clock


@dataclass
class PhoneSession:
    """A connected phone: its driver and the app's UI over it (what the actor's `connect` gives a task run)."""

    driver: U2Driver
    ui: PhoneApp


class PhoneConnector:
    """Hands each actor a way to reach its phone through the adb server at adb_host:adb_port."""

    def __init__(self, adb_host: str, adb_port: int, clock: Clock, *, call_timeout_s: float = 20.0) -> None:
        self.adb_host = adb_host
        self.adb_port = adb_port
        self.clock = clock
        self.call_timeout_s = call_timeout_s
        self._sessions: dict[str, PhoneSession] = {}

    def for_phone(self, serial: str) -> Callable[[], Awaitable[PhoneSession]]:
        """The actor's `connect`: the phone's session, connected (or reconnected) when needed."""

        async def connect() -> PhoneSession:
            session = self._sessions.get(serial)
            if session is None:
                driver = U2Driver(serial, adb_host=self.adb_host, adb_port=self.adb_port,
                                  call_timeout_s=self.call_timeout_s, limiter=anyio.CapacityLimiter(1))
                session = self._sessions[serial] = PhoneSession(driver, TikTok(driver, self.clock))
            if session.driver.broken:
                await session.driver.connect()  # otherwise the first call connects
            return session

        return connect

    async def close(self) -> None:
        """Close every phone's connections."""
        for session in self._sessions.values():
            await session.driver.close()
