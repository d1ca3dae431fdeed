"""What runs beside the API when tasks run on phones: the farm (with --sim), discovery, the scheduler."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

import logging

import anyio

from devices.discovery import Discovery
from devices.driver import allow_adb_server_start
from devices.phones import PhoneConnector
from devices.task_run import TaskRunner
from service.materials import seed_samples
from service.runtime import Runtime
from service.scheduler import Scheduler

log = logging.getLogger("droidledger")

SHUTDOWN_GRACE_S = 10.0
SIM_ONLINE_TIMEOUT_S = 60.0


@asynccontextmanager
async def run_phones(rt: Runtime) -> AsyncIterator[None]:
    """Start (farm,) discovery and the scheduler; on exit let running steps finish, then stop."""
    settings = rt.settings
    # Worker threads: one per phone call in flight, plus the store's; anyio's default is 40.
    anyio.to_thread.current_default_thread_limiter().total_tokens = max(40, 2 * max(settings.sim, 100))
    adb_host, adb_port = settings.adb_host, settings.adb_port
    devices = rt.devices
    allow_adb_server_start(settings.adb_start)
    connector = PhoneConnector(adb_host, adb_port, rt.clock)
    async with anyio.create_task_group() as tg:
        if settings.sim:
            from devices.sim.farm import FarmConfig, VirtualFarm

            for sample in seed_samples(settings.data_dir):
                log.info("material library was empty: added %s", sample)

            rt.farm = VirtualFarm(FarmConfig(
                devices=settings.sim, port=0, latency_ms=settings.sim_latency_ms, seed=settings.sim_seed,
                accounts_per_device=settings.sim_accounts, time_scale=settings.time_scale,
                faults=settings.sim_faults))
            await tg.start(rt.farm.serve)
            connector.adb_host, connector.adb_port = adb_host, adb_port = "127.0.0.1", rt.farm.port
        discovery = Discovery(rt.store, devices, adb_host, adb_port)
        await tg.start(discovery.run)
        if settings.sim:
            await _until_online(rt, set(rt.farm.serials), discovery)
        runner = TaskRunner(rt.store, rt.tasks, rt.accounts, rt.clock, settings.data_dir, settings.retry_policy,
                            zone=rt.tz)
        rt.scheduler = Scheduler(rt.store, runner, devices, rt.clock, connector.for_phone,
                                 device_limit=settings.device_limit, random_order=settings.random_order,
                                 recheck=discovery.scan, zone=rt.tz)
        await tg.start(rt.scheduler.run)
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                await rt.scheduler.shutdown(SHUTDOWN_GRACE_S)
                await connector.close()
            tg.cancel_scope.cancel()


async def _until_online(rt: Runtime, serials: set[str], discovery: Discovery) -> None:
    """The API opens once the virtual phones are online."""
    with anyio.fail_after(SIM_ONLINE_TIMEOUT_S):
        while not serials <= {s for s, (state, _) in discovery.known.items() if state == "device"}:
            await discovery.scan()
            await anyio.sleep(0.05)
