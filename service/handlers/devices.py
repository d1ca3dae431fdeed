"""Device commands: record what discovery sees of each phone, actor restarts, and an operator's
pause and resume."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from service.domain.device import (
    DeviceState,
    decide_claim,
    decide_gone,
    decide_observed,
    decide_pause,
    decide_release,
    decide_resume,
)
from service.events import DeviceActorRestarted, DeviceEvent, device_stream
from service.handlers.runner import Decision, run_command
from service.store.interface import EventStore
from service.store.records import Fence, StreamAppend


class DeviceHandlers:
    """Append device events when a phone's adb state changes."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def _current(self, serial: str) -> tuple[DeviceState, int]:
        """The phone as its view shows it, and its stream's version."""
        version = await self.store.stream_version(device_stream(serial))
        row = await self.store.views.device(serial)
        if version == 0 or row is None:
            return DeviceState(serial), version
        owner = (row.agent, row.incarnation) if row.agent is not None else None
        return DeviceState(
            serial,
            known=True,
            state=row.state,
            model=row.model,
            paused=bool(row.paused),
            owner=owner,
            owner_lost=bool(row.agent_lost),
        ), version

    async def _append(
        self, serial: str, decide: Callable[[DeviceState], Sequence[DeviceEvent]], fence: Fence | None = None
    ) -> list[DeviceEvent]:
        decided: list[DeviceEvent] = []

        async def decide_now(_: int) -> Decision:
            state, version = await self._current(serial)
            decided[:] = decide(state)
            return Decision([StreamAppend(device_stream(serial), version, list(decided))] if decided else [], (), fence)

        recorded = await run_command(self.store, decide_now, f"phone {serial}")
        return list(decided) if recorded else []

    async def observed(
        self, serial: str, adb_state: str, model: str = "", fence: Fence | None = None
    ) -> list[DeviceEvent]:
        """adb lists the phone in this state."""
        return await self._append(serial, lambda state: decide_observed(state, adb_state, model), fence)

    async def gone(self, serial: str, reason: str, fence: Fence | None = None) -> list[DeviceEvent]:
        """adb no longer lists the phone."""
        return await self._append(serial, lambda state: decide_gone(state, reason), fence)

    async def actor_restarted(self, serial: str, reason: str, fence: Fence | None = None) -> None:
        """The phone's actor crashed and was restarted: say why."""
        await self._append(serial, lambda state: [DeviceActorRestarted(reason=reason[:500])], fence)

    async def claim(self, serial: str, agent: str, incarnation: str, adb_state: str, model: str) -> list[DeviceEvent]:
        """The incarnation takes the phone adb lists (OwnedElsewhere while another live one owns it),
        recording what adb says of it in the same append."""

        def claim_and_observe(state: DeviceState) -> list[DeviceEvent]:
            return [*decide_observed(state, adb_state, model), *decide_claim(state, agent, incarnation)]

        return await self._append(serial, claim_and_observe)

    async def release(self, serial: str, agent: str, incarnation: str, reason: str) -> list[DeviceEvent]:
        """adb no longer lists the phone: the owning incarnation records it gone and lets it go."""
        return await self._append(
            serial, lambda state: [*decide_gone(state, reason), *decide_release(state, agent, incarnation, reason)]
        )

    async def pause(self, serial: str) -> list[DeviceEvent]:
        """The phone finishes its current task and starts no other (DeviceNotFound if adb never listed it)."""
        return await self._append(serial, decide_pause)

    async def resume(self, serial: str) -> list[DeviceEvent]:
        """The paused phone takes tasks again."""
        return await self._append(serial, decide_resume)
