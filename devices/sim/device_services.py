"""Services on a selected phone: `shell:` (v1, v2, interactive), `sync:`, `framebuffer:`, `reverse:`, `tcp:PORT`
(the uiautomator2 server, or a reversed port)."""

from __future__ import annotations

import asyncio
import codecs
import struct
from collections.abc import Callable

import anyio

from devices.sim import reverse, screenshot, sync_service, u2_server
from devices.sim.adb_protocol import (
    SHELL_CLOSE_STDIN,
    SHELL_EXIT,
    SHELL_STDERR,
    SHELL_STDIN,
    SHELL_STDOUT,
    AdbStream,
    shell_packet,
)
from devices.sim.android_commands import ANDROID_COMMANDS
from devices.sim.dumpsys import DUMPSYS_COMMANDS
from devices.sim.log_commands import LOG_COMMANDS
from devices.sim.network_commands import NETWORK_COMMANDS
from devices.sim.phone import Phone
from devices.sim.posix_commands import POSIX_COMMANDS
from devices.sim.processes import PROCESS_COMMANDS
from devices.sim.shell import Command, Session, Shell

COMMANDS: dict[str, Command] = {
    **POSIX_COMMANDS,
    **ANDROID_COMMANDS,
    **DUMPSYS_COMMANDS,
    **LOG_COMMANDS,
    **NETWORK_COMMANDS,
    **PROCESS_COMMANDS,
}
_HANGUP_S = 2.0


async def _until_eof(stream: AdbStream) -> None:
    while await stream.read_some():
        pass


async def _end_shell(stream: AdbStream) -> None:
    """After the exit packet, close as adbd does: our side at once (the client sees EOF and hangs up), then read
    what the client still sends until it has. Closing outright with its unread bytes (a close-stdin packet) in
    our receive buffer would send a RST, and the client could lose the end of the output."""
    await stream.drain()
    stream.write_eof()
    try:
        await asyncio.wait_for(_until_eof(stream), _HANGUP_S)
    except TimeoutError:
        pass


async def _shell(phone: Phone, stream: AdbStream, options: list[str], command: str) -> None:
    v2 = "v2" in options
    session = Session(wait_closed=lambda: _until_eof(stream), stream=stream, pid=phone.new_pid())
    stream.okay()
    phone.record_call("shell", "v2" if v2 else "v1", command)
    if not command:
        await _interactive(phone, stream, session, v2)
        return
    await phone.lag()
    if v2:
        status = await Shell(phone, session, COMMANDS).run(
            command,
            lambda b: stream.write(shell_packet(SHELL_STDOUT, b)),
            lambda b: stream.write(shell_packet(SHELL_STDERR, b)),
        )
        stream.write(shell_packet(SHELL_EXIT, bytes([status & 0xFF])))
        await _end_shell(stream)
    else:
        await Shell(phone, session, COMMANDS).run(command, stream.write, stream.write)


async def _packets(stream: AdbStream) -> bytes | None:
    """Stdin bytes of the next shell v2 packet; None when stdin closes."""
    while True:
        header = await stream.read_exactly(5)
        kind, size = header[0], struct.unpack("<I", header[1:])[0]
        payload = await stream.read_exactly(size) if size else b""
        if kind == SHELL_STDIN:
            return payload
        if kind == SHELL_CLOSE_STDIN:
            return None


async def _interactive(phone: Phone, stream: AdbStream, session: Session, v2: bool) -> None:
    """`adb shell` with no command: a prompt, line editing with echo (the terminal is raw), commands run per line."""
    shell = Shell(phone, session, COMMANDS)

    def send(data: bytes) -> None:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        stream.write(shell_packet(SHELL_STDOUT, data) if v2 else data)

    def prompt() -> None:
        send(f"{phone.model.device}:{session.cwd} $ ".encode())

    decoder, line, status = codecs.getincrementaldecoder("utf-8")("replace"), "", 0
    prompt()
    while True:
        try:
            data = await (_packets(stream) if v2 else stream.read_some())
        except asyncio.IncompleteReadError:
            data = None
        if not data:
            break
        text, skip, done = decoder.decode(data), 0, False
        for char in text:
            if skip:
                skip -= 1
            elif char == "\x1b":
                skip = 2  # arrow keys and the like: ignored
            elif char in "\r\n":
                send(b"\n")
                status = await shell.run(line, send, send) if line.strip() else status
                if line.strip().split()[:1] == ["exit"]:
                    done = True
                    break
                line = ""
                prompt()
            elif char in "\x7f\x08":
                if line:
                    line = line[:-1]
                    send(b"\x08 \x08")
            elif char == "\x03":
                line = ""
                send(b"^C\n")
                prompt()
            elif char == "\x04" and not line:
                done = True
                break
            elif char >= " " or char == "\t":
                line += char
                send(char.encode())
        if done:
            break
    if v2:
        stream.write(shell_packet(SHELL_EXIT, bytes([status & 0xFF])))
        await _end_shell(stream)


async def serve(phone: Phone, stream: AdbStream, request: str, disconnect: Callable[[Phone], None]) -> None:
    """Run one device service request on `phone`."""
    if request.startswith("shell"):
        head, _, command = request.partition(":")
        await _shell(phone, stream, head.split(",")[1:], command)
    elif request == "sync:":
        await sync_service.serve(phone, stream)
    elif request == "framebuffer:":
        stream.okay()
        stream.write(await anyio.to_thread.run_sync(screenshot.framebuffer, phone.snapshot(), phone.display_on))
    elif request.startswith("reverse:"):
        reverse.serve(phone, stream, request[len("reverse:") :])
    elif request.startswith("tcp:"):
        port = request[4:].split(":")[-1]
        if port == str(u2_server.SERVER_PORT) and phone.u2.up:
            stream.okay()
            await u2_server.serve(phone, stream, disconnect)
        elif not await reverse.connect(phone, stream, port):
            stream.fail("closed")
    else:
        stream.fail(f"unknown service: {request.split(':')[0]}")
