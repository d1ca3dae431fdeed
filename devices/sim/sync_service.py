"""The `sync:` service: STAT, LIST, SEND and RECV records (one or several per connection, until QUIT or EOF)."""

from __future__ import annotations

import asyncio
import struct

from devices.sim.adb_protocol import AdbStream, sync_fail, sync_record
from devices.sim.phone import Phone
from devices.sim.vfs import DIRECTORY_SIZE, S_DIR, FileSystemError

RECV_CHUNK = 64 * 1024


def _stat(phone: Phone, path: str) -> bytes:
    entry = phone.fs.stat(path)
    if entry is None:
        return sync_record(b"STAT", 0, 0, 0)
    return sync_record(b"STAT", entry.mode, DIRECTORY_SIZE if entry.is_dir else entry.size, entry.mtime)


def _list(phone: Phone, path: str) -> bytes:
    try:
        entries = phone.fs.list(path)
    except FileSystemError:
        entries = []
    own = phone.fs.stat(path)
    records = []
    if own is not None and own.is_dir:
        records += [sync_record(b"DENT", S_DIR, DIRECTORY_SIZE, own.mtime, len(name)) + name for name in (b".", b"..")]
    for name, entry in entries:
        raw = name.encode()
        records.append(
            sync_record(b"DENT", entry.mode, DIRECTORY_SIZE if entry.is_dir else entry.size, entry.mtime, len(raw))
            + raw
        )
    return b"".join(records) + sync_record(b"DONE", 0, 0, 0, 0)


async def _receive_file(phone: Phone, stream: AdbStream, spec: str) -> None:
    path, _, mode = spec.rpartition(",")
    if not path:
        path, mode = spec, "33188"
    parts: list[bytes] = []
    while True:
        header = await stream.read_exactly(8)
        tag, value = header[:4], struct.unpack("<I", header[4:])[0]
        if tag == b"DATA":
            parts.append(await stream.read_exactly(value))
        elif tag == b"DONE":
            break
        else:
            stream.write(sync_fail(f"unexpected {tag!r} during SEND"))
            return
    try:
        phone.fs.write(path, parts, int(mode) if mode.isdigit() else 0o644, value or None)
    except FileSystemError as exc:
        stream.write(sync_fail(str(exc)))
        return
    stream.write(sync_record(b"OKAY", 0))


async def _send_file(phone: Phone, stream: AdbStream, path: str) -> None:
    try:
        data = phone.fs.read(path)
    except FileSystemError:
        stream.write(sync_fail(f"remote object '{path}' does not exist"))
        return
    view = memoryview(data)
    for start in range(0, len(data), RECV_CHUNK):
        chunk = view[start : start + RECV_CHUNK]
        stream.write(sync_record(b"DATA", len(chunk)) + bytes(chunk))
        await stream.drain()
    stream.write(sync_record(b"DONE", 0))


async def serve(phone: Phone, stream: AdbStream) -> None:
    """Run a sync session."""
    stream.okay()
    while True:
        try:
            header = await stream.read_exactly(8)
        except asyncio.IncompleteReadError:
            return
        tag, length = header[:4], struct.unpack("<I", header[4:])[0]
        if tag == b"QUIT":
            return
        argument = (await stream.read_exactly(length)).decode("utf-8", errors="replace")
        if tag == b"STAT":
            stream.write(_stat(phone, argument))
        elif tag == b"LIST":
            stream.write(_list(phone, argument))
        elif tag == b"SEND":
            await _receive_file(phone, stream, argument)
        elif tag == b"RECV":
            await _send_file(phone, stream, argument)
        else:
            stream.write(sync_fail(f"unknown sync request {tag!r}"))
            return
        await stream.drain()
