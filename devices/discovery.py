"""Discovery: what the adb server lists, turned into device events when it changes.

Phones appearing, disappearing or changing state (`device`, `offline`, `unauthorized`)
become events on their `device-<serial>` streams; the scheduler follows them.
"""

from __future__ import annotations

import logging

import adbutils
import anyio

from service.domain.device import DISCONNECTED
from service.handlers.devices import DeviceHandlers
from service.store.interface import EventStore
from service.store.outages import StoreOutage

log = logging.getLogger("droidledger.discovery")

Listing = dict[str, tuple[str, str]]  # serial -> (adb state, model)


def list_devices(host: str, port: int) -> Listing:
    """`host:devices-l` from the adb server (blocking; run it in a thread)."""
    client = adbutils.AdbClient(host=host, port=port, socket_timeout=5)
    return {info.serial: (info.state, info.tags.get("model", "")) for info in client.list(extended=True)}


class Discovery:
    """Polls the adb server and records every change of the phones it lists."""

    def __init__(self, store: EventStore, devices: DeviceHandlers, adb_host: str, adb_port: int,
                 interval_s: float = 1.0) -> None:
        self.store = store
        self.devices = devices
        self.adb_host = adb_host
        self.adb_port = adb_port
        self.interval_s = interval_s
        self.known: Listing = {}
        self._complained = False
        self._scanning = anyio.Lock()  # the poll and the scheduler's rechecks take turns

    async def run(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """Reconcile with the views once (then report ready), then poll until cancelled."""
        self.known = {row.serial: (row.state, row.model) for row in await self.store.views.devices()
                      if row.online or row.state != DISCONNECTED}
        await self.scan()
        task_status.started()
        outage = StoreOutage("discovery", log)
        while True:
            await anyio.sleep(self.interval_s)
            await outage.retry(self.scan)

    async def scan(self) -> Listing:
        """One look at the adb server; append events for what changed since the last look; the listing."""
        async with self._scanning:
            return await self._scan()

    async def _scan(self) -> Listing:
        try:
            listing = await anyio.to_thread.run_sync(list_devices, self.adb_host, self.adb_port)
        except (adbutils.AdbError, OSError) as exc:
            if not self._complained:
                log.warning("cannot reach the adb server at %s:%d (%s); phones count as offline until it answers",
                            self.adb_host, self.adb_port, exc)
                self._complained = True
            listing = {}
        else:
            self._complained = False
        for serial in sorted(set(self.known) - set(listing)):
            await self.devices.gone(serial, "no longer listed by adb")
        for serial, (state, model) in sorted(listing.items()):
            if self.known.get(serial, (None, None))[0] != state:
                await self.devices.observed(serial, state, model)
        self.known = listing
        return listing
