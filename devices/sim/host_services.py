"""The adb server's host services: version, device lists, transports, per-phone queries, waits, forwards, connect."""

from __future__ import annotations

import asyncio
import struct
from typing import TYPE_CHECKING

from devices.sim import device_services, network_devices
from devices.sim.adb_protocol import AdbStream, block
from devices.sim.phone import Phone
from devices.sim.transports import Acquired, acquire, devpath, model_tag, split_serial

if TYPE_CHECKING:
    from devices.sim.farm import VirtualFarm

ADB_SERVER_VERSION = 41
FEATURES = "shell_v2,cmd"
_WAIT_KINDS = ("any", "usb", "local")
_WAIT_STATES = ("device", "recovery", "rescue", "sideload", "bootloader", "any", "disconnect")
_PER_PHONE = ("features", "get-state", "get-serialno", "get-devpath", "killforward-all")


def device_lines(farm: VirtualFarm, long: bool) -> str:
    """`host:devices` (or `-l`) text."""
    lines = []
    for phone in farm.online_phones():
        if long:
            m = phone.model
            lines.append(
                f"{phone.serial:<22} device {devpath(phone)} product:{m.product} model:{model_tag(phone)} "
                f"device:{m.device} transport_id:{phone.transport_id}\n"
            )
        else:
            lines.append(f"{phone.serial}\tdevice\n")
    return "".join(lines)


class Target:
    """What a host request names: a kind of transport (any, usb, local), a serial or a transport id."""

    __slots__ = ("kind", "serial", "transport_id")

    def __init__(self, kind: str = "any", serial: str | None = None, transport_id: str | None = None) -> None:
        self.kind, self.serial, self.transport_id = kind, serial, transport_id

    @classmethod
    def of_selector(cls, selector: str) -> Target:
        """`host:tport:SELECTOR` / `host:transportSELECTOR`: serial:S, id:N, any, usb, local, -any, :S, -id:N."""
        selector = selector.removeprefix("-")
        if selector.startswith("serial:") or selector.startswith(":"):
            return cls(serial=selector.split(":", 1)[1])
        if selector.startswith("id:"):
            return cls(transport_id=selector[3:])
        return cls(kind=selector if selector in _WAIT_KINDS else "any")

    def acquire(self, farm: VirtualFarm) -> Acquired:
        """The one online phone it names, or why there is none."""
        return acquire(farm.online_phones(), self.kind, self.serial, self.transport_id)


async def serve_connection(farm: VirtualFarm, stream: AdbStream) -> None:
    """Answer one connection: a host request, possibly switching it to a phone's service."""
    request = await stream.read_request()
    if request.startswith("host-serial:"):
        serial, command = split_serial(request[len("host-serial:") :])
        await _host(farm, stream, command, Target(serial=serial))
    elif request.startswith("host-transport-id:"):
        ident, _, command = request[len("host-transport-id:") :].partition(":")
        await _host(farm, stream, command, Target(transport_id=ident))
    elif request.startswith(("host-usb:", "host-local:")):
        kind, _, command = request[len("host-") :].partition(":")
        await _host(farm, stream, command, Target(kind=kind))
    else:
        await _host(farm, stream, request.removeprefix("host:"), Target())


async def _host(farm: VirtualFarm, stream: AdbStream, command: str, target: Target) -> None:
    if command.startswith(("tport:", "transport")):
        tport = command.startswith("tport:")
        await _switch_transport(farm, stream, Target.of_selector(command[6:] if tport else command[9:]), tport)
    elif command.startswith("wait-for-"):
        await _wait_for(farm, stream, command[len("wait-for-") :], target)
    elif command == "version":
        stream.okay_block(f"{ADB_SERVER_VERSION:04x}")
    elif command in ("devices", "devices-l"):
        stream.okay_block(device_lines(farm, command == "devices-l"))
    elif command in ("track-devices", "track-devices-l"):
        await _track_devices(farm, stream, command.endswith("-l"))
    elif command == "host-features":
        stream.okay_block(FEATURES)
    elif command == "list-forward":
        stream.okay_block(farm.forwards.listing())
    elif command == "killforward-all" and target.serial is None and target.transport_id is None:
        farm.forwards.remove_all()
        stream.okay(b"OKAY")
    elif command.startswith("connect:"):
        stream.okay()
        stream.write(block(await network_devices.connect(command[len("connect:") :])))
    elif command.startswith("disconnect:"):
        address = command[len("disconnect:") :]
        if address:  # the farm has no network device to disconnect
            stream.fail(f"no such device '{network_devices.network_serial(address)}'")
        else:
            stream.okay_block("disconnected everything")
    elif command == "kill":
        stream.okay()  # a shared farm is not stopped by one client
    elif command in _PER_PHONE or command.startswith(("forward:", "killforward:")):
        acquired = target.acquire(farm)
        if acquired.phone is None:
            stream.fail(acquired.error)
        else:
            await _per_phone(farm, stream, acquired.phone, command)
    else:
        stream.fail(f"unknown host service '{command}'")


