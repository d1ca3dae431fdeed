"""The one boundary between droidledger and a phone: adbutils + uiautomator2 in the phone's own thread.

Both libraries block, so every call runs in the phone's worker thread (devices/call_thread.py: one
long-lived thread per phone, one call at a time, in order) under a timeout. A thread cannot be
cancelled: when a call times out, the phone's adb connections are shut down (which makes the
stuck thread fail fast), the thread is abandoned to end on its own, the driver is marked broken,
and the next call reconnects (in a fresh thread). The hot calls (dump, tap, key, typing, the
phone's state) speak uiautomator2's JSON-RPC directly over the library's own device objects
(devices/u2_calls.py); the adb client remembers the adb server's version, which adbutils would
otherwise ask for on a connection of its own before every call.

adbutils and uiautomator2 exceptions become `devices.errors` here and only here:

    adbutils AdbError "device 'X' not found", connection refused/reset/closed,
    OSError, u2 ConnectError, "Unable to connect"        -> DeviceGone("device disconnected")
    AdbTimeout, socket timeouts, a call over its time     -> DeviceTimeout
    u2 LaunchUiAutomationError, AccessibilityService...,
    UiAutomationNotConnectedError, other RPC errors       -> DeviceNotReady
    AdbSyncError during push                              -> ScriptFailed

Never spawning an adb server: when adbutils cannot reach the server it runs
`$ADBUTILS_ADB_PATH start-server` (else `adb` on PATH, else its bundled adb). The code that
starts the phones calls `allow_adb_server_start(False)` once, which points that variable at
`/bin/false` (a command that does nothing), so a missing server fails in milliseconds instead
of being replaced; `allow_adb_server_start(True)` (`serve --adb-start`) restores the variable as
it was. Importing this module changes nothing: adbutils reads the variable when it spawns, not
at import; the module-level `adbutils.adb` client reads ANDROID_ADB_SERVER_HOST/PORT at import,
which this driver never uses (it builds its own `AdbClient(host=, port=)`).
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import socket
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import adbutils
import anyio
import uiautomator2 as u2
from adbutils.errors import AdbSyncError
from uiautomator2 import exceptions as u2e

from devices import u2_calls
from devices.call_thread import CallThread
from devices.errors import DeviceError, DeviceGone, DeviceNotReady, DeviceTimeout, ScriptFailed

T = TypeVar("T")

NO_ADB = "/bin/false" if os.path.exists("/bin/false") else os.devnull
_ADB_PATH_AS_GIVEN = os.environ.get("ADBUTILS_ADB_PATH")
GONE = "device disconnected"
WAIT_TIMEOUT_S = 2.0  # uiautomator2's own element waits (its default is 20 s)
CONNECT_TIMEOUT_S = 45.0  # u2.connect may push the 3.7 MB jar and wait up to 30 s for its server


def allow_adb_server_start(allowed: bool) -> None:
    """Let adbutils spawn an adb server (`--adb-start`) or forbid it; process-wide, so called once,
    by the code that starts the phones, before the first adb call."""
    if allowed and _ADB_PATH_AS_GIVEN is not None:
        os.environ["ADBUTILS_ADB_PATH"] = _ADB_PATH_AS_GIVEN
    elif allowed:
        os.environ.pop("ADBUTILS_ADB_PATH", None)
    else:
        os.environ["ADBUTILS_ADB_PATH"] = NO_ADB


class _Connections:
    """The adb connections a phone's driver opened, so a stuck call can be cut off."""

    def __init__(self) -> None:
        self._open: weakref.WeakSet[adbutils.AdbConnection] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, conn: adbutils.AdbConnection) -> None:
        with self._lock:
            self._open.add(conn)

    def shut_all(self) -> None:
        """Shut every socket down; a thread blocked reading one wakes up with an error."""
        with self._lock:
            conns = list(self._open)
            self._open.clear()
        for conn in conns:
            try:
                conn.conn.shutdown(socket.SHUT_RDWR)
            except (OSError, adbutils.AdbError):
                pass


class _TrackedAdbClient(adbutils.AdbClient):
    """An AdbClient that records every connection it makes, and asks the adb server its version once
    (adbutils asks before every connection to a device by serial: a second connection per call)."""

    def __init__(self, host: str, port: int, connections: _Connections) -> None:
        super().__init__(host=host, port=port)
        self._connections = connections
        self._server_version: int | None = None

    def make_connection(self, timeout: float | None = None) -> adbutils.AdbConnection:
        conn = super().make_connection(timeout)
        self._connections.add(conn)
        return conn

    def server_version(self) -> int:
        if self._server_version is None:
            self._server_version = super().server_version()
        return self._server_version


