"""Connected phones: one U2Driver per phone and the apps over it, made on first use and kept.

Each app a task may run on has its parts (devices/ui/tiktok/, devices/ui/instagram/); a task's run asks its
phone's session for the task's app by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from devices.driver import U2Driver
from devices.ui.app import PhoneApp
from devices.ui.instagram import Instagram
from devices.ui.tiktok import TikTok
from service.clock import Clock
from service.domain.apps import INSTAGRAM, TIKTOK

APPS: dict[str, Callable[..., PhoneApp]] = {TIKTOK: TikTok, INSTAGRAM: Instagram}


@dataclass
class PhoneSession:
    """A connected phone: its driver and the apps' UIs over it (what the actor's `connect` gives a task run)."""

    driver: U2Driver
    clock: Clock
    apps: dict[str, PhoneApp] = field(default_factory=dict)

    def app(self, name: str) -> PhoneApp:
        """The UI of one app on this phone ("tiktok" or "instagram"), made on first use and kept."""
        if name not in self.apps:
            self.apps[name] = APPS[name](self.driver, self.clock)
        return self.apps[name]


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
                driver = U2Driver(
                    serial, adb_host=self.adb_host, adb_port=self.adb_port, call_timeout_s=self.call_timeout_s
                )
                session = self._sessions[serial] = PhoneSession(driver, self.clock)
            if session.driver.broken:
                await session.driver.connect()  # otherwise the first call connects
            return session

        return connect

    async def close(self) -> None:
        """Close every phone's connections."""
        for session in self._sessions.values():
            await session.driver.close()
