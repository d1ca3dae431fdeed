"""The uiautomator2 on-device HTTP server: one request per `tcp:9008` stream, /ping and /jsonrpc/0 (always 200)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from devices.sim import rpc_methods
from devices.sim.adb_protocol import AdbStream
from devices.sim.phone import Phone

SERVER_PORT = 9008
_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def _response(stream: AdbStream, status: str, body: bytes, content_type: str) -> None:
    stream.write(
        b"HTTP/1.1 "
        + status.encode()
        + b"\r\nContent-Type: "
        + content_type.encode()
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )


async def _read_request(stream: AdbStream) -> tuple[str, str, bytes]:
    head = (await stream.read_until(b"\r\n\r\n")).decode("latin-1")
    request_line, _, headers = head.partition("\r\n")
    method, path, _ = request_line.split(" ", 2)
    length = 0
    for line in headers.split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    body = await stream.read_exactly(length) if length else b""
    return method, path, body


def _envelope(request_id: Any, result: Any = None, error: rpc_methods.RpcError | None = None) -> bytes:
    if error is not None:
        return _encode(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "error": {"code": error.code, "message": error.message, "data": error.data or error.message},
            }
        )
    return _encode({"jsonrpc": "2.0", "id": request_id, "result": result})


async def serve(phone: Phone, stream: AdbStream, disconnect: Callable[[Phone], None]) -> None:
    """Answer the one HTTP request of a stream. Random faults are drawn per JSON-RPC call."""
    method, path, body = await _read_request(stream)
    if method == "GET" and path == "/ping":
        _response(stream, "200 OK", b"pong", "text/plain")
        return
    if method != "POST" or not path.startswith("/jsonrpc/0"):
        _response(stream, "404 Not Found", b"Not Found", "text/plain")
        return
    try:
        request = _decode(body)
        name, params, request_id = request["method"], request.get("params", []), request.get("id")
    except (msgspec.DecodeError, KeyError, TypeError):
        _response(
            stream, "200 OK", _envelope(None, error=rpc_methods.RpcError(-32700, "Parse error")), "application/json"
        )
        return
    phone.record_call("rpc", name, params)
    drop, crash = phone.roll_faults()
    if drop:
        disconnect(phone)
        return
    await phone.lag()
    try:
        reply = _envelope(request_id, await rpc_methods.call(phone, name, params))
    except rpc_methods.RpcError as error:
        reply = _envelope(request_id, error=error)
    _response(stream, "200 OK", reply, "application/json")
    if crash:
        await stream.drain()
        phone.crash_u2()