async def _per_phone(farm: VirtualFarm, stream: AdbStream, phone: Phone, command: str) -> None:
    """Host services about one phone: features, get-state, get-serialno, get-devpath, forward and killforward."""
    if command == "features":
        stream.okay_block(FEATURES)
    elif command == "get-state":
        stream.okay_block("device")
    elif command == "get-serialno":
        stream.okay_block(phone.serial)
    elif command == "get-devpath":
        stream.okay_block(devpath(phone))
    elif command.startswith("forward:"):
        spec = command[len("forward:") :]
        norebind = spec.startswith("norebind:")
        local, _, remote = spec.removeprefix("norebind:").partition(";")
        try:
            port = await farm.forwards.add(phone.serial, local, remote, norebind)
        except (ValueError, OSError) as exc:
            stream.fail(str(exc))
            return
        stream.okay(b"OKAY" + (block(str(port)) if local == "tcp:0" else b""))
    elif command.startswith("killforward:"):
        port = command.split(":tcp:")[-1]
        if port.isdigit() and farm.forwards.remove(int(port)):
            stream.okay(b"OKAY")
        else:
            stream.fail(f"listener '{command[len('killforward:') :]}' not found")
    elif command == "killforward-all":
        farm.forwards.remove_all(phone.serial)
        stream.okay(b"OKAY")
    else:
        stream.fail(f"unknown host service '{command}'")


async def _switch_transport(farm: VirtualFarm, stream: AdbStream, target: Target, with_id: bool) -> None:
    """`host:tport:…` (OKAY and the transport id) or `host:transport…` (OKAY): the connection now talks to a phone."""
    acquired = target.acquire(farm)
    phone = acquired.phone
    if phone is None:
        stream.fail(acquired.error)
        return
    stream.okay(struct.pack("<Q", phone.transport_id) if with_id else b"")
    request = await stream.read_request()
    if request.startswith("host:"):  # the adb CLI selects the transport, then asks e.g. host:forward:... on it
        await _per_phone(farm, stream, phone, request[len("host:") :])
        return
    task = asyncio.current_task()
    phone.connections.add(task)
    try:
        await device_services.serve(phone, stream, request, farm.drop)
    finally:
        phone.connections.discard(task)


async def _wait_for(farm: VirtualFarm, stream: AdbStream, spec: str, target: Target) -> None:
    """`wait-for-KIND-STATE`: OKAY at once, then OKAY when the state holds (a phone online is in `device` state;
    `disconnect` holds when no phone matches), FAIL when several phones match and none was named."""
    stream.okay()
    kind, _, state = spec.partition("-")
    if kind not in _WAIT_KINDS:
        stream.fail(f"bad wait-for- transport: {spec}")
        return
    if state not in _WAIT_STATES:
        stream.fail(f"bad wait-for- state: {spec}")
        return
    target = Target(kind, target.serial, target.transport_id)
    hangup = asyncio.ensure_future(stream.read_some())  # the client giving up ends the wait
    try:
        while not hangup.done():
            acquired = target.acquire(farm)
            if (acquired.phone is None) if state == "disconnect" else (state in ("device", "any") and acquired.phone):
                stream.okay()
                return
            if acquired.ambiguous and state != "disconnect":
                stream.fail(acquired.error)
                return
            await _devices_change_or(farm, hangup)
    finally:
        hangup.cancel()


async def _track_devices(farm: VirtualFarm, stream: AdbStream, long: bool) -> None:
    """A block with the device list now and after every change, until the client hangs up."""
    stream.okay()
    hangup = asyncio.ensure_future(stream.read_some())
    try:
        while not hangup.done():
            stream.write(block(device_lines(farm, long)))
            await stream.drain()
            await _devices_change_or(farm, hangup)
    finally:
        hangup.cancel()


async def _devices_change_or(farm: VirtualFarm, hangup: asyncio.Future[bytes]) -> None:
    """Until a phone goes offline or comes back, or the client hangs up (`hangup` done)."""
    change = asyncio.ensure_future(farm.wait_devices_change())
    await asyncio.wait({hangup, change}, return_when=asyncio.FIRST_COMPLETED)
    change.cancel()
