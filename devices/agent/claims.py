"""Which phones an agent incarnation owns: it polls its adb server, claims each listed phone of its
share that no live agent owns, records what adb says of the phones it owns (fenced), and lets go
of a phone adb no longer lists. A phone another live agent owns is left alone."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import adbutils
import anyio

from devices.agent.shard import Shard
from devices.driver import GONE as DEVICE_GONE
from service.domain.device import OwnedElsewhere
from service.handlers.devices import DeviceHandlers
from service.store.interface import EventStore
from service.store.outages import StoreOutage
from service.store.records import Fence

log = logging.getLogger("droidledger.discovery")

Listing = dict[str, tuple[str, str]]  # serial -> (adb state, model)
GONE = "no longer listed by adb"


def list_devices(host: str, port: int) -> Listing:
    """`host:devices-l` from the adb server (blocking; run it in a thread)."""
    client = adbutils.AdbClient(host=host, port=port, socket_timeout=5)
    return {info.serial: (info.state, info.tags.get("model", "")) for info in client.list(extended=True)}


class Claims:
    """The incarnation's phones, kept in step with its adb server's list."""

    def __init__(
        self,
        store: EventStore,
        devices: DeviceHandlers,
        adb_host: str,
        adb_port: int,
        shard: Shard,
        agent: str,
        incarnation: str,
        on_owned: Callable[[str], None],
        on_lost: Callable[[str, str], None],
        let_go: Callable[[str, str], Awaitable[None]],
        interval_s: float = 1.0,
    ) -> None:
        self.store = store
        self.devices = devices
        self.adb_host = adb_host
        self.adb_port = adb_port
        self.shard = shard
        self.agent = agent
        self.incarnation = incarnation
        self.on_owned = on_owned  # a phone became this incarnation's
        self.on_lost = on_lost  # a phone is no longer this incarnation's (serial, why)
        self.let_go = let_go  # a phone is about to be released (serial, why its run ends)
        self.interval_s = interval_s
        self.owned: dict[str, str] = {}  # serial -> adb state, as last recorded
        self.listed: Listing = {}
        self._complained = False
        self._others: set[str] = set()  # phones seen owned by another live agent (said once)
        self._scanning = anyio.Lock()  # the poll and a run's recheck take turns

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """One look (then report ready), then one every interval until cancelled."""
        await StoreOutage("discovery", log).retry(self.scan)
        task_status.started()
        outage = StoreOutage("discovery", log)
        while True:
            await anyio.sleep(self.interval_s)
            await outage.retry(self.scan)

    def forget(self, serial: str) -> None:
        """The log says the phone is no longer this incarnation's (taken over, or released)."""
        self.owned.pop(serial, None)

    async def scan(self) -> Listing:
        """One look at the adb server; claims, records and releases what changed; the listing."""
        async with self._scanning:
            return await self._scan()

    async def _scan(self) -> Listing:
        try:
            listing = await anyio.to_thread.run_sync(list_devices, self.adb_host, self.adb_port)
        except (adbutils.AdbError, OSError) as exc:
            if not self._complained:
                log.warning(
                    "cannot reach the adb server at %s:%d (%s); phones count as gone until it answers",
                    self.adb_host,
                    self.adb_port,
                    exc,
                )
                self._complained = True
            listing = {}
        else:
            self._complained = False
        listing = {serial: seen for serial, seen in listing.items() if self.shard.takes(serial)}
        self.listed = listing
        for serial in sorted(set(self.owned) - set(listing)):
            await self.let_go(serial, DEVICE_GONE)  # its run records its failure while the phone is ours
            await self.devices.release(serial, self.agent, self.incarnation, GONE)
            self.owned.pop(serial, None)  # the log's echo of the release may have forgotten it already
            self.on_lost(serial, GONE)
        for serial, (state, model) in sorted(listing.items()):
            if serial in self.owned:
                if self.owned[serial] != state:
                    await self.devices.observed(serial, state, model, fence=self._fence(serial))
                    self.owned[serial] = state
                continue
            try:
                await self.devices.claim(serial, self.agent, self.incarnation, state, model)
            except OwnedElsewhere as exc:
                if serial not in self._others:
                    log.info("%s: left alone", exc)
                    self._others.add(serial)
                continue
            self._others.discard(serial)
            self.owned[serial] = state
            log.info("agent %s owns %s", self.agent, serial)
            self.on_owned(serial)
        return listing

    def _fence(self, serial: str) -> Fence:
        return Fence(serial, self.agent, self.incarnation)