def device_error(exc: BaseException) -> DeviceError:
    """The droidledger error for an adbutils / uiautomator2 / socket exception."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, DeviceError):
        return exc
    if isinstance(exc, (adbutils.AdbTimeout, u2e.HTTPTimeoutError, socket.timeout, TimeoutError)):
        return DeviceTimeout("the phone did not answer in time")
    if isinstance(exc, (u2e.LaunchUiAutomationError, u2e.AccessibilityServiceAlreadyRegisteredError)):
        return DeviceNotReady("the uiautomator2 server could not start on the phone")
    if isinstance(exc, u2e.UiAutomationNotConnectedError):
        return DeviceNotReady("UiAutomation is not connected on the phone")
    if isinstance(exc, u2e.ConnectError):
        return DeviceGone(GONE)
    if isinstance(exc, AdbSyncError):
        return ScriptFailed(f"copying a file to the phone failed: {text}")
    if isinstance(exc, (adbutils.AdbError, u2e.HTTPError, OSError, EOFError)):
        if any(
            word in lowered
            for word in (
                "not found",
                "refused",
                "closed",
                "reset",
                "broken pipe",
                "unable to connect",
                "connection",
                "offline",
                "eof",
            )
        ):
            return DeviceGone(GONE)
        if isinstance(exc, u2e.HTTPError):
            return DeviceNotReady("the uiautomator2 server on the phone is not answering")
        return DeviceGone(GONE)
    if isinstance(exc, u2e.RPCError):
        return DeviceNotReady(f"uiautomator2 error: {text[:160]}")
    if isinstance(exc, u2e.BaseException):
        return DeviceNotReady(f"uiautomator2 error: {text[:160]}")
    raise exc


class _Expired(Exception):
    """A call ran past its time (set by the driver's timer, never raised by a library)."""


def _expire(done: asyncio.Future[Any]) -> None:
    if not done.done():
        done.set_exception(_Expired())


def _guarded(fn: Callable[..., T], *args: Any) -> T:
    try:
        return fn(*args)
    except DeviceError:
        raise
    except Exception as exc:  # noqa: BLE001 - the one place library errors are translated
        raise device_error(exc) from exc


class U2Driver:
    """One phone, driven through adbutils + uiautomator2, one call at a time, each under a timeout."""

    def __init__(
        self,
        serial: str,
        *,
        adb_host: str = "127.0.0.1",
        adb_port: int = 5037,
        call_timeout_s: float = 20.0,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self.serial = serial
        self.adb_host = adb_host
        self.adb_port = adb_port
        self.call_timeout_s = call_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.broken = False
        self._device: u2.Device | None = None
        self._connections = _Connections()
        self._thread = CallThread(f"phone-{serial}")

    # -- the boundary ----------------------------------------------------------------------------
    async def _in_thread(self, fn: Callable[..., T], *args: Any, timeout_s: float, what: str, finish: bool = True) -> T:
        """Run in the phone's thread under `timeout_s`. With `finish`, a cancellation from outside (a stop)
        waits for a call under way to end or time out, so the phone is never left mid-call; without it
        (connecting, which may take long) the call is abandoned and the driver broken. A call that had
        not begun is skipped either way."""
        call = self._thread.submit(_guarded, fn, *args)
        timer = call.loop.call_later(timeout_s, _expire, call.done)
        try:
            try:
                return await asyncio.shield(call.done)
            except asyncio.CancelledError:
                call.skip = True
                if call.started and not call.done.done():
                    if not finish:
                        self._abandon()  # the thread may go on using the connections
                    else:
                        with anyio.CancelScope(shield=True):
                            try:
                                await call.done
                            except _Expired:
                                self._abandon()
                            except Exception:  # noqa: BLE001 - its outcome no longer matters: the run halts
                                pass
                raise
        except _Expired as exc:
            self._abandon()
            raise DeviceTimeout(
                f"{what} took longer than {timeout_s:g} s; the phone's connections were closed"
                " and it will be reconnected"
            ) from exc
        finally:
            timer.cancel()

    def _abandon(self) -> None:
        """The phone's thread may be stuck in a call: break the driver and give later calls a new thread."""
        self._break()
        self._thread.abandon()

    def _break(self) -> None:
        self.broken = True
        self._device = None
        self._connections.shut_all()

    async def connect(self) -> None:
        """Connect (or reconnect) to the phone's uiautomator2 server."""
        client = _TrackedAdbClient(self.adb_host, self.adb_port, self._connections)

        def connect() -> u2.Device:
            device = u2.connect(client.device(self.serial))
            device.settings["wait_timeout"] = WAIT_TIMEOUT_S
            return device

        self._device = await self._in_thread(
            connect, timeout_s=self.connect_timeout_s, what=f"connecting to {self.serial}", finish=False
        )
        self.broken = False

    async def call(
        self, fn: Callable[..., T], *args: Any, timeout_s: float | None = None, what: str = "a device call"
    ) -> T:
        """Run `fn(device, *args)` in the phone's worker thread; reconnects first when broken."""
        if self._device is None or self.broken:
            await self.connect()
        assert self._device is not None
        return await self._in_thread(fn, self._device, *args, timeout_s=timeout_s or self.call_timeout_s, what=what)

    async def close(self) -> None:
        """Close the phone's adb connections; that ends the uiautomator2 server this driver started
        (its app_process lives on one of them), and its thread. A later call connects again."""
        self._device = None
        self._connections.shut_all()
        self._thread.stop()

    # -- what the UI layer uses ----------------------------------------------------------------
    async def dump_hierarchy(self) -> str:
        """The UI hierarchy XML of the screen."""
        return await self.call(u2_calls.dump_hierarchy, what="dumping the screen")

    async def screenshot_png(self) -> bytes | None:
        """A PNG of the screen, or None when the phone gives none."""

        def shoot(d: u2.Device) -> bytes | None:
            data = d.jsonrpc.takeScreenshot(1, 80)
            if data:
                return _png(base64.b64decode(data))
            raw = d.adb_device.shell("screencap -p", encoding=None, timeout=self.call_timeout_s)
            return bytes(raw) if raw.startswith(b"\x89PNG") else None

        return await self.call(shoot, what="taking a screenshot")

    async def shell(self, cmd: str, *, timeout_s: float | None = None) -> tuple[str, int]:
        """Run a shell command; its output and exit code."""
        timeout = timeout_s or self.call_timeout_s

        def run(d: u2.Device) -> tuple[str, int]:
            result = d.adb_device.shell2(cmd, timeout=timeout, rstrip=True)
            return result.output, result.returncode

        return await self.call(run, timeout_s=timeout + 1, what=f"shell {cmd.split()[0] if cmd else ''}")

    async def push(self, local: str | Path, remote: str) -> None:
        """Copy a file to the phone."""
        size = Path(local).stat().st_size
        timeout = max(self.call_timeout_s, 10 + size / 2_000_000)  # USB 2 moves >= 2 MB/s
        await self.call(
            lambda d: d.adb_device.sync.push(str(local), remote),
            timeout_s=timeout,
            what=f"copying {Path(local).name} to the phone",
        )

    async def info(self) -> dict[str, Any]:
        """uiautomator2's deviceInfo: screenOn, displayWidth/Height, currentPackageName, ..."""
        return await self.call(u2_calls.device_info, what="reading the phone's state")

    async def wake(self) -> None:
        """Turn the screen on."""
        await self.call(lambda d: d.screen_on(), what="waking the screen")

    async def click(self, x: int, y: int) -> None:
        """Tap a point."""
        await self.call(u2_calls.click, x, y, what="a tap")

    async def double_click(self, x: int, y: int) -> None:
        """Two taps 0.1 s apart at a point, in one device call."""
        await self.call(lambda d: d.double_click(x, y, duration=0.1), what="a double tap")

    async def swipe(self, fx: int, fy: int, tx: int, ty: int, steps: int = 10) -> None:
        """Swipe from one point to another (about 5 ms per step)."""
        await self.call(lambda d: d.swipe(fx, fy, tx, ty, steps=steps), what="a swipe")

    async def press(self, key: str) -> None:
        """Press a key by name: back, home, enter, ..."""
        await self.call(u2_calls.press, key, what=f"pressing {key}")

    async def set_focused_text(self, text: str) -> bool:
        """Replace the text of the focused field (one RPC); False when no field has focus."""
        return await self.call(u2_calls.set_focused_text, text, what="typing")


def _png(jpeg: bytes) -> bytes:
    """A JPEG screenshot re-encoded as PNG (only on failures, so the cost does not matter)."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(jpeg)) as image:
            out = io.BytesIO()
            image.save(out, format="PNG")
            return out.getvalue()
    except Exception:  # noqa: BLE001 - a screenshot is a courtesy; give the bytes as they are
        return jpeg
