"""One virtual phone: its files, settings, display and lock, the app, the uiautomator2 server and its connections."""

from __future__ import annotations

import asyncio
import posixpath
import random
import time
from dataclasses import dataclass, field
from typing import Any

from devices.sim.app.account import Account, Directory
from devices.sim.app.host import MEDIA_KINDS
from devices.sim.app.instagram.account import IgAccount
from devices.sim.app.instagram.app import InstagramApp
from devices.sim.app.instagram.parts import PACKAGE as INSTAGRAM_PACKAGE
from devices.sim.app.instagram.parts import VERSION as INSTAGRAM_VERSION
from devices.sim.app.overlays import PERMISSION_PACKAGE
from devices.sim.app.tiktok import TikTokApp
from devices.sim.app.ui import DEFAULT_VERSION, PACKAGE, UI, ui_for
from devices.sim.app_process import AppProcess
from devices.sim.chrome import CHROME_PACKAGE, ChromeApp
from devices.sim.faults import DIALOG_KINDS, INSTAGRAM_DIALOG_KINDS, FarmFaults
from devices.sim.hierarchy import Node, Snapshot
from devices.sim.log_buffer import LogBuffer
from devices.sim.names import PhoneModel
from devices.sim.system_ui import LAUNCHER_ACTIVITY, LAUNCHER_PACKAGE, SYSTEMUI_PACKAGE, keyguard, launcher
from devices.sim.tasks import Tasks
from devices.sim.vfs import BlobStore, FileSystem

LATIN_IME = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"
ADB_KEYBOARD = "com.github.uiautomator/.AdbKeyboard"
JITTER = 0.2


@dataclass(slots=True)
class Environment:
    """What all phones of a farm share: seed, time scale, latency, the fault switches, accounts, file contents."""

    seed: int
    time_scale: float
    latency_ms: float
    faults: FarmFaults
    directory: Directory
    blobs: BlobStore
    instagram_accounts: dict[str, IgAccount] = field(default_factory=dict)  # every phone's, by username
    instagram_comments: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # post code -> (author, text)


@dataclass(slots=True)
class U2Server:
    """The uiautomator2 server on the phone: up while its app_process stream is held open."""

    up: bool = False
    launches: int = 0
    crashes: int = 0
    stream: Any = None
    pid: int = 0


@dataclass(slots=True)
class Input:
    """Input method and clipboard state."""

    imes: list[str] = field(default_factory=lambda: [LATIN_IME])
    enabled: set[str] = field(default_factory=lambda: {LATIN_IME})
    clipboard: str = ""


