"""The adb server's host services: version, device lists, transports, per-serial queries, forwards."""

from __future__ import annotations

import asyncio
import struct
from typing import TYPE_CHECKING

from devices.sim import device_services
from devices.sim.adb_protocol import AdbStream, block
from devices.sim.phone import Phone

if TYPE_CHECKING:
    from devices.sim.farm import VirtualFarm

ADB_SERVER_VERSION = 41
FEATURES = "shell_v2,cmd"


def device_lines(farm: VirtualFarm, long: bool) -> str:
    """`host:devices` (or `-l`) text."""
    lines = []
    for phone in farm.online_phones():
        if long:
            m = phone.model
            lines.append(f"{phone.serial:<22} device usb:1-{phone.transport_id} product:{m.product} "
                         f"model:{m.model.replace(' ', '_').replace('-', '_')} device:{m.device} transport_id:{phone.transport_id}\n")
        else:
            lines.append(f"{phone.serial}\tdevice\n")
    return "".join(lines)


async def _device_mode(farm: VirtualFarm, stream: AdbStream, phone: Phone) -> None:
    request = await stream.read_request()
    if request.startswith("host:"):  # the adb CLI selects the transport, then asks e.g. host:forward:... on it
        await _per_device(farm, stream, phone, phone.serial, request[len("host:"):])
        return
    task = asyncio.current_task()
    phone.connections.add(task)
    try:
        await device_services.serve(phone, stream, request, farm.drop)
    finally:
        phone.connections.discard(task)


def _pick(farm: VirtualFarm, stream: AdbStream, selector: str) -> Phone | None:
    """The phone a transport selector names (serial:S, any, usb, local, id:N), or FAIL and None."""
    online = farm.online_phones()
    if selector.startswith("serial:"):
        phone = farm.phones.get(selector[7:])
    elif selector.startswith("id:") or selector.startswith("transport-id:"):
        wanted = selector.split(":", 1)[1]
        phone = next((p for p in online if str(p.transport_id) == wanted), None)
    elif selector in ("any", "usb", "local", "transport-any", "transport-usb", "transport-local"):
        if len(online) != 1:
            stream.fail("more than one device/emulator" if online else "no devices/emulators found")
            return None
        phone = online[0]
    else:
        phone = farm.phones.get(selector)
    if phone is None or not phone.online:
        stream.fail(f"device '{selector.split(':', 1)[-1]}' not found")
        return None
    return phone


async def _wait_online(farm: VirtualFarm, stream: AdbStream, serial: str | None) -> None:
    stream.okay()
    while not (farm.phones[serial].online if serial in farm.phones else (serial is None and farm.online_phones())):
        await farm.wait_devices_change()
    stream.okay()


async def _per_device(farm: VirtualFarm, stream: AdbStream, phone: Phone | None, serial: str, command: str) -> None:
    """host-serial:S:CMD and host-transport-id:N:CMD."""
    if command.startswith("wait-for-"):
        await _wait_online(farm, stream, serial)
        return
    if command in ("list-forward",):
        stream.okay_block(farm.forwards.listing(serial))
        return
    if phone is None or not phone.online:
        stream.fail(f"device '{serial}' not found")
        return
    if command == "features":
        stream.okay_block(FEATURES)
    elif command == "get-state":
        stream.okay_block("device")
    elif command == "get-serialno":
        stream.okay_block(phone.serial)
    elif command == "get-devpath":
        stream.okay_block(f"usb:1-{phone.transport_id}")
    elif command.startswith("forward:"):
        spec = command[len("forward:"):]
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
            stream.fail(f"listener '{command[len('killforward:'):]}' not found")
    elif command == "killforward-all":
        farm.forwards.remove_all(phone.serial)
        stream.okay(b"OKAY")
    else:
        stream.fail(f"unknown host service: {command}")


def _split_serial(farm: VirtualFarm, rest: str) -> tuple[str, str]:
    """`S:CMD` with serials that may contain ':' — the longest known serial that prefixes it wins."""
    for serial in sorted(farm.phones, key=len, reverse=True):
        if rest.startswith(serial + ":"):
            return serial, rest[len(serial) + 1:]
    serial, _, command = rest.partition(":")
    return serial, command


async def serve_connection(farm: VirtualFarm, stream: AdbStream) -> None:
    """Answer one connection: a host request, possibly switching it to a phone's service."""
    request = await stream.read_request()
    if request.startswith("host-serial:"):
        serial, command = _split_serial(farm, request[len("host-serial:"):])
        await _per_device(farm, stream, farm.phones.get(serial), serial, command)
    elif request.startswith("host-transport-id:"):
        ident, _, command = request[len("host-transport-id:"):].partition(":")
        phone = next((p for p in farm.phones.values() if str(p.transport_id) == ident), None)
        await _per_device(farm, stream, phone, phone.serial if phone else ident, command)
    elif request.startswith(("host-usb:", "host-local:")):
        phone = _pick(farm, stream, "any")
        if phone is not None:
            await _per_device(farm, stream, phone, phone.serial, request.split(":", 1)[1])
    elif request.startswith("host:tport:"):
        phone = _pick(farm, stream, request[len("host:tport:"):])
        if phone is not None:
            stream.okay(struct.pack("<Q", phone.transport_id))
            await _device_mode(farm, stream, phone)
    elif request.startswith("host:transport"):
        phone = _pick(farm, stream, request[len("host:"):].removeprefix("transport:"))
        if phone is not None:
            stream.okay()
            await _device_mode(farm, stream, phone)
    else:
        await _host(farm, stream, request[len("host:"):] if request.startswith("host:") else request)


async def _host(farm: VirtualFarm, stream: AdbStream, command: str) -> None:
    if command == "version":
        stream.okay_block(f"{ADB_SERVER_VERSION:04x}")
    elif command in ("devices", "devices-l"):
        stream.okay_block(device_lines(farm, command == "devices-l"))
    elif command in ("track-devices", "track-devices-l"):
        stream.okay()
        hangup = asyncio.ensure_future(stream.read_some())
        try:
            while not hangup.done():
                stream.write(block(device_lines(farm, command.endswith("-l"))))
                await stream.drain()
                change = asyncio.ensure_future(farm.wait_devices_change())
                await asyncio.wait({hangup, change}, return_when=asyncio.FIRST_COMPLETED)
                change.cancel()
        finally:
            hangup.cancel()
    elif command in ("features", "host-features"):
        stream.okay_block(FEATURES)
    elif command == "list-forward":
        stream.okay_block(farm.forwards.listing())
    elif command == "killforward-all":
        farm.forwards.remove_all()
        stream.okay(b"OKAY")
    elif command.startswith("wait-for-"):
        await _wait_online(farm, stream, None)
    elif command == "kill":
        stream.okay()  # a shared farm is not stopped by one client
    else:
        stream.fail(f"unknown host service: {command}")
