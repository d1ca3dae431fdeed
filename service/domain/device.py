"""The device aggregate: what adb says of a phone, turned into events only when it changes."""

from __future__ import annotations

from dataclasses import dataclass

from service.events import DeviceConnected, DeviceDisconnected, DeviceEvent, DeviceStateChanged

DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class DeviceState:
    """The last state recorded for a phone (`disconnected` when adb no longer lists it)."""

    serial: str
    known: bool = False
    state: str = DISCONNECTED
    model: str = ""


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
