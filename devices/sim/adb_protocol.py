"""The adb smart-socket framing: hex-length requests, OKAY/FAIL replies, blocks, shell v2 packets and sync records."""

from __future__ import annotations

import asyncio
import socket
import struct

# Linux re-enters delayed-ACK mode after each reply; without re-arming TCP_QUICKACK before each
# read, a client that writes headers and body in two send() calls stalls ~40 ms (Nagle x delayed ACK).
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)

SHELL_STDIN, SHELL_STDOUT, SHELL_STDERR, SHELL_EXIT, SHELL_CLOSE_STDIN, SHELL_WINSIZE = 0, 1, 2, 3, 4, 5


def block(text: str | bytes) -> bytes:
    """A length-prefixed block: 4 hex digits then the bytes."""
    data = text.encode() if isinstance(text, str) else text
    return b"%04x" % len(data) + data


def shell_packet(kind: int, data: bytes) -> bytes:
    """One shell v2 packet: a kind byte, a u32 LE length, the payload."""
    return struct.pack("<BI", kind, len(data)) + data


def sync_record(tag: bytes, *numbers: int) -> bytes:
    """A fixed sync record: a 4-byte tag and u32 LE numbers, written in one piece."""
    return tag + struct.pack("<" + "I" * len(numbers), *numbers)


def sync_fail(message: str) -> bytes:
    """A sync FAIL record with its message."""
    data = message.encode()
    return b"FAIL" + struct.pack("<I", len(data)) + data


class AdbStream:
    """One client connection to the farm's adb port, with the framing helpers."""

    __slots__ = ("reader", "writer", "_sock")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self._sock = writer.get_extra_info("socket") if _QUICKACK is not None else None

    def _arm_quickack(self) -> None:
        if self._sock is not None:
            try:
                self._sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            except OSError:
                self._sock = None

    async def read_exactly(self, n: int) -> bytes:
        """Exactly `n` bytes; raises asyncio.IncompleteReadError at EOF."""
        self._arm_quickack()
        return await self.reader.readexactly(n)

    async def read_some(self, n: int = 65536) -> bytes:
        """Up to `n` bytes as they arrive; b"" at EOF."""
        self._arm_quickack()
        return await self.reader.read(n)

    async def read_until(self, separator: bytes) -> bytes:
        """Bytes up to and including `separator`."""
        self._arm_quickack()
        return await self.reader.readuntil(separator)

    async def read_request(self) -> str:
        """One smart-socket request: 4 hex digits of length, then the text."""
        size = int(await self.read_exactly(4), 16)
        return (await self.read_exactly(size)).decode("utf-8", errors="replace")

    def write(self, data: bytes) -> None:
        """Queue bytes to the client."""
        self.writer.write(data)

    def okay(self, payload: bytes = b"") -> None:
        """Reply OKAY, followed by `payload`."""
        self.writer.write(b"OKAY" + payload)

    def okay_block(self, text: str | bytes) -> None:
        """Reply OKAY and a block."""
        self.writer.write(b"OKAY" + block(text))

    def fail(self, message: str) -> None:
        """Reply FAIL and a block with the reason."""
        self.writer.write(b"FAIL" + block(message))

    async def drain(self) -> None:
        """Wait until the queued bytes are handed to the kernel."""
        await self.writer.drain()

    def write_eof(self) -> None:
        """Half-close: the client reads what was queued, then EOF, while we can still read what it sends."""
        if self.writer.can_write_eof() and not self.writer.is_closing():
            self.writer.write_eof()

    def close(self) -> None:
        """Close the connection (pending reads see EOF)."""
        self.writer.close()
