"""`adb forward tcp:L tcp:9008`: the farm listens on L and serves the phone's uiautomator2 server there."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from devices.sim import u2_server
from devices.sim.adb_protocol import AdbStream
from devices.sim.phone import Phone


@dataclass
class Forward:
    """One forward: a local listener piping to a port on a phone."""

    serial: str
    local: int
    remote: str
    server: asyncio.AbstractServer


class Forwards:
    """The farm's forwards."""

    def __init__(
        self, host: str, find_phone: Callable[[str], Phone | None], disconnect: Callable[[Phone], None]
    ) -> None:
        self._host, self._find, self._disconnect = host, find_phone, disconnect
        self._entries: dict[int, Forward] = {}
        self._connections: set[asyncio.Task[None]] = set()

    async def add(self, serial: str, local: str, remote: str, norebind: bool) -> int:
        """Start forwarding `tcp:L` (0 picks a port) to `remote` on a phone; returns the local port."""
        if not local.startswith("tcp:") or not remote.startswith("tcp:"):
            raise ValueError("the farm forwards tcp:PORT to tcp:PORT only")
        port = int(local[4:])
        if port in self._entries:
            if norebind:
                raise ValueError(f"cannot rebind existing socket {local}")
            self.remove(port)

        async def handle(stream: AdbStream) -> None:
            try:
                phone = self._find(serial)
                if phone is not None and phone.online and remote == f"tcp:{u2_server.SERVER_PORT}" and phone.u2.up:
                    await u2_server.serve(phone, stream, self._disconnect)
                    await stream.drain()
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                pass
            finally:
                stream.close()

        def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.get_running_loop().create_task(handle(AdbStream(reader, writer)))
            self._connections.add(task)
            task.add_done_callback(self._connections.discard)

        server = await asyncio.start_server(accept, self._host, port)
        port = server.sockets[0].getsockname()[1]
        self._entries[port] = Forward(serial, port, remote, server)
        return port

    def listing(self, serial: str | None = None) -> str:
        """`list-forward` lines: serial tcp:L tcp:R."""
        return "".join(
            f"{f.serial} tcp:{f.local} {f.remote}\n" for f in self._entries.values() if serial in (None, f.serial)
        )

    def remove(self, port: int) -> bool:
        """Stop one forward; False if there is none on that port."""
        forward = self._entries.pop(port, None)
        if forward is None:
            return False
        forward.server.close()
        return True

    def remove_all(self, serial: str | None = None) -> None:
        """Stop the forwards of a phone (or all)."""
        for port in [p for p, f in self._entries.items() if serial in (None, f.serial)]:
            self.remove(port)

    def close(self) -> None:
        """Stop everything (the farm is stopping)."""
        self.remove_all()
        for task in list(self._connections):
            task.cancel()
