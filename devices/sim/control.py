"""The standalone farm's control port: `GET /state`, `GET /faults`, `POST /faults` (JSON), `POST /calls`
(`{"record": true|false}`) and `GET /calls` (what each phone was asked since the last GET), over a tiny
asyncio HTTP server.

The handlers are the farm's own methods, `farm.state()` and `farm.set_faults(body)`, so the main app can mount
the same two under /api/v1/sim/."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anyio
from anyio.abc import TaskStatus

from devices.sim.farm import VirtualFarm
from devices.sim.faults import FaultSpecError

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


def route(farm: VirtualFarm, method: str, path: str, body: bytes) -> tuple[int, Any]:
    """The status and JSON reply of one control request."""
    path = path.split("?", 1)[0].rstrip("/")
    if path == "/state":
        return (200, farm.state()) if method == "GET" else (405, {"error": "use GET"})
    if path == "/faults":
        if method == "GET":
            return 200, farm.fault_switches()
        if method != "POST":
            return 405, {"error": "use GET or POST"}
        try:
            return 200, farm.set_faults(json.loads(body or b"{}"))
        except (json.JSONDecodeError, FaultSpecError) as exc:
            return 400, {"error": str(exc)}
    if path == "/calls":
        if method == "GET":
            return 200, farm.take_calls()
        if method != "POST":
            return 405, {"error": "use GET or POST"}
        try:
            body = json.loads(body or b"{}")
        except json.JSONDecodeError as exc:
            return 400, {"error": f"the body is not JSON: {exc}"}
        if not isinstance(body, dict) or not isinstance(body.get("record"), bool):
            return 400, {"error": "record: give true or false"}
        farm.record_calls(body["record"])
        return 200, {"record": body["record"]}
    return 404, {"error": f"no such endpoint {path}; try GET /state, GET /faults, POST /faults, GET or POST /calls"}


async def _handle(farm: VirtualFarm, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        method, path, _ = head.split("\r\n", 1)[0].split(" ", 2)
        length = next(
            (int(line.split(":", 1)[1]) for line in head.split("\r\n") if line.lower().startswith("content-length:")), 0
        )
        status, reply = route(farm, method, path, await reader.readexactly(length) if length else b"")
        data = json.dumps(reply, ensure_ascii=False).encode()
        writer.write(
            f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
            + data
        )
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        pass
    finally:
        writer.close()


async def serve_control(
    farm: VirtualFarm, host: str, port: int, *, task_status: TaskStatus[int] = anyio.TASK_STATUS_IGNORED
) -> None:
    """Serve the control endpoints until cancelled; reports the bound port."""
    server = await asyncio.start_server(lambda r, w: _handle(farm, r, w), host, port)
    try:
        task_status.started(server.sockets[0].getsockname()[1])
        await anyio.sleep_forever()
    finally:
        server.close()