class Phone:
    """A phone of the farm. Every change goes through methods that bump `version` (dumps are cached per version)."""

    def __init__(
        self,
        serial: str,
        model: PhoneModel,
        transport_id: int,
        usernames: list[str],
        env: Environment,
        instagram_usernames: list[str] | None = None,
    ) -> None:
        self.serial, self.model, self.transport_id, self.env = serial, model, transport_id, env
        self.fs = FileSystem(env.blobs)
        self.settings: dict[str, dict[str, str]] = {
            "secure": {"default_input_method": LATIN_IME},
            "system": {},
            "global": {},
        }
        self.input = Input()
        self.u2 = U2Server()
        self.online = True
        self.reconnect_timer: asyncio.TimerHandle | None = None
        self.connections: set[asyncio.Task[Any]] = set()
        self.reverses: dict[str, str] = {}
        self.slow_ms = 0.0
        self.language, self.app_version, self.app_installed = "en", DEFAULT_VERSION, True
        self.display_on, self.locked = True, False
        self.scanned: dict[str, int] = {}
        self.install_times: dict[str, str] = {}
        self.log = LogBuffer()
        self.wifi_on = True
        self._last_pid = 30000
        self.rpc_calls = 0
        self.calls: list[tuple[str, str, Any]] | None = None  # what the phone was asked, while recording
        self.pids: dict[str, int] = {}
        self.touch_down: tuple[float, float] | None = None
        self.version = 0
        self._snapshot: Snapshot | None = None
        self._snapshot_version = -1
        self._changed = asyncio.Event()
        self._fault_rng = random.Random(f"{env.seed}:{serial}:faults")
        self._latency_rng = random.Random(f"{env.seed}:{serial}:latency")
        accounts = [Account(name) for name in usernames]
        for account in accounts:
            env.directory.add(account)
        self.app = TikTokApp(self, accounts)
        instagram_accounts = [IgAccount(name) for name in instagram_usernames or [f"{usernames[0]}.ig"]]
        for ig_account in instagram_accounts:
            env.instagram_accounts[ig_account.username] = ig_account
        self.instagram = InstagramApp(self, instagram_accounts)
        self.instagram_installed = True
        self.browser = ChromeApp()
        self.tasks = Tasks({PACKAGE: self.app, INSTAGRAM_PACKAGE: self.instagram, CHROME_PACKAGE: self.browser})

    # -- AppHost --------------------------------------------------------------------------------------
    @property
    def ui(self) -> UI:
        """The app's labels and ids for this phone's language and app version."""
        return ui_for(self.language, self.app_version)

    @property
    def seed(self) -> int:
        """The farm's seed."""
        return self.env.seed

    @property
    def time_scale(self) -> float:
        """The farm's time scale."""
        return self.env.time_scale

    @property
    def directory(self) -> Directory:
        """The farm's accounts and comments."""
        return self.env.directory

    def clock(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def ratelimit(self) -> int:
        """Follows per app minute before the rate-limit message (0: none)."""
        return self.env.faults.ratelimit

    def actionblock(self) -> int:
        """Follows per app minute before the "Action blocked" dialog (0: never)."""
        return self.env.faults.actionblock

    def media(self) -> list[tuple[str, str]]:
        """The (path, kind) the media store knows, most recently scanned first."""
        found = []
        for path, order in self.scanned.items():
            kind = MEDIA_KINDS.get(posixpath.splitext(path)[1].lower())
            if kind and self.fs.stat(path) is not None:
                found.append((order, path, kind))
        return [(p, k) for _, p, k in sorted(found, reverse=True)]

    def file_exists(self, path: str) -> bool:
        """Whether a file exists on the phone."""
        entry = self.fs.stat(path)
        return entry is not None and not entry.is_dir

    def media_date(self, path: str) -> str:
        """The day a scanned file was created, as Instagram's gallery names it ("Dec 4, 2026")."""
        entry = self.fs.stat(path)
        when = time.localtime(entry.mtime if entry is not None else time.time())
        return f"{time.strftime('%b', when)} {when.tm_mday}, {when.tm_year}"

    @property
    def instagram_comments(self) -> dict[str, list[tuple[str, str]]]:
        """Every comment written on Instagram in the farm, by post code, newest first."""
        return self.env.instagram_comments

    def instagram_followers(self, handle: str) -> int:
        """How many of the farm's Instagram accounts follow `handle`."""
        return sum(handle in a.follows for a in self.env.instagram_accounts.values())

    # -- change tracking ----------------------------------------------------------------------------------
    def touch(self) -> None:
        """Something visible changed: drop the cached dump and wake waiters."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, timeout: float) -> None:
        """Sleep until the next change or `timeout` seconds."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass

    def snapshot(self) -> Snapshot:
        """The view tree on screen now."""
        if self.app.tick() | self.instagram.tick():
            self.touch()
        animating = self.app.animating or self.instagram.animating
        if self._snapshot is None or self._snapshot_version != self.version or animating:
            self._snapshot = Snapshot(self.windows(), self.model.width, self.model.height)
            self._snapshot_version = self.version
        return self._snapshot

    def windows(self) -> list[Node]:
        """The top-level windows, bottom to top."""
        if self.locked or not self.display_on:
            now = time.localtime()
            return [keyguard(time.strftime("%H:%M", now), time.strftime("%a, %b %d", now), self.display_on)]
        front = self.front()
        if front is not None:
            return front.windows()
        label = self.ui.s("app_label")
        return [
            launcher(
                label if self.app_installed else None,
                {
                    label: lambda: self.start_app(PACKAGE),
                    "Instagram": lambda: self.start_app(INSTAGRAM_PACKAGE),
                    "Chrome": lambda: self.start_app(CHROME_PACKAGE),
                },
            )
        ]

    # -- what is on screen ---------------------------------------------------------------------------------
    def seen(self) -> bool:
        """Whether the screen is on and unlocked (the front app is seen)."""
        return self.display_on and not self.locked

    def front(self) -> AppProcess | None:
        """The app in front (None: the home screen), behind the lock screen if locked."""
        return self.tasks.front()

    def front_component(self) -> tuple[str, str]:
        """The (package, activity) resumed (behind the lock screen when locked)."""
        front = self.front()
        return (front.package, front.activity()) if front is not None else (LAUNCHER_PACKAGE, LAUNCHER_ACTIVITY)

    def current_package(self) -> str:
        """The package of the front window."""
        if not self.seen():
            return SYSTEMUI_PACKAGE
        if self.front() is self.app and self.app.dialog == "permission":
            return PERMISSION_PACKAGE
        return self.front_component()[0]

    def screen_name(self) -> str:
        """A short name of what shows: off, lockscreen, launcher, or the front app's screen."""
        if not self.display_on:
            return "off"
        if self.locked:
            return "lockscreen"
        front = self.front()
        return front.screen_name() if front is not None else "launcher"

    # -- the apps ------------------------------------------------------------------------------------------
    def installed(self, package: str) -> bool:
        """Whether an app the farm models is installed (Chrome always is; TikTok and Instagram unless removed)."""
        if package == INSTAGRAM_PACKAGE:
            return self.instagram_installed
        return package in self.tasks.apps and (package != PACKAGE or self.app_installed)

    def start_app(self, package: str = PACKAGE) -> bool:
        """Launch or resume an app in front; False if it is not installed (or not modelled)."""
        if not self.installed(package):
            return False
        app = self.tasks.apps[package]
        if not app.running:
            self.pids[package] = self.new_pid()
        self.tasks.bring_to_front(package)
        app.launch()
        if not self.seen():  # started behind the lock screen: nobody watches yet
            app.hide()
        self.touch()
        return True

    def app_pid(self, package: str = PACKAGE) -> int:
        """An app's process id (a new one after each cold start)."""
        return self.pids.get(package, 0)

    def stop_app(self, package: str = PACKAGE) -> None:
        """am force-stop: the process ends, its task goes."""
        if package in self.tasks.apps:
            self.tasks.apps[package].stop()
            self.tasks.take_away(package, self.seen())
            self.touch()

    def leave_app(self) -> None:
        """Back at the front app's root: its task goes behind; the one below (or the home screen) shows."""
        front = self.front()
        if front is not None:
            front.hide()
            self.tasks.take_away(front.package, self.seen())
            self.touch()

    def go_home(self) -> None:
        """The Home key: the home screen comes to the front; the apps keep their state."""
        self.tasks.go_home()
        self.touch()

    def apply_setting(self, key: str, value: Any) -> None:
        """A per-phone setting from the spec: slow, lang, version, app, screen."""
        if key == "slow":
            self.slow_ms = float(value)
        elif key == "lang":
            self.language = value
        elif key == "version":
            self.app_version = value
        elif key == "app":
            self.app_installed = value == "installed"
            if not self.app_installed:
                self.stop_app(PACKAGE)
        elif key == "instagram":
            self.instagram_installed = value == "installed"
            if not self.instagram_installed:
                self.stop_app(INSTAGRAM_PACKAGE)
        elif key == "screen" and value == "off":
            self.sleep()
        elif key == "screen":
            self.display_on = True
            if value == "on":
                self.unlock()
            else:
                self.locked = True
                self._hide_front()
        self.touch()

    def wake(self) -> None:
        """The display turns on (the lock screen stays until unlocked)."""
        self.display_on = True
        self.touch()

    def sleep(self) -> None:
        """The display turns off and the phone locks."""
        self.display_on, self.locked = False, True
        self._hide_front()
        self.touch()

    def _hide_front(self) -> None:
        front = self.front()
        if front is not None:
            front.hide()

    def unlock(self) -> None:
        """Dismiss the (swipe) lock screen."""
        if self.display_on and self.locked:
            self.locked = False
            front = self.front()
            if front is not None:
                front.show()
            self.touch()

    def interrupt(self, kind: str = "rating") -> None:
        """Show an interrupting dialog over the front app now: TikTok's kinds over TikTok, Instagram's over
        Instagram (a TikTok kind over Instagram shows one of Instagram's, and the other way round)."""
        if self.front() is self.app:
            self.app.interrupt(kind if kind in DIALOG_KINDS else "rating")
            self.touch()
        elif self.front() is self.instagram:
            own = INSTAGRAM_DIALOG_KINDS
            self.instagram.interrupt(kind if kind in own else own[DIALOG_KINDS.index(kind) % len(own)])
            self.touch()

    def scan_media(self, path: str) -> None:
        """A media-scanner broadcast for a file or a folder."""
        for found in self.fs.files_under(path):
            self.scanned[found] = max(self.scanned.values(), default=0) + 1
        self.touch()

    # -- latency and faults -------------------------------------------------------------------------------
    async def lag(self) -> None:
        """The per-call latency (farm latency plus this phone's slowness, scaled, with jitter)."""
        ms = (self.env.latency_ms + self.slow_ms) * self.env.time_scale
        if ms > 0:
            await asyncio.sleep(ms * (1 + self._latency_rng.uniform(-JITTER, JITTER)) / 1000)

    def record_call(self, kind: str, name: str, args: Any) -> None:
        """Note a JSON-RPC call or a shell command when the farm records calls (`farm.record_calls`)."""
        if self.calls is not None:
            self.calls.append((kind, name, args))

    def roll_faults(self) -> tuple[bool, bool]:
        """Draw this RPC's random faults: shows a dialog if one fires; returns (disconnect, u2 crash)."""
        faults, rng = self.env.faults, self._fault_rng
        self.rpc_calls += 1
        disconnect, crash, dialog, kind = rng.random(), rng.random(), rng.random(), rng.choice(DIALOG_KINDS)
        front = self.front()
        if dialog < faults.dialog and front in (self.app, self.instagram) and front.dialog is None and not self.locked:
            self.interrupt(kind)
        return disconnect < faults.disconnect, crash < faults.u2crash

    def crash_u2(self) -> None:
        """The uiautomator2 server dies (a fault): its app_process stream closes, the client must relaunch it."""
        if self.u2.up:
            self.u2.crashes += 1
            self.kill_u2()

    def kill_u2(self) -> None:
        """The uiautomator2 server's process ends: its app_process stream closes."""
        self.u2.up = False
        if self.u2.stream is not None:
            self.u2.stream.close()

    def new_pid(self) -> int:
        """A process id for a process started now (shells, commands, the uiautomator2 server)."""
        self._last_pid += 1
        return self._last_pid

    def state(self) -> dict[str, Any]:
        """The phone as the farm's state shows it."""
        self.app.tick()
        app = self.app
        return {
            "serial": self.serial,
            "model": self.model.model,
            "transport_id": self.transport_id,
            "online": self.online,
            "u2_server": self.u2.up,
            "u2_launches": self.u2.launches,
            "screen": self.screen_name(),
            "activity": app.activity() if app.running else None,
            "dialog": app.dialog,
            "toast": app.toast,
            "faults": {
                "slow_ms": self.slow_ms,
                "u2_crashes": self.u2.crashes,
                "rpc_calls": self.rpc_calls,
                "reconnect_pending": self.reconnect_timer is not None and not self.online,
            },
            "display": "off" if not self.display_on else ("locked" if self.locked else "on"),
            "app": {
                "installed": self.app_installed,
                "running": app.running,
                "version": self.app_version,
                "language": self.language,
            },
            "browser": {"running": self.browser.running, "url": self.browser.url},
            "ime": self.settings["secure"].get("default_input_method"),
            "current_account": app.account.username,
            "media": [p for p, _ in self.media()],
            "accounts": {a.username: a.as_state() for a in app.accounts},
            "instagram": {
                "installed": self.instagram_installed,
                "version": INSTAGRAM_VERSION,
                **self.instagram.state(),
            },
        }
