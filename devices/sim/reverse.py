"""`adb reverse`: listeners on the phone whose connections go to a port of the host. adbd keeps the table
(`reverse:forward`, `list-forward`, `killforward`, `killforward-all`); a connection to a reversed `tcp:` port on the
phone (over adb, the `tcp:PORT` service) is piped to that port on the host."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

from devices.sim.adb_protocol import AdbStream, block
from devices.sim.phone import Phone

_SPECS = ("tcp:", "localabstract:", "localreserved:", "localfilesystem:")
_TRANSPORT_NAME = "UsbFfs"  # what adbd calls its USB connection in the listing
_FIRST_PICKED_PORT = 38000  # where the phone's kernel starts when `tcp:0` asks for a free port


def _valid(spec: str) -> bool:
    kind, _, rest = spec.partition(":")
    return spec.startswith(_SPECS) and bool(rest) and (kind != "tcp" or rest.isdigit())


def _forward(phone: Phone, spec: str) -> tuple[str | None, str]:
    """Add a reverse listener; (error, or None, and the port block tcp:0 asks for)."""
    norebind = spec.startswith("norebind:")
    remote, _, local = spec.removeprefix("norebind:").partition(";")
    if not (_valid(remote) and _valid(local)):
        return f"cannot bind listener: bad socket specification '{remote}' or '{local}'", ""
    if remote in phone.reverses and norebind:
        return "cannot rebind existing socket", ""
    picked = ""
    if remote == "tcp:0":
        port = next(p for p in itertools.count(_FIRST_PICKED_PORT) if f"tcp:{p}" not in phone.reverses)
        remote, picked = f"tcp:{port}", str(port)
    phone.reverses[remote] = local
    return None, picked


def serve(phone: Phone, stream: AdbStream, command: str) -> None:
    """Answer one `reverse:` request: the server's OKAY, then adbd's answer."""
    stream.okay()
    if command.startswith("forward:"):
        error, picked = _forward(phone, command[len("forward:") :])
        if error is None:
            stream.okay(block(picked) if picked else b"")
        else:
            stream.fail(error)
    elif command == "list-forward":
        stream.write(
            block("".join(f"{_TRANSPORT_NAME} {remote} {local}\n" for remote, local in phone.reverses.items()))
        )
    elif command.startswith("killforward:"):
        remote = command[len("killforward:") :]
        if phone.reverses.pop(remote, None) is None:
            stream.fail(f"listener '{remote}' not found")
        else:
            stream.okay()
    elif command == "killforward-all":
        phone.reverses.clear()
        stream.okay()
    else:
        stream.fail("not a reverse forwarding command")


async def _copy(read: Callable[[], Awaitable[bytes]], writer: asyncio.StreamWriter) -> None:
    while data := await read():
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof():
        writer.write_eof()


async def connect(phone: Phone, stream: AdbStream, port: str) -> bool:
    """A connection to `tcp:PORT` on the phone: piped to the host if PORT is reversed to a host `tcp:` port.
    False when it is not reversed. Like adbd, it accepts first; a host port that refuses closes the stream."""
    local = phone.reverses.get(f"tcp:{port}", "")
    if not local.startswith("tcp:"):
        return False
    stream.okay()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(local[4:]))
    except OSError:
        return True
    try:
        await asyncio.gather(_copy(stream.read_some, writer), _copy(lambda: reader.read(65536), stream.writer))
    finally:
        writer.close()
    return True
