"""The device aggregate: what adb says of a phone, turned into events only when it changes;
an operator's pause and resume; which agent incarnation owns it (docs/agents.md)."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.errors import DomainError
from service.events import (
    DeviceAgentLost,
    DeviceClaimed,
    DeviceConnected,
    DeviceDisconnected,
    DeviceEvent,
    DevicePaused,
    DeviceReleased,
    DeviceResumed,
    DeviceStateChanged,
)

DISCONNECTED = "disconnected"


class DeviceNotFound(DomainError):
    """adb never listed a phone of that serial."""


@dataclass(frozen=True, slots=True)
class DeviceState:
    """The last state recorded for a phone (`disconnected` when adb no longer lists it)."""

    serial: str
    known: bool = False
    state: str = DISCONNECTED
    model: str = ""
    paused: bool = False
    owner: tuple[str, str] | None = None  # (agent, incarnation) that owns the phone
    owner_lost: bool = False  # the owner stopped answering: the phone may be claimed

    @property
    def free(self) -> bool:
        """No live agent owns the phone."""
        return self.owner is None or self.owner_lost


class OwnedElsewhere(DomainError):
    """Another agent's incarnation owns the phone."""


def decide_claim(device: DeviceState, agent: str, incarnation: str) -> list[DeviceEvent]:
    """The incarnation takes the phone; nothing if it has it; refused while another live one owns it."""
    if device.owner == (agent, incarnation) and not device.owner_lost:
        return []
    if not device.free:
        raise OwnedElsewhere(f"phone {device.serial} belongs to agent {device.owner[0]}")
    return [DeviceClaimed(agent=agent, incarnation=incarnation)]


def decide_release(device: DeviceState, agent: str, incarnation: str, reason: str) -> list[DeviceEvent]:
    """The owning incarnation lets the phone go; nothing if it does not own it."""
    if device.owner != (agent, incarnation) or device.owner_lost:
        return []
    return [DeviceReleased(agent=agent, incarnation=incarnation, reason=reason)]


def decide_owner_lost(device: DeviceState, agent: str, incarnation: str, reason: str) -> list[DeviceEvent]:
    """The owning incarnation stopped answering; nothing if it no longer owns the phone."""
    if device.owner != (agent, incarnation) or device.owner_lost:
        return []
    return [DeviceAgentLost(agent=agent, incarnation=incarnation, reason=reason)]


def decide_observed(device: DeviceState, adb_state: str, model: str) -> list[DeviceEvent]:
    """adb lists the phone in `adb_state` (`device`, `offline`, `unauthorized`, ...)."""
    if not device.known or device.state == DISCONNECTED:
        return [DeviceConnected(model=model or device.model, state=adb_state)]
    if device.state != adb_state:
        return [DeviceStateChanged(state=adb_state)]
    return []


def decide_gone(device: DeviceState, reason: str) -> list[DeviceEvent]:
    """adb no longer lists the phone, or its connection broke."""
    if device.known and device.state != DISCONNECTED:
        return [DeviceDisconnected(reason=reason)]
    return []


def decide_pause(device: DeviceState) -> list[DeviceEvent]:
    """The phone finishes its current task and starts no other; nothing if already paused."""
    if not device.known:
        raise DeviceNotFound(f"phone {device.serial} not found")
    return [] if device.paused else [DevicePaused()]


def decide_resume(device: DeviceState) -> list[DeviceEvent]:
    """The phone takes tasks again; nothing if it was not paused."""
    if not device.known:
        raise DeviceNotFound(f"phone {device.serial} not found")
    return [DeviceResumed()] if device.paused else []
