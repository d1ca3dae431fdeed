"""The device aggregate: what adb says of a phone, turned into events only when it changes;
an operator's pause and resume."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.errors import DomainError
from service.events import (
    DeviceConnected, DeviceDisconnected, DeviceEvent, DevicePaused, DeviceResumed, DeviceStateChanged,
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
