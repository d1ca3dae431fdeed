"""`adb connect` and `adb disconnect`: the farm's phones are all on USB and it adds no network device. It answers
as adb does when the address does not lead to an adbd: the connection error, or, when something accepts the
connection, the handshake failure (at once, where adb gives up after 10 s and lists the address `offline`)."""

from __future__ import annotations

import asyncio
import errno
import os
import socket

DEFAULT_PORT = 5555
CONNECT_TIMEOUT_S = 10.0


def _address(text: str) -> tuple[str, int] | str:
    """(host, port) of `host[:port]` or `[v6]:port`, or the error adb gives."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    if not host:
        return f"couldn't parse '{text}': no host"
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        return f"couldn't parse '{text}': bad port number '{port}'"
    return host, int(port) if port else DEFAULT_PORT


def network_serial(text: str) -> str:
    """The serial adb gives a network device (`1.2.3.4` -> `1.2.3.4:5555`)."""
    parsed = _address(text)
    if isinstance(parsed, str):
        return text
    host, port = parsed
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def connect(text: str) -> str:
    """The text `host:connect:ADDRESS` answers."""
    if not text:
        return "empty address"
    parsed = _address(text)
    if isinstance(parsed, str):
        return parsed
    host, port = parsed
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT_S)
    except socket.gaierror as exc:
        return f"failed to resolve host: '{host}': {exc.strerror}"
    except TimeoutError:
        return f"failed to connect to '{network_serial(text)}': {os.strerror(errno.ETIMEDOUT)}"
    except OSError as exc:
        return f"failed to connect to '{network_serial(text)}': {os.strerror(exc.errno) if exc.errno else exc}"
    writer.close()
    return f"failed to connect to {network_serial(text)}"
