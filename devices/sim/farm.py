"""The virtual phone farm: N phones behind one adb-server port, with their fault switches and a JSON state."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

import anyio
from anyio.abc import TaskStatus

from devices.sim import host_services
from devices.sim.adb_protocol import AdbStream
from devices.sim.app.account import Directory
from devices.sim.faults import Change, FarmFaults, FaultSpecError, parse_body, parse_spec
from devices.sim.names import account_usernames, phone_identities
from devices.sim.phone import Environment, Phone
from devices.sim.port_forward import Forwards
from devices.sim.vfs import BlobStore

_HANDLED = (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, UnicodeDecodeError)


def parse_accounts(text: str) -> tuple[int, int]:
    """Accounts per phone in each app, (TikTok, Instagram), from `N` (N in each app) or `tiktok=N,instagram=M`
    (an app not named gets 1); each at least 1. A ValueError says what is wrong."""
    refusal = ValueError(f"accounts per phone must be N or tiktok=N,instagram=M (each at least 1), got {text!r}")

    def count(number: str) -> int:
        if not number.strip().isdigit() or int(number) < 1:
            raise refusal
        return int(number)

    given = text.strip()
    if given.isdigit():
        return count(given), count(given)
    counts = {"tiktok": 1, "instagram": 1}
    for item in given.split(","):
        app, _, number = item.strip().partition("=")
        if app.strip() not in counts:
            raise refusal
        counts[app.strip()] = count(number)
    return counts["tiktok"], counts["instagram"]


@dataclass(frozen=True, slots=True)
class FarmConfig:
    """How to build a farm. port 0 picks a free port; faults use the spec language of devices.sim.faults.
    Each phone has TikTok and Instagram, each with its own signed-in accounts: `accounts_per_device` of TikTok,
    `instagram_accounts` of Instagram (None: as many as TikTok)."""

    devices: int = 4
    port: int = 0
    latency_ms: float = 0.0
    seed: int = 0
    accounts_per_device: int = 1
    instagram_accounts: int | None = None
    time_scale: float = 1.0
    faults: str = ""
    host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        if self.devices < 1 or self.accounts_per_device < 1 or (self.instagram_accounts or 1) < 1:
            raise ValueError("a farm needs at least one phone and one account per phone in each app")
        if self.time_scale <= 0 or self.latency_ms < 0:
            raise ValueError("time_scale must be > 0 and latency_ms >= 0")
        parse_spec(self.faults)


class VirtualFarm:
    """Phones, the adb-server TCP listener, faults. Mutate it only from the event loop that serves it."""

    def __init__(self, config: FarmConfig) -> None:
        self.config = config
        self.port: int | None = None
        self.faults = FarmFaults()
        self.blobs = BlobStore()
        env = Environment(config.seed, config.time_scale, config.latency_ms, self.faults, Directory(), self.blobs)
        names = account_usernames(config.seed, config.devices, config.accounts_per_device)
        taken = frozenset(name for phone in names for name in phone)
        instagram = account_usernames(
            config.seed, config.devices, config.instagram_accounts or config.accounts_per_device, "instagram", taken
        )
        self.phones: dict[str, Phone] = {}
        for index, (serial, model) in enumerate(phone_identities(config.seed, config.devices)):
            self.phones[serial] = Phone(serial, model, index + 1, names[index], env, instagram[index])
        self.forwards = Forwards(config.host, self.phones.get, self.drop)
        self._connections: set[asyncio.Task[Any]] = set()
        self._devices_changed = asyncio.Event()

    @property
    def serials(self) -> list[str]:
        """The phones' serials, in transport-id order (the same for the same seed)."""
        return list(self.phones)

    def phone(self, serial: str) -> Phone:
        """One phone, for in-process assertions and settings."""
        return self.phones[serial]

    def online_phones(self) -> list[Phone]:
        """The phones `adb devices` lists now."""
        return [p for p in self.phones.values() if p.online]

    async def wait_devices_change(self) -> None:
        """Until a phone goes offline or comes back."""
        await self._devices_changed.wait()

    def _devices_change(self) -> None:
        self._devices_changed.set()
        self._devices_changed = asyncio.Event()

    # -- serving ---------------------------------------------------------------------------------------
    async def serve(self, *, task_status: TaskStatus[int] = anyio.TASK_STATUS_IGNORED) -> None:
        """Listen until cancelled; reports the bound port when listening. The config's faults apply from here."""
        server = await asyncio.start_server(self._accept, self.config.host, self.config.port, backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        try:
            self.set_faults(self.config.faults)
            task_status.started(self.port)
            await anyio.sleep_forever()
        finally:
            server.close()
            self.forwards.close()
            for phone in self.phones.values():
                if phone.reconnect_timer is not None:
                    phone.reconnect_timer.cancel()
            for task in list(self._connections):
                task.cancel()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Our own task (not asyncio's callback task), so cancelling it at shutdown logs nothing.
        task = asyncio.get_running_loop().create_task(self._handle(AdbStream(reader, writer)))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def _handle(self, stream: AdbStream) -> None:
        try:
            await host_services.serve_connection(self, stream)
            await stream.drain()
        except _HANDLED:
            pass
        finally:
            stream.close()

    # -- connectivity -------------------------------------------------------------------------------------
    def drop(self, phone: Phone) -> None:
        """A random disconnect drawn on an RPC: gone for the farm's offline_s (scaled)."""
        self.disconnect(phone.serial, self.faults.offline_s)

    def disconnect(self, serial: str, for_s: float | None = None) -> None:
        """Unplug a phone: gone from host:devices, its streams closed; back after `for_s` app seconds if given."""
        phone = self.phone(serial)
        phone.online = False
        phone.u2.up, phone.u2.stream = False, None
        phone.reverses.clear()  # adbd's reverse listeners go with the USB connection
        for task in list(phone.connections):
            task.cancel()
        if phone.reconnect_timer is not None:
            phone.reconnect_timer.cancel()
            phone.reconnect_timer = None
        if for_s is not None:
            phone.reconnect_timer = asyncio.get_running_loop().call_later(
                for_s * self.config.time_scale, self.reconnect, serial
            )
        self._devices_change()

    def reconnect(self, serial: str) -> None:
        """Plug a phone back in."""
        phone = self.phone(serial)
        if phone.reconnect_timer is not None:
            phone.reconnect_timer.cancel()
            phone.reconnect_timer = None
        phone.online = True
        self._devices_change()

    # -- faults and state ---------------------------------------------------------------------------------
    def set_faults(self, spec: str | dict[str, Any]) -> dict[str, Any]:
        """Apply a fault/settings spec (text or JSON object, see devices.sim.faults); returns the switches now.

        Raises FaultSpecError (a ValueError) naming the bad item; then nothing is applied."""
        changes = parse_spec(spec) if isinstance(spec, str) else parse_body(spec)
        for change in changes:
            if change.target not in (None, "*") and change.target not in self.phones:
                raise FaultSpecError(f"{change.key}: no phone with serial {change.target!r}")
        for change in changes:
            self._apply(change)
        return self.fault_switches()

    def _apply(self, change: Change) -> None:
        if change.target is None:
            if change.key == "reset":
                for key, value in asdict(FarmFaults()).items():
                    setattr(self.faults, key, value)
                for phone in self.phones.values():
                    phone.slow_ms = 0.0
            else:
                setattr(self.faults, change.key, change.value)
            return
        for phone in self.phones.values() if change.target == "*" else [self.phones[change.target]]:
            if change.key == "offline":
                self.disconnect(phone.serial, change.value)
            elif change.key == "online":
                self.reconnect(phone.serial)
            elif change.key == "crash":
                phone.crash_u2()
            elif change.key == "popup":
                phone.interrupt(change.value)
            else:
                phone.apply_setting(change.key, change.value)

    def fault_switches(self) -> dict[str, Any]:
        """The farm-wide switches plus the slow and offline phones."""
        return {
            **self.faults.as_dict(),
            "slow": {s: p.slow_ms for s, p in self.phones.items() if p.slow_ms},
            "offline": [s for s, p in self.phones.items() if not p.online],
        }

    def record_calls(self, on: bool) -> None:
        """Start (afresh) or stop recording what each phone is asked: JSON-RPC calls and shell commands."""
        for phone in self.phones.values():
            phone.calls = [] if on else None

    def take_calls(self) -> dict[str, list[tuple[str, str, Any]]]:
        """Per phone, the calls recorded since recording started or since the last take, in order:
        `("rpc", method, params)` or `("shell", "v1"|"v2", command)`."""
        taken = {}
        for serial, phone in self.phones.items():
            if phone.calls is not None:
                taken[serial], phone.calls = phone.calls, []
        return taken

    def state(self) -> dict[str, Any]:
        """Everything a test reads back, JSON-able: per phone and account (see devices/sim/README.md)."""
        return {
            "port": self.port,
            "seed": self.config.seed,
            "time_scale": self.config.time_scale,
            "latency_ms": self.config.latency_ms,
            "faults": self.fault_switches(),
            "blob_store": {"bytes": self.blobs.stored_bytes},
            "phones": {serial: phone.state() for serial, phone in self.phones.items()},
        }
