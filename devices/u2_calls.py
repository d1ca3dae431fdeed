"""uiautomator2's hot JSON-RPC calls, spoken directly over the library's own device objects.

Each call is what uiautomator2 3.x does on the wire: a new adb stream to the uiautomator2 server's
port on the phone (`AdbDevice.create_connection`, through the driver's tracked adb client), one
HTTP POST of `{"jsonrpc": "2.0", "id": 1, "method", "params"}` to /jsonrpc/0, one response. The
library builds that request with http.client (header objects, the email parser for the response
headers) and json, under a proxy object, a settings lookup and a retry decorator per call; here it
is one prepared byte string, msgspec, and a small response reader: a third of the CPU per call.

What the library does around a call is kept: an HTTP failure or "UiAutomation not connected"
restarts the uiautomator2 server (`stop_uiautomator` + `start_uiautomator`, the library's own) and
tries once more; RPC errors become the library's exceptions (UiObjectNotFoundError, RPCUnknownError,
...) by the same rules; an empty dump goes to the library's `dump_hierarchy`, which waits and asks
again. Calls not listed here go through the library as they are.
"""

from __future__ import annotations

import socket
from typing import Any

import adbutils
import msgspec
import uiautomator2 as u2
from uiautomator2 import exceptions as u2e
from uiautomator2._selector import Selector
from uiautomator2.core import DEFAULT_SERVER_PORT

HTTP_TIMEOUT_S = 10.0  # the library's default for a JSON-RPC call
_HEAD = (
    "POST /jsonrpc/0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: uiautomator2\r\nAccept-Encoding: \r\n"
    "Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
)
_EMPTY_DUMP = '<hierarchy rotation="0" />'
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode
_FOCUSED = dict(Selector(focused=True))


def jsonrpc(device: u2.Device, method: str, params: Any, timeout: float = HTTP_TIMEOUT_S) -> Any:
    """One JSON-RPC call; on an HTTP failure or a lost UiAutomation, the server is restarted and the
    call made once more (as uiautomator2's own `jsonrpc_call`)."""
    try:
        return _call(device, method, params, timeout)
    except (u2e.HTTPError, u2e.UiAutomationNotConnectedError):
        device.stop_uiautomator()
        device.start_uiautomator()
        return _call(device, method, params, timeout)


def dump_hierarchy(device: u2.Device) -> str:
    """The window hierarchy XML (`d.dump_hierarchy()`: not compressed, depth 50)."""
    content = jsonrpc(device, "dumpWindowHierarchy", [False, 50])
    if not content or _EMPTY_DUMP in content:
        return device.dump_hierarchy()  # the library waits and asks again (up to 3 times)
    return content


def click(device: u2.Device, x: int, y: int) -> None:
    """A tap at a point in pixels (`d.click(x, y)`)."""
    jsonrpc(device, "click", [x, y])


def press(device: u2.Device, key: str) -> None:
    """A key by name: back, home, enter, ... (`d.press(key)`)."""
    jsonrpc(device, "pressKey", [key])


def device_info(device: u2.Device) -> dict[str, Any]:
    """screenOn, displayWidth/Height, currentPackageName, ... (`d.info`)."""
    return jsonrpc(device, "deviceInfo", {})


def set_focused_text(device: u2.Device, text: str) -> bool:
    """Replace the text of the focused field; False when no field has focus."""
    try:
        return bool(jsonrpc(device, "setText", [_FOCUSED, text]))
    except u2e.UiObjectNotFoundError:
        return False


def _call(device: u2.Device, method: str, params: Any, timeout: float) -> Any:
    port = getattr(device, "_device_server_port", DEFAULT_SERVER_PORT)
    body = _encode({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    try:
        sock = device.adb_device.create_connection(adbutils.Network.TCP, port)
    except adbutils.AdbError as exc:
        raise u2e.HTTPError(f"Unable to connect to uiautomator2 server: {exc}") from exc
    try:
        sock.settimeout(timeout)
        sock.sendall(_HEAD.format(port=port).encode() + str(len(body)).encode() + b"\r\n\r\n" + body)
        status, content = _read_response(sock)
    finally:
        sock.close()
    if status != 200:
        raise u2e.HTTPError(f"HTTP request failed: {status}")
    try:
        data = _decode(content)
    except msgspec.DecodeError as exc:
        raise u2e.RPCInvalidError(f"Unknown RPC error: the answer is not JSON: {exc}") from exc
    return _result(data, content, params)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of one HTTP/1.x response (Content-Length, chunked, or up to the close)."""
    data = bytearray()
    while (end := data.find(b"\r\n\r\n")) < 0:
        chunk = sock.recv(65536)
        if not chunk:
            raise u2e.HTTPError("HTTP request failed: the connection closed before the response")
        data += chunk
    head, data = bytes(data[:end]).decode("latin-1"), data[end + 4 :]
    lines = head.split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        raise u2e.HTTPError(f"HTTP request failed: bad status line {lines[0][:80]!r}") from None
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(data) < length:
            chunk = sock.recv(max(65536, length - len(data)))
            if not chunk:
                raise u2e.HTTPError("HTTP request failed: the response was cut short")
            data += chunk
        return status, bytes(data[:length])
    while chunk := sock.recv(65536):
        data += chunk
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return status, _unchunk(bytes(data))
    return status, bytes(data)


def _unchunk(data: bytes) -> bytes:
    out, at = bytearray(), 0
    while True:
        end = data.index(b"\r\n", at)
        size = int(data[at:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2 : end + 2 + size]
        at = end + 2 + size + 2


def _result(data: Any, raw: bytes, params: Any) -> Any:
    """The call's result, or uiautomator2's exception for its error (the rules of its `_jsonrpc_call`)."""
    if not isinstance(data, dict):
        raise u2e.RPCInvalidError("Unknown RPC error: not a dict")
    if "error" in data:
        error = data["error"] or {}
        code, message, stacktrace = error.get("code"), error.get("message", ""), error.get("data")
        if b"UiAutomation not connected" in raw:
            raise u2e.UiAutomationNotConnectedError("UiAutomation not connected")
        if "android.os.DeadObjectException" in message:
            raise u2e.UiAutomationNotConnectedError("android.os.DeadObjectException")
        if "android.os.DeadSystemRuntimeException" in message:
            raise u2e.UiAutomationNotConnectedError("android.os.DeadSystemRuntimeException")
        if "uiautomator.UiObjectNotFoundException" in message:
            raise u2e.UiObjectNotFoundError(code, message, params)
        if "java.lang.StackOverflowError" in message:
            trace = stacktrace or ""
            raise u2e.RPCStackOverflowError(
                f"StackOverflowError: {message}", params, trace[:1000] + "..." + trace[-1000:]
            )
        raise u2e.RPCUnknownError(f"Unknown RPC error: {code} {message}", params, stacktrace)
    if "result" not in data:
        raise u2e.RPCInvalidError("Unknown RPC error: no result field")
    return data["result"]
