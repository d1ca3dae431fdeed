"""Device commands: record what discovery sees of each phone, and actor restarts."""

from __future__ import annotations

from typing import Sequence

from service.domain.device import DeviceState, decide_gone, decide_observed
from service.events import DeviceActorRestarted, DeviceEvent, device_stream
from service.store.records import ConcurrencyError, StreamAppend
from service.store.sqlite_store import SQLiteEventStore

MAX_CONFLICT_RETRIES = 50


class DeviceHandlers:
    """Append device events when a phone's adb state changes."""

    def __init__(self, store: SQLiteEventStore) -> None:
        self.store = store

    async def _current(self, serial: str) -> tuple[DeviceState, int]:
        rows = await self.store.fetchall(
            "SELECT (SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_id = ?), "
            "(SELECT state FROM devices WHERE serial = ?), (SELECT model FROM devices WHERE serial = ?)",
            (device_stream(serial), serial, serial))
        version, state, model = rows[0]
        if version == 0 or state is None:
            return DeviceState(serial), version
        return DeviceState(serial, known=True, state=state, model=model or ""), version

    async def _append(self, serial: str, decide) -> list[DeviceEvent]:
        for _ in range(MAX_CONFLICT_RETRIES):
            state, version = await self._current(serial)
            events: Sequence[DeviceEvent] = decide(state)
            if not events:
                return []
            try:
                await self.store.append(StreamAppend(device_stream(serial), version, list(events)))
                return list(events)
            except ConcurrencyError:
                continue
        raise ConcurrencyError([(device_stream(serial), -1, -1)])

    async def observed(self, serial: str, adb_state: str, model: str = "") -> list[DeviceEvent]:
        """adb lists the phone in this state."""
        return await self._append(serial, lambda state: decide_observed(state, adb_state, model))

    async def gone(self, serial: str, reason: str) -> list[DeviceEvent]:
        """adb no longer lists the phone."""
        return await self._append(serial, lambda state: decide_gone(state, reason))

    async def actor_restarted(self, serial: str, reason: str) -> None:
        """The phone's actor crashed and was restarted: say why."""
        await self._append(serial, lambda state: [DeviceActorRestarted(reason=reason[:500])])
